"""A real Airflow (api-server, scheduler, dag-processor, triggerer) with the emulator and S3, on loopback."""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
sys.path.insert(0, str(SCRIPTS))

from airflow_stack import BUCKET, AirflowHandle, airflow_services  # noqa: E402
from local_stack import S3_ACCESS_KEY, S3_REGION, S3_SECRET_KEY, Stack, local_stack  # noqa: E402


@dataclass
class AirflowApi:
    """A logged-in client of Airflow's REST API."""

    handle: AirflowHandle
    session: requests.Session

    def get(self, path: str, **kwargs: Any) -> Any:
        response = self.session.get(f"{self.handle.url}{path}", timeout=30, **kwargs)
        response.raise_for_status()
        return response.json()

    def post(self, path: str, body: dict[str, Any]) -> requests.Response:
        return self.session.post(f"{self.handle.url}{path}", json=body, timeout=60)

    def wait_for(self, what: str, check: Any, timeout: float = 180) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = check()
            if result:
                return result
            time.sleep(0.3)
        raise AssertionError(f"timed out waiting for {what}")


@dataclass(frozen=True)
class E2EStack:
    stack: Stack
    api: AirflowApi
    s3: Any
    bucket: str


@pytest.fixture(scope="session")
def e2e() -> Iterator[E2EStack]:
    # Jobs take long enough that the sensor always finds them unfinished and defers.
    flags = ("--queue-seconds", "3", "--run-seconds", "10")
    with tempfile.TemporaryDirectory(prefix="hume-e2e-") as tmp, local_stack(Path(tmp), flags) as stack:
        s3 = boto3.client(
            "s3",
            endpoint_url=stack.s3_endpoint,
            aws_access_key_id=S3_ACCESS_KEY,
            aws_secret_access_key=S3_SECRET_KEY,
            region_name=S3_REGION,
        )
        s3.create_bucket(Bucket=BUCKET)
        extra_env = {"AIRFLOW__CORE__TEST_CONNECTION": "Enabled"}
        with airflow_services(stack, Path(tmp), extra_env=extra_env) as handle:
            session = requests.Session()
            token = session.post(
                f"{handle.url}/auth/token",
                json={"username": handle.username, "password": handle.password},
                timeout=30,
            )
            token.raise_for_status()
            session.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
            yield E2EStack(stack=stack, api=AirflowApi(handle, session), s3=s3, bucket=BUCKET)
