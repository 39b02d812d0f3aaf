"""Shared fixtures: a Hume emulator and an S3 server, both real servers on loopback ephemeral ports.

Each test is also marked with its lane, from its directory: ``unit``, ``integration`` or ``e2e``.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from airflow_provider_hume.emulator.server import EmulatorServer

# Airflow reads its configuration at import time, and no module above imports it: give the whole test
# session a throwaway AIRFLOW_HOME (never the developer's own, whose database the tests would reset).
os.environ["AIRFLOW_HOME"] = tempfile.mkdtemp(prefix="hume-tests-airflow-")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(Path(__file__).resolve().parent.parent / "dags")

TESTS = Path(__file__).resolve().parent
LANES = ("unit", "integration", "e2e")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with the lane of its top directory under ``tests/``."""
    for item in items:
        if item.path.is_relative_to(TESTS):
            lane = item.path.relative_to(TESTS).parts[0]
            if lane in LANES:
                item.add_marker(lane)


@dataclass(frozen=True)
class EmulatorHandle:
    """What a test needs to talk to a running emulator."""

    url: str
    api_key: str
    server: EmulatorServer


@pytest.fixture(scope="session")
def emulator() -> Iterator[EmulatorHandle]:
    """An in-process emulator whose jobs finish in well under a second."""
    api_key = secrets.token_hex(24)
    with EmulatorServer(api_keys=[api_key], queue_seconds=0.2, run_seconds=0.3) as server:
        yield EmulatorHandle(url=server.url, api_key=api_key, server=server)


@dataclass(frozen=True)
class S3Handle:
    """Endpoint and credentials of the loopback S3 server."""

    endpoint_url: str
    access_key: str = "testing"
    secret_key: str = "testing"
    region: str = "us-east-1"


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Handle]:
    """moto's S3 server in a thread on an ephemeral loopback port."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield S3Handle(endpoint_url=f"http://{host}:{port}")
    finally:
        server.stop()
