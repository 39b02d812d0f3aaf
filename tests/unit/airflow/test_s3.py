"""``s3://`` URIs and the one place ``S3Hook`` is imported, with the message shown when it is missing."""

from __future__ import annotations

import inspect
import json
import sys
from typing import Any

import pytest

from airflow_provider_hume._s3 import (
    MISSING_AMAZON_PROVIDER,
    S3_HOOK_MODULE,
    S3Uri,
    is_s3_uri,
    names_s3,
    object_uri,
    require_amazon_provider,
    s3_hook,
    stream_upload_hook,
)
from airflow_provider_hume.client import HumeValidationError


@pytest.mark.parametrize(
    ("value", "bucket", "key", "is_prefix"),
    [
        ("s3://media/calls/a.wav", "media", "calls/a.wav", False),
        ("s3://media/calls/", "media", "calls/", True),
        ("s3://media", "media", "", True),
        ("s3://media/", "media", "", True),
        ("  s3://media/a b.wav ", "media", "a b.wav", False),
        ("S3://media/a.wav", "media", "a.wav", False),
    ],
)
def test_parse(value: str, bucket: str, key: str, is_prefix: bool) -> None:
    location = S3Uri.parse(value, "urls[0]")
    assert (location.bucket, location.key, location.is_prefix) == (bucket, key, is_prefix)
    assert str(location) == location.uri == f"s3://{bucket}/{key}"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("https://media/a.wav", "files[2] must be an s3://bucket/key URI (got 'https://media/a.wav')"),
        ("s3:///a.wav", "files[2] must look like s3://bucket/key or s3://bucket/prefix/ (got 's3:///a.wav')"),
        ("s3://my bucket/a.wav", "files[2] must look like s3://bucket/key"),
    ],
)
def test_malformed_uris_name_the_field(value: str, message: str) -> None:
    with pytest.raises(HumeValidationError) as error:
        S3Uri.parse(value, "files[2]")
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("s3://b/k", True),
        (" S3://b/k", True),
        ("s3:/b/k", False),
        ("https://b/k", False),
        ("/tmp/s3://x", False),
    ],
)
def test_is_s3_uri(value: str, expected: bool) -> None:
    assert is_s3_uri(value) is expected


def test_object_uri_refuses_a_prefix_naming_the_field() -> None:
    assert object_uri("s3://b/out/results.jsonl", "output_s3_key") == S3Uri("b", "out/results.jsonl")
    with pytest.raises(HumeValidationError, match=r"output_s3_key must name one object, s3://bucket/key"):
        object_uri("s3://b/out/", "output_s3_key")


def test_s3_hook_passes_the_connection_and_options() -> None:
    hook = s3_hook("aws_unit", caller="T", transfer_config_args={"max_concurrency": 2})
    assert hook.aws_conn_id == "aws_unit"
    assert hook.transfer_config.max_concurrency == 2


MIB = 1024 * 1024


def test_a_named_caller_goes_into_the_user_agent_without_walking_the_stack(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_stack_walk(context: int = 1) -> list[Any]:
        raise AssertionError("inspect.stack() was called")

    conn = {"conn_type": "aws", "login": "k", "password": "s", "extra": {"region_name": "us-east-1"}}
    monkeypatch.setenv("AIRFLOW_CONN_AWS_UNIT", json.dumps(conn))
    hook = s3_hook("aws_unit", caller="HumeArtifactsToS3Operator")
    monkeypatch.setattr(inspect, "stack", no_stack_walk)
    assert "Caller/HumeArtifactsToS3Operator" in hook.get_conn().meta.config.user_agent_extra


def test_a_stream_upload_is_bounded_by_default() -> None:
    config = stream_upload_hook("aws_unit", None, caller="T").transfer_config
    assert (config.multipart_threshold, config.multipart_chunksize) == (8 * MIB, 8 * MIB)
    assert (config.max_request_concurrency, config.max_in_memory_upload_chunks) == (4, 3)


def test_given_transfer_config_args_are_merged_over_the_defaults_key_by_key() -> None:
    given: dict[str, Any] = {"max_concurrency": 2, "max_in_memory_upload_chunks": 6, "use_threads": False}
    config = stream_upload_hook("aws_unit", given, caller="T").transfer_config
    assert (config.multipart_chunksize, config.max_request_concurrency) == (8 * MIB, 2)
    assert (config.max_in_memory_upload_chunks, config.use_threads) == (6, False)
    assert given == {"max_concurrency": 2, "max_in_memory_upload_chunks": 6, "use_threads": False}


def test_a_missing_amazon_provider_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "airflow.providers.amazon.aws.hooks.s3", None)
    with pytest.raises(ImportError) as error:
        s3_hook("aws_default", caller="HumePredictionsToS3Operator")
    assert str(error.value) == MISSING_AMAZON_PROVIDER
    assert "pip install 'airflow-provider-hume[amazon]'" in str(error.value)


def test_a_missing_amazon_provider_is_found_without_importing_it(monkeypatch: pytest.MonkeyPatch) -> None:
    require_amazon_provider()
    monkeypatch.setitem(sys.modules, S3_HOOK_MODULE, None)
    with pytest.raises(ImportError) as error:
        require_amazon_provider()
    assert str(error.value) == MISSING_AMAZON_PROVIDER


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (("s3://b/k",), True),
        ((None, ["a.wav", " S3://b/prefix/"]), True),
        (({"call": "s3://b/call.wav"},), True),
        ((("https://x/a.mp4", "s3://b/k"),), True),
        ((None, "a.wav", ["https://x/a.mp4"], {"t": "text"}), False),
        (("{{ params.uri }}", ["{{ var.value.calls }}"]), False),  # judged once rendered
    ],
)
def test_names_s3_looks_at_literal_arguments_only(values: tuple[object, ...], expected: bool) -> None:
    assert names_s3(*values) is expected


def test_upload_metadata_goes_with_every_upload_beside_the_hooks_extra_args() -> None:
    hook = s3_hook("aws_unit", caller="T", extra_args={"ACL": "private", "Metadata": {"team": "r"}})
    assert hook.extra_args == {"ACL": "private", "Metadata": {"team": "r"}}
    hook.upload_metadata = {"hume-job-id": "j"}
    assert hook.extra_args == {"ACL": "private", "Metadata": {"team": "r", "hume-job-id": "j"}}
    assert "Metadata" not in s3_hook("aws_unit", caller="T").extra_args
