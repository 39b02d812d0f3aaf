"""Reliability on the production-like lane: LocalExecutor on PostgreSQL, the triggerer killed mid-wait.

A deferred ``HumeJobSensor`` waits in the triggerer for a job that runs for a while. The triggerer is killed
(``SIGKILL``: no clean shutdown, its trigger stays assigned to a triggerer that no longer heartbeats) and a
new one is started. The new triggerer adopts the trigger once the old one counts as dead, and the run ends
as if nothing happened: exactly one Hume job, the sensor succeeds with its id, and the trigger's deadline
(``end_time``, absolute, computed before deferring) is the one it had before the restart.

This module starts its own Airflow (not the session's), because it needs a DAG of its own and a hand on the
triggerer process; it skips when PostgreSQL is not installed, like ``e2e_postgres``.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import tempfile
import textwrap
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import pytest
import requests
from airflow_stack import airflow_env
from local_stack import BIN, ProcessGroup, Stack, StackError, free_port, local_stack
from postgres_server import postgres_server

from airflow_provider_hume.emulator.admin_client import EmulatorAdmin

T = TypeVar("T")
DAG_ID = "hume_reliability_triggerer_restart"
DETAILS_ROUTE = "GET /v0/batch/jobs/{job_id}"
#: The job is held (it never ends) once the sensor defers, and released when the new triggerer has adopted the
#: trigger, so a slow restart cannot let it end mid-way; these times only matter until the hold.
EMULATOR_FLAGS = ("--queue-seconds", "1", "--run-seconds", "30")
SENSOR_TIMEOUT = 600
#: A killed triggerer counts as dead after this many seconds without a heartbeat (default 30).
TRIGGERER_SETTINGS = {
    "AIRFLOW__TRIGGERER__JOB_HEARTBEAT_SEC": "1",
    "AIRFLOW__TRIGGERER__TRIGGERER_HEALTH_CHECK_THRESHOLD": "5",
}
DAG_FILE = f'''
from datetime import datetime

from airflow.sdk import DAG

from airflow_provider_hume.operators.batch import HumeBatchSubmitOperator
from airflow_provider_hume.sensors.job import HumeJobSensor

with DAG("{DAG_ID}", schedule=None, start_date=datetime(2026, 1, 1), catchup=False):
    submit = HumeBatchSubmitOperator(task_id="submit", text=["A triggerer restart, mid-wait."])
    wait = HumeJobSensor(
        task_id="wait",
        job_id="{{{{ ti.xcom_pull('submit') }}}}",
        deferrable=True,
        poke_interval=1,
        timeout={SENSOR_TIMEOUT},
    )
    submit >> wait
'''


def wait_for(what: str, check: Callable[[], T | None], timeout: float = 120) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


@dataclass
class RestartableAirflow:
    """Airflow's four components in a process group the test can reach into, and what they talk to."""

    url: str
    session: requests.Session
    group: ProcessGroup
    env: dict[str, str]
    work_dir: Path
    database_url: str
    stack: Stack

    def api(self, path: str) -> Any:
        response = self.session.get(f"{self.url}/api/v2{path}", timeout=30)
        response.raise_for_status()
        return response.json()

    def task_instance(self, run_id: str, task_id: str) -> dict[str, Any]:
        ti: dict[str, Any] = self.api(f"/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances/{task_id}")
        return ti

    def kill(self, name: str) -> None:
        """``SIGKILL`` the component's whole process group: no clean shutdown, no last heartbeat."""
        self.group.kill(name)

    def start_triggerer(self, name: str) -> None:
        args = [str(BIN / "airflow"), "triggerer", "--skip-serve-logs"]
        self.group.start(name, args, self.work_dir / f"{name}.log", env=self.env)

    def trigger_log(self, triggerer_id: int | None) -> str:
        """What the trigger logged while triggerer ``triggerer_id`` ran it (its file in the logs folder)."""
        pattern = f"dag_id={DAG_ID}/run_id=*/task_id=wait/attempt=1.log.trigger.{triggerer_id}.log"
        return "".join(path.read_text() for path in (self.work_dir / "airflow" / "logs").glob(pattern))

    def trigger_row(self) -> tuple[int, int | None, dict[str, Any]] | None:
        """The only trigger in the metadata DB, ``(id, triggerer_id, kwargs)`` or None; read with psycopg2."""
        import psycopg2
        from cryptography.fernet import Fernet

        parts = urlsplit(self.database_url)
        with (
            contextlib.closing(
                psycopg2.connect(
                    host=parts.hostname, port=parts.port, user=parts.username, dbname=parts.path.lstrip("/")
                )
            ) as connection,
            connection.cursor() as cursor,
        ):
            cursor.execute("SELECT id, triggerer_id, kwargs FROM trigger")
            rows = cursor.fetchall()
        assert len(rows) <= 1, rows
        if not rows:
            return None
        trigger_id, triggerer_id, encrypted = rows[0]
        plain = (
            encrypted  # as Airflow reads them: stored unencrypted when no component had a Fernet key
            if encrypted.startswith("{")
            else Fernet(self.env["AIRFLOW__CORE__FERNET_KEY"].encode()).decrypt(encrypted.encode()).decode()
        )
        return int(trigger_id), triggerer_id, _kwargs(json.loads(plain))


def _kwargs(serialized: Any) -> dict[str, Any]:
    """Trigger kwargs as Airflow serializes them, without the ``{"__var": ..., "__type": ...}`` wrappers."""
    if isinstance(serialized, dict) and "__var" in serialized:
        return _kwargs(serialized["__var"])
    if isinstance(serialized, dict):
        return {key: _kwargs(value) for key, value in serialized.items()}
    return serialized  # type: ignore[no-any-return]


@contextlib.contextmanager
def restartable_airflow(database_url: str, work_dir: Path) -> Iterator[RestartableAirflow]:
    """Emulator, S3 server and Airflow on ``database_url`` with this module's DAG; all stopped on exit."""
    from cryptography.fernet import Fernet

    dags = work_dir / "dags"
    dags.mkdir()
    (dags / f"{DAG_ID}.py").write_text(textwrap.dedent(DAG_FILE))
    with local_stack(work_dir, EMULATOR_FLAGS) as stack:
        home = work_dir / "airflow"
        home.mkdir()
        password = uuid.uuid4().hex
        (home / "passwords.json").write_text(json.dumps({"admin": password}))
        port = free_port()
        env = {
            **airflow_env(stack, home, port, database_url),
            **TRIGGERER_SETTINGS,
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
            "AIRFLOW__CORE__FERNET_KEY": Fernet.generate_key().decode(),
        }
        airflow = str(BIN / "airflow")
        migrated = subprocess.run(
            [airflow, "db", "migrate"], env=env, capture_output=True, text=True, check=False
        )
        if migrated.returncode != 0:
            raise StackError(
                f"airflow db migrate failed:\n{migrated.stdout[-3000:]}{migrated.stderr[-3000:]}"
            )
        group = ProcessGroup()
        try:
            components = {
                "api-server": [airflow, "api-server", "--host", "127.0.0.1", "--port", str(port)],
                "scheduler": [airflow, "scheduler", "--skip-serve-logs"],
                "dag-processor": [airflow, "dag-processor"],
            }
            for name, args in components.items():
                group.start(name, args, work_dir / f"{name}.log", env=env)
            handle = RestartableAirflow(
                f"http://127.0.0.1:{port}", requests.Session(), group, env, work_dir, database_url, stack
            )
            handle.start_triggerer("triggerer")

            def logged_in() -> bool:
                group.check_alive(work_dir)
                with contextlib.suppress(requests.RequestException):
                    token = handle.session.post(
                        f"{handle.url}/auth/token",
                        json={"username": "admin", "password": password},
                        timeout=5,
                    )
                    if token.status_code in (200, 201):
                        handle.session.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
                        return True
                return False

            wait_for("the Airflow api-server", logged_in, timeout=180)
            yield handle
        finally:
            group.stop_all()


@pytest.fixture(scope="module")
def airflow_on_postgres() -> Iterator[RestartableAirflow]:
    with postgres_server() as url:
        if url is None:
            pytest.skip("PostgreSQL server binaries not found: install Debian's 'postgresql' package")
        with (
            tempfile.TemporaryDirectory(prefix="hume-e2e-restart-") as tmp,
            restartable_airflow(url, Path(tmp)) as airflow,
        ):
            yield airflow


def test_a_triggerer_killed_mid_wait_is_replaced_and_the_sensor_succeeds_once(
    airflow_on_postgres: RestartableAirflow,
) -> None:
    airflow = airflow_on_postgres
    admin = EmulatorAdmin(airflow.stack.hume_url, airflow.stack.hume_api_key)
    wait_for(f"{DAG_ID} to be parsed", lambda: airflow.session.get(f"{airflow.url}/api/v2/dags/{DAG_ID}").ok)
    response = airflow.session.post(
        f"{airflow.url}/api/v2/dags/{DAG_ID}/dagRuns", json={"logical_date": None}, timeout=30
    )
    assert response.status_code == 200, response.text
    run_id = response.json()["dag_run_id"]
    started = time.time()

    def deferred_and_assigned() -> tuple[int, int, dict[str, Any]] | None:
        if airflow.task_instance(run_id, "wait")["state"] != "deferred":
            return None
        row = airflow.trigger_row()
        if row is None or row[1] is None:
            return None
        return row[0], row[1], row[2]

    trigger_id, first_triggerer, kwargs_before = wait_for("the sensor to defer", deferred_and_assigned)
    job_id = kwargs_before["job_id"]
    assert admin.hold_job(job_id)["status"] in ("QUEUED", "IN_PROGRESS"), "deferred before the job ended"
    assert started < kwargs_before["end_time"] - SENSOR_TIMEOUT < time.time(), "a deadline set when deferring"
    # The sensor polled once before deferring: the polls from now on are the first triggerer's.
    polls = admin.request_count(DETAILS_ROUTE)
    wait_for("the first triggerer to poll the job", lambda: admin.request_count(DETAILS_ROUTE) >= polls + 2)
    assert [job["status"] for job in admin.jobs()] in (["QUEUED"], ["IN_PROGRESS"]), "still running"

    airflow.kill("triggerer")
    airflow.start_triggerer("triggerer-restarted")

    def adopted() -> tuple[int, int | None, dict[str, Any]] | None:
        row = airflow.trigger_row()
        assert row is not None, "the trigger fired before the new triggerer was seen adopting it"
        return row if row[1] not in (None, first_triggerer) else None

    adopted_id, second_triggerer, kwargs_after = wait_for("the new triggerer to adopt the trigger", adopted)
    assert adopted_id == trigger_id, "the same trigger row, not a new deferral"
    assert [job["status"] for job in admin.jobs()] in (["QUEUED"], ["IN_PROGRESS"]), "adopted mid-wait"
    assert kwargs_after == kwargs_before, "the deadline (end_time) and every other argument unchanged"
    admin.release_job(job_id)

    def finished() -> str | None:
        state = str(airflow.api(f"/dags/{DAG_ID}/dagRuns/{run_id}")["state"])
        return state if state in ("success", "failed") else None

    assert wait_for(f"run {run_id} to finish", finished, timeout=120) == "success"
    wait_ti = airflow.task_instance(run_id, "wait")
    assert wait_ti["state"] == "success"
    assert wait_ti["try_number"] == 1, "the sensor was not retried: its trigger carried on"
    xcom = airflow.api(f"/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances/wait/xcomEntries/return_value")
    assert job_id in str(xcom["value"])
    assert admin.jobs_created() == 1, "exactly one Hume job"
    assert [job["job_id"] for job in admin.jobs()] == [job_id]
    first_log, second_log = (
        airflow.trigger_log(triggerer) for triggerer in (first_triggerer, second_triggerer)
    )
    assert f"(ID {trigger_id}) starting" in first_log, "the first triggerer ran the trigger..."
    assert f"Hume job {job_id} is IN_PROGRESS" in first_log
    assert "completed" not in first_log
    assert f"(ID {trigger_id}) starting" in second_log, "... and the new one ran it to the end"
    assert f"Hume job {job_id} completed: 1 predictions, 0 errors." in second_log
    admin.close()
