"""One table of server behaviours through every path that waits for a job: they all end the same way.

The paths: the submit operator waiting on the worker, the sensor in poke mode, and the trigger (in the
triggerer) whose event resumes the deferred operator and the deferred sensor. ``final`` means the task fails
without retries (``AirflowFailException``). Each path gets a stub client
through its hook with the same scripted answers and a fake clock; only time is faked.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Any

import pytest
from airflow.sdk.bases import sensor as sensor_base
from airflow.sdk.exceptions import AirflowException, AirflowFailException, AirflowSensorTimeout

from airflow_provider_hume.client import (
    HumeAuthError,
    HumeConnectionError,
    HumeError,
    HumeJobFailedError,
    HumeNotFoundError,
    HumeRateLimitError,
    HumeServerError,
)
from airflow_provider_hume.operators.batch import HumeBatchSubmitOperator
from airflow_provider_hume.sensors.job import HumeJobSensor
from airflow_provider_hume.triggers.events import HumeJobTimeoutError
from airflow_provider_hume.triggers.job import HumeJobTrigger
from tests.unit.airflow.stubs import JOB_ID, Answer, FakeClock, Script, StubHook, context

POLL = 10.0
TIMEOUT = 60.0
ERROR_BUDGET = 4


def unreadable() -> HumeError:
    return HumeError("Hume returned job details that are not a JSON object: '<html>'")


BEHAVIOURS: dict[str, tuple[Sequence[Answer], str, str]] = {
    "queued, running, completed": (["QUEUED", "IN_PROGRESS", "COMPLETED"], "success", ""),
    "failed with Hume's message": (["QUEUED", "FAILED:bad media"], "failed", "bad media"),
    "server errors, then completed": (
        [HumeServerError("Hume server error (HTTP 503)", 503), HumeConnectionError("reset"), "COMPLETED"],
        "success",
        "",
    ),
    "throttled, then completed": ([HumeRateLimitError("rate limit hit"), "COMPLETED"], "success", ""),
    "an unreadable answer, then completed": ([unreadable(), "IN_PROGRESS", "COMPLETED"], "success", ""),
    "unreadable answers, budget spent": ([unreadable()], "error", "5 failed polls in a row"),
    "unreadable answers between good ones": (
        [unreadable(), unreadable(), "IN_PROGRESS", unreadable(), unreadable(), unreadable(), "COMPLETED"],
        "success",
        "",
    ),
    "key rejected": ([HumeAuthError("Hume rejected the API key (HTTP 401)", 401)], "final", "rejected"),
    "job unknown": ([HumeNotFoundError("Hume job not found (HTTP 404)", 404)], "final", "not found"),
    "queued past the deadline": (["QUEUED"], "timeout", "last status QUEUED"),
    "server down, budget spent": (
        ["IN_PROGRESS", HumeServerError("Hume server error (HTTP 502)", 502)],
        "error",
        "job-1 after 5 failed polls in a row (max_consecutive_poll_errors=4); last error: Hume server error",
    ),
    "errors within budget past the deadline": (
        ["IN_PROGRESS", HumeServerError("Hume server error (HTTP 502)", 502), "IN_PROGRESS", unreadable()],
        "timeout",
        "last status IN_PROGRESS; last error: Hume returned job details that are not a JSON object",
    ),
}


def outcome(run: Callable[[], Any]) -> tuple[str, str]:
    """``(kind, message)`` of how a path ended: what it returned or raised."""
    try:
        result = run()
    except HumeJobFailedError as err:
        return "failed", str(err)
    except (HumeJobTimeoutError, AirflowSensorTimeout) as err:
        return "timeout", str(err)
    except AirflowFailException as err:
        return "final", str(err)
    except AirflowException as err:
        return "error", str(err)
    assert result == JOB_ID
    return "success", ""


def operator_on_worker(hook: StubHook) -> Any:
    op = HumeBatchSubmitOperator(
        task_id="submit",
        text=["x"],
        wait_for_completion=True,
        deferrable=False,
        poll_interval=POLL,
        max_consecutive_poll_errors=ERROR_BUDGET,
        timeout=TIMEOUT,
    )
    op.hook = hook
    return op.execute(context())


def sensor_poking(hook: StubHook, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(sensor_base, "time", SimpleNamespace(monotonic=hook.clock, sleep=hook.clock.sleep))
    sensor = HumeJobSensor(
        task_id="wait",
        job_id=JOB_ID,
        poke_interval=POLL,
        max_consecutive_poll_errors=ERROR_BUDGET,
        timeout=TIMEOUT,
        mode="poke",
    )
    sensor.hook = hook
    return sensor.execute(context())


def trigger_event(hook: StubHook) -> dict[str, Any]:
    trigger = HumeJobTrigger(
        JOB_ID,
        "hume_stub",
        end_time=hook.clock() + TIMEOUT,
        poll_interval=POLL,
        max_consecutive_poll_errors=ERROR_BUDGET,
    )
    trigger.hook = hook

    async def run() -> list[dict[str, Any]]:
        return [event.payload async for event in trigger.run()]

    events = asyncio.run(run())
    assert len(events) == 1, events
    return events[0]


def operator_deferred(hook: StubHook) -> Any:
    op = HumeBatchSubmitOperator(task_id="submit", text=["x"], wait_for_completion=True, deferrable=True)
    return op.execute_complete(context(), trigger_event(hook))


def sensor_deferred(hook: StubHook) -> Any:
    sensor = HumeJobSensor(task_id="wait", job_id=JOB_ID, deferrable=True)
    return sensor.execute_complete(context(), trigger_event(hook))


@pytest.mark.parametrize("behaviour", list(BEHAVIOURS))
def test_every_path_ends_the_same_way(behaviour: str, monkeypatch: pytest.MonkeyPatch) -> None:
    answers, kind, fragment = BEHAVIOURS[behaviour]
    runs: dict[str, Callable[[StubHook], Any]] = {
        "operator on the worker": operator_on_worker,
        "sensor poking": lambda hook: sensor_poking(hook, monkeypatch),
        "operator deferred": operator_deferred,
        "sensor deferred": sensor_deferred,
    }
    ends = {}
    for path, run in runs.items():
        hook = StubHook(Script(answers), FakeClock())
        ends[path] = (*outcome(lambda run=run, hook=hook: run(hook)), hook.script.polls, hook.clock.sleeps)
    for path, (got_kind, message, _, _) in ends.items():
        assert got_kind == kind, f"{path}: {message}"
        assert fragment in message, f"{path}: {message}"
    polls_and_sleeps = {(polls, tuple(sleeps)) for _, _, polls, sleeps in ends.values()}
    assert len(polls_and_sleeps) == 1, f"the paths polled differently: {ends}"
    assert all(0 < sleep <= POLL for sleep in next(iter(polls_and_sleeps))[1])
