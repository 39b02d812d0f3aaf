"""``HumeJobTrigger``: primitive kwargs that survive serialization, and exactly one event per run."""

from __future__ import annotations

import asyncio
from typing import Any

from airflow.sdk import Connection

from airflow_provider_hume.client import HumeServerError
from airflow_provider_hume.hooks.hume import HumeHook
from airflow_provider_hume.triggers.job import HumeJobTrigger
from tests.unit.airflow.conftest import Logs
from tests.unit.airflow.stubs import API_KEY, JOB_ID, START, AsyncStubClient, FakeClock, Script, StubHook


def events(trigger: HumeJobTrigger) -> list[dict[str, Any]]:
    async def run() -> list[dict[str, Any]]:
        return [event.payload async for event in trigger.run()]

    return asyncio.run(run())


def trigger_with(hook: HumeHook, timeout: float = 60.0, poll_interval: float = 10.0) -> HumeJobTrigger:
    trigger = HumeJobTrigger(JOB_ID, "hume_stub", end_time=START + timeout, poll_interval=poll_interval)
    trigger.hook = hook
    return trigger


def test_serialize_round_trip_keeps_primitive_kwargs() -> None:
    trigger = HumeJobTrigger(job_id="j-1", hume_conn_id="hume_x", end_time=1_800_000_000.5, poll_interval=7.0)
    classpath, kwargs = trigger.serialize()
    assert classpath == "airflow_provider_hume.triggers.job.HumeJobTrigger"
    assert kwargs == {
        "job_id": "j-1",
        "hume_conn_id": "hume_x",
        "end_time": 1_800_000_000.5,
        "poll_interval": 7.0,
        "max_consecutive_poll_errors": 43,
    }
    assert all(type(v) in (str, int, float) for v in kwargs.values())
    assert HumeJobTrigger(**kwargs).serialize() == (classpath, kwargs)


def test_one_success_event_after_polling_between_sleeps(logs: Logs) -> None:
    hook = StubHook(Script(["QUEUED", "IN_PROGRESS", "COMPLETED"]), FakeClock())
    (event,) = events(trigger_with(hook, poll_interval=5.0))
    assert (event["status"], event["job_id"], event["job_status"]) == ("success", JOB_ID, "COMPLETED")
    assert (hook.script.polls, hook.clock.sleeps) == (3, [5.0, 5.0])
    assert f"Hume job {JOB_ID} is IN_PROGRESS" in logs.text


def test_the_deadline_is_absolute() -> None:
    clock = FakeClock(START + 55.0)  # e.g. a triggerer restarted 55 s into a 60 s wait
    hook = StubHook(Script(["QUEUED"]), clock)
    (event,) = events(trigger_with(hook, timeout=60.0, poll_interval=10.0))
    assert event["status"] == "timeout"
    assert clock.sleeps == [5.0]
    assert clock.now == START + 60.0


def test_server_errors_are_polled_through_and_slept_on() -> None:
    hook = StubHook(Script([HumeServerError("Hume server error (HTTP 503)", 503), "COMPLETED"]), FakeClock())
    (event,) = events(trigger_with(hook))
    assert event["status"] == "success"
    assert hook.clock.sleeps == [10.0]


class NoConnectionHook(StubHook):
    async def get_async_client(self, **overrides: Any) -> AsyncStubClient:
        raise ValueError("Connection 'hume_stub' has no API key: put the Hume API key in its password field.")


def test_a_connection_error_is_one_error_event() -> None:
    hook = NoConnectionHook(Script(), FakeClock())
    (event,) = events(trigger_with(hook))
    assert event == {
        "status": "error",
        "job_id": JOB_ID,
        "message": "Connection 'hume_stub' has no API key: put the Hume API key in its password field.",
        "final": True,
    }
    assert hook.script.polls == 0


def test_a_connection_without_a_key_read_by_the_real_hook_is_one_error_event() -> None:
    class Hook(HumeHook):
        @classmethod
        async def aget_connection(cls, conn_id: str) -> Connection:
            return Connection(conn_id=conn_id, conn_type="hume", host="http://hume.stub")

    (event,) = events(trigger_with(Hook("hume_stub")))
    assert event["status"] == "error"
    assert "'hume_stub' has no API key" in event["message"]
    assert API_KEY not in str(event)
