"""``HumeJobSensor(mode="reschedule")`` inside ``dag.test()``: each poke is a fresh run of the task.

``dag.test()`` runs a rescheduled sensor the way the scheduler does: the poke raises a reschedule, the task
instance waits ``UP_FOR_RESCHEDULE`` until its reschedule date (the loop checks about once a second) and
then runs again, as a fresh copy of the operator with the same try number. These tests use an emulator of
their own on a clock they move: its jobs run until the test has seen the pokes it wants, then end at once.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import requests
from airflow.sdk import DAG

from airflow_provider_hume.emulator.admin_client import EmulatorAdmin
from airflow_provider_hume.emulator.server import EmulatorServer
from airflow_provider_hume.sensors.job import HumeJobSensor
from tests.support.airflow_versions import needs_task_state_store

START = datetime(2026, 1, 1)
DETAILS_ROUTE = "GET /v0/batch/jobs/{job_id}"
#: Jobs run for an hour on the emulator's clock: they end when a test moves that clock past it.
RUN_SECONDS = 3600.0


class MovableClock:
    """Wall-clock time plus an offset the test can move forward."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def skip_past_every_job(self) -> None:
        self.offset += 2 * RUN_SECONDS


class SlowEmulator:
    """An emulator of this module's own, its admin client and the ``hume`` connection JSON for it."""

    def __init__(self, server: EmulatorServer, api_key: str, clock: MovableClock) -> None:
        self.server = server
        self.clock = clock
        self.url = server.url
        self.api_key = api_key
        self.admin = EmulatorAdmin(server.url, api_key)

    def connection(self, **extra: Any) -> str:
        return json.dumps({"conn_type": "hume", "host": self.url, "password": self.api_key, "extra": extra})

    def submit(self) -> str:
        response = requests.post(
            f"{self.url}/v0/batch/jobs",
            json={"text": ["A calm and happy day."], "models": {"language": {}}},
            headers={"X-Hume-Api-Key": self.api_key},
            timeout=10,
        )
        response.raise_for_status()
        return str(response.json()["job_id"])

    def polls(self) -> int:
        return self.admin.request_count(DETAILS_ROUTE)

    def end_jobs_after(self, polls: int) -> threading.Thread:
        """Move the clock past every job once ``polls`` more polls of job details were answered.

        Watches the emulator's counters from a thread, as the sensor pokes in the test's own thread.
        """
        target = self.polls() + polls

        def watch() -> None:
            deadline = time.monotonic() + 60
            while self.polls() < target and time.monotonic() < deadline:
                time.sleep(0.05)
            self.clock.skip_past_every_job()

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        return watcher


@pytest.fixture(scope="module")
def slow_emulator() -> Iterator[SlowEmulator]:
    api_key = secrets.token_hex(24)
    clock = MovableClock()
    with EmulatorServer(
        api_keys=[api_key], queue_seconds=0.5, run_seconds=RUN_SECONDS, clock=clock
    ) as server:
        emulator = SlowEmulator(server, api_key, clock)
        try:
            yield emulator
        finally:
            emulator.admin.close()


@pytest.fixture
def slow_hume(
    connections: None, slow_emulator: SlowEmulator, monkeypatch: pytest.MonkeyPatch
) -> SlowEmulator:
    """``hume_default`` pointing at the slow emulator, whose client retries nothing on its own.

    ``max_retries=0`` makes every 5xx the emulator injects cost one poke (one reschedule), instead of being
    absorbed by the HTTP client's own retries inside a single poke.
    """
    monkeypatch.setenv("AIRFLOW_CONN_HUME_DEFAULT", slow_emulator.connection(max_retries=0, timeout=5))
    slow_emulator.admin.set_faults()
    return slow_emulator


def _reschedules(dag_id: str) -> int:
    """How many times the sensor's task instance of ``dag_id``'s latest run was rescheduled."""
    from airflow.models import DagRun, TaskInstance
    from airflow.models.taskreschedule import TaskReschedule
    from airflow.utils.session import create_session

    with create_session() as session:
        run = session.query(DagRun).filter_by(dag_id=dag_id).order_by(DagRun.id.desc()).first()
        assert run is not None
        ti = session.query(TaskInstance).filter_by(dag_id=dag_id, run_id=run.run_id, task_id="wait").one()
        return int(session.query(TaskReschedule).filter_by(ti_id=ti.id).count())


def _sensor_dag(job_id: str, **kwargs: Any) -> DAG:
    with DAG(f"sensor_reschedule_{uuid.uuid4().hex[:8]}", schedule=None, start_date=START) as dag:
        HumeJobSensor(task_id="wait", job_id=job_id, mode="reschedule", poke_interval=1, **kwargs)
    return dag


def test_a_job_that_finishes_after_a_few_reschedules_succeeds_with_its_id(
    slow_hume: SlowEmulator, run_dag: Any
) -> None:
    job_id = slow_hume.submit()
    polls_before = slow_hume.polls()
    slow_hume.end_jobs_after(polls=3)
    dag = _sensor_dag(job_id, timeout=120)
    outcome = run_dag(dag)
    polls = slow_hume.polls() - polls_before
    reschedules = _reschedules(dag.dag_id)
    assert outcome["wait"]["state"] == "success"
    assert outcome["wait"]["xcom"]["return_value"] == job_id
    assert outcome["wait"]["try_number"] == 1, "a reschedule is not a retry"
    assert reschedules >= 3, "the job was running at the first three pokes"
    assert polls == reschedules + 1, "one poll of the job per poke: each reschedule, then the last poke"
    assert [job["status"] for job in slow_hume.admin.jobs() if job["job_id"] == job_id] == ["COMPLETED"]


def test_a_failed_job_fails_the_rescheduled_sensor_with_humes_message(
    slow_hume: SlowEmulator, run_dag: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    """The job fails after two reschedules: the next poke fails the task, once, with Hume's message."""
    job_id = slow_hume.submit()
    message = "user 'abcde' has exceeded their usage limit"
    slow_hume.admin.fail_job(job_id, message)  # the job will end FAILED, when it ends
    slow_hume.end_jobs_after(polls=2)
    dag = _sensor_dag(job_id, timeout=120)
    outcome = run_dag(dag)
    out = capfd.readouterr().out
    assert outcome["wait"]["state"] == "failed"
    assert _reschedules(dag.dag_id) >= 2
    assert f"Hume job {job_id} failed: {message}" in out
    assert slow_hume.api_key not in out


def test_transient_503s_on_the_job_details_are_polled_through(
    slow_hume: SlowEmulator, run_dag: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    """Three 503s in a row, each one poke (the client retries nothing): logged, then the job is found done."""
    job_id = slow_hume.submit()
    faulted_before = slow_hume.admin.request_count(DETAILS_ROUTE, status=503)
    slow_hume.end_jobs_after(polls=3)
    with slow_hume.admin.faults_injected(error_rate=1, error_statuses=[503], routes=[DETAILS_ROUTE], times=3):
        dag = _sensor_dag(job_id, timeout=120)
        outcome = run_dag(dag)
        faulted = slow_hume.admin.request_count(DETAILS_ROUTE, status=503) - faulted_before
    out = capfd.readouterr().out
    assert outcome["wait"]["state"] == "success"
    assert outcome["wait"]["xcom"]["return_value"] == job_id
    assert outcome["wait"]["try_number"] == 1
    assert faulted == 3
    assert _reschedules(dag.dag_id) == 3, "each failed poll is a poke that reschedules"
    assert out.count(f"Polling Hume job {job_id} failed, will poll again") == 3
    assert "HTTP 503" in out


def test_503s_that_never_stop_end_in_the_sensor_timeout(
    slow_hume: SlowEmulator, run_dag: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    """The same fault made permanent: every poke logs the 503, and the sensor's timeout ends the wait
    (the error budget, five minutes' worth by default, is far from spent)."""
    job_id = slow_hume.submit()
    slow_hume.clock.skip_past_every_job()  # the job is done: only the 503s stand in the way
    with slow_hume.admin.faults_injected(error_rate=1, error_statuses=[503], routes=[DETAILS_ROUTE]):
        dag = _sensor_dag(job_id, timeout=3, retries=2, retry_delay=0)
        outcome = run_dag(dag)
    out = capfd.readouterr().out
    assert outcome["wait"]["state"] == "failed"
    assert outcome["wait"]["try_number"] == 1, "a sensor timeout is not retried"
    assert "Sensor has timed out" in out
    assert out.count(f"Polling Hume job {job_id} failed, will poll again") >= 2
    assert slow_hume.api_key not in out


@needs_task_state_store
def test_503s_that_never_stop_spend_the_error_budget_across_reschedules(
    slow_hume: SlowEmulator, run_dag: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    """Each poke is a fresh sensor; the count of failed polls in a row is carried in the task state store."""
    job_id = slow_hume.submit()
    slow_hume.clock.skip_past_every_job()
    with slow_hume.admin.faults_injected(error_rate=1, error_statuses=[503], routes=[DETAILS_ROUTE]):
        dag = _sensor_dag(job_id, timeout=120, max_consecutive_poll_errors=2)
        outcome = run_dag(dag)
    out = capfd.readouterr().out
    assert outcome["wait"]["state"] == "failed"
    assert f"Stopped waiting for Hume job {job_id} after 3 failed polls in a row" in out
    assert _reschedules(dag.dag_id) == 2, "two failed pokes rescheduled, the third spent the budget"
