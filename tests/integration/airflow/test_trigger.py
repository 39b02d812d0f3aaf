"""HumeJobTrigger run directly on an event loop against the emulator (only sleeps are faked)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import requests

from airflow_provider_hume.triggers.job import HumeJobTrigger
from tests.support.recording_hook import RecordingSleepHook


@pytest.fixture
def hume_conn(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    conn = {"conn_type": "hume", "host": emulator.url, "password": emulator.api_key}
    monkeypatch.setenv("AIRFLOW_CONN_HUME_TRIGGER_TEST", json.dumps(conn))
    return "hume_trigger_test"


@pytest.fixture
def sleeps() -> list[float]:
    """The sleeps of the triggers run through :func:`_events`."""
    return []


def _submit(emulator: Any) -> str:
    response = requests.post(
        f"{emulator.url}/v0/batch/jobs",
        json={"text": ["Trigger test"]},
        headers={"X-Hume-Api-Key": emulator.api_key},
        timeout=10,
    )
    response.raise_for_status()
    return str(response.json()["job_id"])


async def _events(trigger: HumeJobTrigger, sleeps: list[float]) -> list[dict[str, Any]]:
    trigger.hook = RecordingSleepHook(trigger.hume_conn_id, sleeps, real_seconds=0.05)
    return [event.payload async for event in trigger.run()]


async def test_yields_exactly_one_success_event(emulator: Any, hume_conn: str, sleeps: list[float]) -> None:
    job_id = _submit(emulator)
    trigger = HumeJobTrigger(
        job_id=job_id, hume_conn_id=hume_conn, end_time=time.time() + 60, poll_interval=3
    )
    events = await _events(trigger, sleeps)
    assert len(events) == 1
    assert events[0]["status"] == "success"
    assert events[0]["job_id"] == job_id
    assert sleeps
    assert all(s == 3 for s in sleeps)


async def test_failed_job_yields_failed_event_with_hume_message(
    emulator: Any, hume_conn: str, sleeps: list[float]
) -> None:
    job_id = _submit(emulator)
    emulator.server.state.fail_job(job_id, "out of credits")
    events = await _events(
        HumeJobTrigger(job_id, hume_conn, end_time=time.time() + 60, poll_interval=1), sleeps
    )
    assert [e["status"] for e in events] == ["failed"]
    assert events[0]["hume_message"] == "out of credits"
    assert job_id in events[0]["message"]


async def test_deadline_is_absolute(emulator: Any, hume_conn: str, sleeps: list[float]) -> None:
    job_id = _submit(emulator)
    emulator.server.state.hold_job(job_id)
    events = await _events(
        HumeJobTrigger(job_id, hume_conn, end_time=time.time() - 1, poll_interval=5), sleeps
    )
    assert [e["status"] for e in events] == ["timeout"]
    assert sleeps == []


async def test_unknown_job_yields_error_without_polling_again(
    emulator: Any, hume_conn: str, sleeps: list[float]
) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    events = await _events(
        HumeJobTrigger(missing, hume_conn, end_time=time.time() + 60, poll_interval=1), sleeps
    )
    assert [e["status"] for e in events] == ["error"]
    assert "job not found" in events[0]["message"].lower() or "not found" in events[0]["message"].lower()
    assert sleeps == []


async def test_wrong_key_yields_error_that_hides_the_key(
    emulator: Any, monkeypatch: pytest.MonkeyPatch, sleeps: list[float]
) -> None:
    wrong = "not-the-key-5e1f0c9a7b3d4e2f8a6c0b1d9e7f3a5c"
    monkeypatch.setenv(
        "AIRFLOW_CONN_HUME_BAD", json.dumps({"conn_type": "hume", "host": emulator.url, "password": wrong})
    )
    events = await _events(
        HumeJobTrigger("any-job", "hume_bad", end_time=time.time() + 60, poll_interval=1), sleeps
    )
    assert [e["status"] for e in events] == ["error"]
    assert wrong not in json.dumps(events)


async def test_sleeps_between_polls_after_transient_errors(
    monkeypatch: pytest.MonkeyPatch, sleeps: list[float]
) -> None:
    """A server that is down: every poll fails after the client's retries, and the trigger still sleeps."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    conn = {
        "conn_type": "hume",
        "host": f"http://127.0.0.1:{closed_port}",
        "password": "k",
        "extra": {"max_retries": 0},
    }
    monkeypatch.setenv("AIRFLOW_CONN_HUME_DOWN", json.dumps(conn))
    trigger = HumeJobTrigger("job", "hume_down", end_time=time.time() + 0.5, poll_interval=0.1)
    assert trigger.poll_interval == 1, "polls are at least a second apart"
    events = await _events(trigger, sleeps)
    assert [e["status"] for e in events] == ["timeout"]
    assert "ConnectionError" in events[0]["message"] or "connect" in events[0]["message"].lower()
    assert len(sleeps) >= 2
    assert all(0 < s <= 0.5 for s in sleeps), "every sleep is cut short by the deadline"
