"""Fixtures for the ``v1`` operators' unit tests: an in-memory S3 (moto's mock) and a stub client script."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.unit.airflow.v1.v1_stubs import BUCKET, Script


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A boto3 S3 client on moto's in-memory backend (no socket), with ``BUCKET`` created."""
    import boto3
    from moto import mock_aws

    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        yield client


@pytest.fixture
def script() -> Script:
    return Script()
