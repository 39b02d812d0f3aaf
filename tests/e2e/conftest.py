"""A real Airflow (api-server, scheduler, dag-processor, triggerer) with the emulator and S3, on loopback."""

from __future__ import annotations

import contextlib
import json
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
import requests

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
sys.path.insert(0, str(SCRIPTS))

from airflow_stack import BUCKET, AirflowHandle, airflow_services  # noqa: E402
from local_stack import Stack, local_stack  # noqa: E402
from postgres_server import postgres_server  # noqa: E402

T = TypeVar("T")
#: Jobs take long enough that the sensor always finds them unfinished and defers.
EMULATOR_FLAGS = ("--queue-seconds", "3", "--run-seconds", "10")
#: DAGs of the e2e tests themselves (not examples), parsed from a second bundle next to the dags folder.
TEST_DAGS = Path(__file__).resolve().parent / "dags"
DAG_BUNDLES = [
    {"name": "dags-folder", "classpath": "airflow.dag_processing.bundles.local.LocalDagBundle", "kwargs": {}},
    {
        "name": "e2e-test-dags",
        "classpath": "airflow.dag_processing.bundles.local.LocalDagBundle",
        "kwargs": {"path": str(TEST_DAGS)},
    },
]


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

    def wait_for(self, what: str, check: Callable[[], T | None], timeout: float = 180) -> T:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = check()
            if result:
                return result
            time.sleep(0.3)
        raise AssertionError(f"timed out waiting for {what}")

    def wait_parsed(self, dag_id: str) -> None:
        """Return once the dag-processor has parsed ``dag_id``."""
        self.wait_for(f"{dag_id} to be parsed", lambda: self._dag_exists(dag_id))

    def trigger(self, dag_id: str) -> str:
        """Start a run of ``dag_id`` once the dag-processor has parsed it; return the run id."""
        self.wait_parsed(dag_id)
        response = self.post(f"/api/v2/dags/{dag_id}/dagRuns", {"logical_date": None})
        assert response.status_code == 200, response.text
        return str(response.json()["dag_run_id"])

    def _dag_exists(self, dag_id: str) -> bool:
        return self.session.get(f"{self.handle.url}/api/v2/dags/{dag_id}", timeout=30).status_code == 200

    def watch_run(self, dag_id: str, run_id: str) -> tuple[str, dict[str, set[str]]]:
        """Poll the run until it ends, recording every state each task instance was seen in."""
        seen: dict[str, set[str]] = {}
        base = f"/api/v2/dags/{dag_id}/dagRuns/{run_id}"

        def finished() -> str | None:
            for ti in self.get(f"{base}/taskInstances")["task_instances"]:
                seen.setdefault(ti["task_id"], set()).add(str(ti["state"]))
            state = str(self.get(base)["state"])
            return state if state in ("success", "failed") else None

        final = self.wait_for(f"run {run_id} of {dag_id} to finish", finished, timeout=240)
        return final, seen

    def xcom(self, dag_id: str, run_id: str, task_id: str) -> Any:
        path = f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/xcomEntries/return_value"
        value = self.get(path)["value"]
        return json.loads(value) if isinstance(value, str) and value.startswith('"') else value


@dataclass(frozen=True)
class E2EStack:
    stack: Stack
    api: AirflowApi
    s3: Any
    bucket: str


@contextlib.contextmanager
def running_stack(sql_alchemy_conn: str | None = None) -> Iterator[E2EStack]:
    """The emulator, the S3 server (with the bucket) and Airflow; everything stopped on exit."""
    with (
        tempfile.TemporaryDirectory(prefix="hume-e2e-") as tmp,
        local_stack(Path(tmp), EMULATOR_FLAGS) as stack,
    ):
        s3 = stack.s3_client()
        s3.create_bucket(Bucket=BUCKET)
        extra_env = {
            "AIRFLOW__CORE__TEST_CONNECTION": "Enabled",
            "AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST": json.dumps(DAG_BUNDLES),
        }
        with airflow_services(
            stack, Path(tmp), sql_alchemy_conn=sql_alchemy_conn, extra_env=extra_env
        ) as handle:
            session = requests.Session()
            token = session.post(
                f"{handle.url}/auth/token",
                json={"username": handle.username, "password": handle.password},
                timeout=30,
            )
            token.raise_for_status()
            session.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
            yield E2EStack(stack=stack, api=AirflowApi(handle, session), s3=s3, bucket=BUCKET)


@pytest.fixture(scope="session")
def e2e() -> Iterator[E2EStack]:
    """Airflow on SQLite, as ``make airflow`` runs it."""
    with running_stack() as running:
        yield running


@pytest.fixture(scope="session")
def e2e_postgres() -> Iterator[E2EStack]:
    """Airflow with LocalExecutor on a real PostgreSQL server (Debian's), started here on loopback."""
    with postgres_server() as url:
        if url is None:
            pytest.skip("PostgreSQL server binaries not found: install Debian's 'postgresql' package")
        with running_stack(sql_alchemy_conn=url) as running:
            yield running
