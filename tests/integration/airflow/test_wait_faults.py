"""Waits under faults from the emulator: deadlines that hold, errors that are named, bad configuration final.

The trigger runs on a real event loop against the emulator; its sleeps are recorded (and really slept), so
the tests check what the trigger decided (which sleeps, which event) rather than how long it took.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import requests
from airflow.sdk import DAG

from airflow_provider_hume.emulator.admin_client import EmulatorAdmin
from airflow_provider_hume.operators.batch import HumeBatchSubmitOperator
from airflow_provider_hume.triggers.job import HumeJobTrigger
from tests.support.recording_hook import RecordingSleepHook

DETAILS_ROUTE = "GET /v0/batch/jobs/{job_id}"
START = datetime(2026, 1, 1)


@pytest.fixture
def admin(emulator: Any) -> Iterator[EmulatorAdmin]:
    with EmulatorAdmin(emulator.url, emulator.api_key) as client:
        yield client


@pytest.fixture
def hume_conn(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    conn = {
        "conn_type": "hume",
        "host": emulator.url,
        "password": emulator.api_key,
        "extra": {"timeout": 5, "max_retries": 1},
    }
    monkeypatch.setenv("AIRFLOW_CONN_HUME_FAULTS", json.dumps(conn))
    return "hume_faults"


def _submit(emulator: Any) -> str:
    response = requests.post(
        f"{emulator.url}/v0/batch/jobs",
        json={"text": ["Deadline test"]},
        headers={"X-Hume-Api-Key": emulator.api_key},
        timeout=10,
    )
    response.raise_for_status()
    return str(response.json()["job_id"])


def _run(trigger: HumeJobTrigger, sleeps: list[float]) -> list[dict[str, Any]]:
    trigger.hook = RecordingSleepHook(trigger.hume_conn_id, sleeps)

    async def collect() -> list[dict[str, Any]]:
        return [event.payload async for event in trigger.run()]

    return asyncio.run(collect())


def test_a_retry_after_beyond_the_deadline_is_not_waited_for(
    emulator: Any, admin: EmulatorAdmin, hume_conn: str
) -> None:
    """429 with ``Retry-After: 10`` on every poll, deadline 3 s away: a timeout that names the throttling."""
    job_id = _submit(emulator)
    sleeps: list[float] = []
    with admin.faults_injected(rate_limit=0.1, routes=[DETAILS_ROUTE]):
        admin.update_faults(rate_limit=0.1)  # refills the bucket: the first poll is served, then 429s
        trigger = HumeJobTrigger(job_id, hume_conn, end_time=time.time() + 3, poll_interval=1)
        events = _run(trigger, sleeps)
    assert [event["status"] for event in events] == ["timeout"]
    assert "rate limit" in events[0]["message"]
    assert job_id in events[0]["message"]
    assert sleeps, "the trigger sleeps between polls"
    assert max(sleeps) <= 1, f"a Retry-After past the deadline was slept: {sleeps}"
    assert sum(sleeps) <= 3


def test_server_errors_end_the_wait_after_the_error_budget(
    emulator: Any, admin: EmulatorAdmin, hume_conn: str
) -> None:
    job_id = _submit(emulator)
    sleeps: list[float] = []
    with admin.faults_injected(error_rate=1, error_statuses=[503], routes=[DETAILS_ROUTE]):
        before = admin.request_count(DETAILS_ROUTE)
        trigger = HumeJobTrigger(
            job_id, hume_conn, end_time=time.time() + 60, poll_interval=1, max_consecutive_poll_errors=2
        )
        events = _run(trigger, sleeps)
        polls = admin.request_count(DETAILS_ROUTE) - before
    assert [event["status"] for event in events] == ["error"]
    message = events[0]["message"]
    assert f"Hume job {job_id} after 3 failed polls in a row" in message
    assert "HTTP 503" in message
    assert "final" not in events[0], "an error budget spent is worth a task retry"
    assert polls == 3 * (1 + 1), "each failed poll is the client's request plus its one retry"


def test_a_tls_failure_is_final_and_says_what_to_check(
    emulator: Any, connections: None, run_dag: Any, monkeypatch: pytest.MonkeyPatch, capfd: Any
) -> None:
    """An ``https://`` base URL for a plain-HTTP server: the submit fails once, naming TLS and the scheme."""
    jobs_before = len(emulator.server.state.job_ids())
    https_url = emulator.url.replace("http://", "https://")
    conn = {"conn_type": "hume", "host": https_url, "password": emulator.api_key}
    monkeypatch.setenv("AIRFLOW_CONN_HUME_DEFAULT", json.dumps(conn))
    with DAG("wait_faults_tls", schedule=None, start_date=START) as dag:
        HumeBatchSubmitOperator(task_id="submit", text=["Hello"], retries=2, retry_delay=0)
    outcome = run_dag(dag)
    output = capfd.readouterr().out
    assert outcome["submit"]["state"] == "failed"
    assert outcome["submit"]["try_number"] == 1, "a TLS failure must not be retried"
    assert f"The TLS handshake with {https_url} failed" in output
    assert "https:// or http://" in output
    assert len(emulator.server.state.job_ids()) == jobs_before
    assert emulator.api_key not in output


def test_a_connection_without_a_key_is_final(
    emulator: Any, connections: None, run_dag: Any, monkeypatch: pytest.MonkeyPatch, capfd: Any
) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_HUME_DEFAULT", json.dumps({"conn_type": "hume", "host": emulator.url}))
    with DAG("wait_faults_no_key", schedule=None, start_date=START) as dag:
        HumeBatchSubmitOperator(task_id="submit", text=["Hello"], retries=2, retry_delay=0)
    outcome = run_dag(dag)
    assert outcome["submit"]["state"] == "failed"
    assert outcome["submit"]["try_number"] == 1, "a connection without a key must not be retried"
    assert "has no API key" in capfd.readouterr().out
