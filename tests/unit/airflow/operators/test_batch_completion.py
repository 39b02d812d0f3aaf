"""``HumeBatchSubmitOperator``'s end of the wait: a job that COMPLETED with failed sources.

Both ways the operator waits (on the worker, and resumed from the trigger's event) log each failed source;
``on_source_error="fail"`` fails the task naming them. Predictions are read only when Hume counted errors.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from airflow.sdk.exceptions import AirflowException, AirflowFailException

from airflow_provider_hume.client import HumeConnectionError, HumeValidationError
from airflow_provider_hume.operators.batch import HumeBatchSubmitOperator
from airflow_provider_hume.triggers.job import HumeJobTrigger
from tests.unit.airflow.conftest import Logs
from tests.unit.airflow.sensors.predictions_stubs import (
    BAD_URL_SHOWN,
    BODY,
    PredictionsHook,
    completed,
)
from tests.unit.airflow.stubs import JOB_ID, context


def operator(hook: PredictionsHook, **kwargs: Any) -> HumeBatchSubmitOperator:
    task = HumeBatchSubmitOperator(
        task_id="submit", text=["x"], wait_for_completion=True, poll_interval=10, timeout=60, **kwargs
    )
    task.hook = hook
    return task


def wait_on_worker(hook: PredictionsHook, **kwargs: Any) -> Any:
    return operator(hook, deferrable=False, **kwargs).poll_until_complete(JOB_ID, context())


def trigger_event(hook: PredictionsHook) -> dict[str, Any]:
    trigger = HumeJobTrigger(JOB_ID, "hume_stub", end_time=hook.clock() + 60, poll_interval=10)
    trigger.hook = hook

    async def run() -> list[dict[str, Any]]:
        return [event.payload async for event in trigger.run()]

    (event,) = asyncio.run(run())
    return event


def resume_after_trigger(hook: PredictionsHook, **kwargs: Any) -> Any:
    return operator(hook, deferrable=True, **kwargs).execute_complete(context(), trigger_event(hook))


PATHS = {"on the worker": wait_on_worker, "resumed after the trigger": resume_after_trigger}


def test_the_triggers_success_event_carries_num_errors() -> None:
    event = trigger_event(PredictionsHook([completed(2)]))
    assert (event["status"], event["num_errors"]) == ("success", 2)


@pytest.mark.parametrize("path", PATHS.values(), ids=PATHS.keys())
def test_warn_logs_each_failed_source_and_succeeds(path: Any, logs: Logs) -> None:
    hook = PredictionsHook(["IN_PROGRESS", completed(2)])
    path(hook)
    warnings = logs.at("warning")
    assert hook.opened == [JOB_ID]
    assert f"{BAD_URL_SHOWN}: could not download {BAD_URL_SHOWN}" in warnings
    assert "faces.zip [faces/notes.bin]: Failed to parse data as a valid media file." in warnings
    assert "clip.wav" not in warnings, "a source without errors is not reported"
    assert f"Hume job {JOB_ID} completed with 2 failed input(s) in 2 of 3 source(s)" in warnings
    assert "secret-signature" not in logs.text


def test_warn_is_the_default() -> None:
    assert operator(PredictionsHook([completed(2)])).on_source_error == "warn"


@pytest.mark.parametrize("path", PATHS.values(), ids=PATHS.keys())
def test_fail_raises_naming_how_many_failed_and_which(path: Any) -> None:
    hook = PredictionsHook([completed(2)])
    with pytest.raises(AirflowFailException) as info:
        path(hook, on_source_error="fail")
    message = str(info.value)
    assert f"Hume job {JOB_ID} completed with 2 failed input(s) in 2 of 3 source(s)" in message
    assert BAD_URL_SHOWN in message
    assert "faces.zip [faces/notes.bin]" in message
    assert "secret-signature" not in message


@pytest.mark.parametrize("path", PATHS.values(), ids=PATHS.keys())
@pytest.mark.parametrize("num_errors", [0, None], ids=["no errors", "not counted"])
def test_predictions_are_never_opened_without_errors(path: Any, num_errors: int | None) -> None:
    hook = PredictionsHook([completed(num_errors)], body=RuntimeError("predictions must not be opened"))
    path(hook, on_source_error="fail")
    assert hook.opened == []


def test_not_waiting_reads_nothing() -> None:
    hook = PredictionsHook([completed(2)])
    task = HumeBatchSubmitOperator(task_id="submit", text=["x"], wait_for_completion=False)
    task.hook = hook
    task.poll_until_complete(JOB_ID, context())
    assert (hook.script.polls, hook.opened) == (0, [])


@pytest.mark.parametrize("value", ["ignore", "FAIL", None, True])
def test_an_unknown_on_source_error_is_refused_at_construction(value: Any) -> None:
    with pytest.raises(ValueError, match="on_source_error must be 'warn' or 'fail'") as info:
        HumeBatchSubmitOperator(task_id="submit", text=["x"], on_source_error=value)
    assert isinstance(info.value, HumeValidationError)


def test_many_failures_are_logged_up_to_fifty_then_counted(logs: Logs) -> None:
    body = [
        {"source": {"type": "url", "url": f"http://127.0.0.1:9/{n}.mp4"}, "error": f"broken {n}"}
        for n in range(120)
    ]
    wait_on_worker(PredictionsHook([completed(120)], body=body))
    lines = [line for line in logs.at("warning").splitlines() if "input failed: " in line]
    assert len(lines) == 50
    assert lines[0].endswith("http://127.0.0.1:9/0.mp4: broken 0")
    assert f"Hume job {JOB_ID}: ... and 70 more failed input(s)" in logs.text


def test_fail_names_the_first_five_and_counts_the_rest() -> None:
    body = [{"source": {"type": "file", "filename": f"f{n}.wav"}, "error": "bad"} for n in range(8)]
    with pytest.raises(AirflowFailException) as info:
        wait_on_worker(PredictionsHook([completed(8)], body=body), on_source_error="fail")
    message = str(info.value)
    assert "f4.wav: bad; and 3 more" in message
    assert "f5.wav" not in message


def test_unreadable_predictions_warn_and_succeed(logs: Logs) -> None:
    hook = PredictionsHook([completed(2)], body=HumeConnectionError("connection reset"))
    wait_on_worker(hook)
    assert "its predictions could not be read" in logs.at("warning")
    assert "connection reset" in logs.at("warning")


def test_unreadable_predictions_fail_retryably_with_fail() -> None:
    hook = PredictionsHook([completed(2)], body=b'[{"source": {"type": "text"}, "error": "x"')
    with pytest.raises(AirflowException, match="predictions could not be read") as info:
        wait_on_worker(hook, on_source_error="fail")
    assert not isinstance(info.value, AirflowFailException), "a broken read may pass: the task can retry"


def test_errors_counted_but_not_named_still_fail_with_fail() -> None:
    hook = PredictionsHook([completed(1)], body=[BODY[2]])
    with pytest.raises(AirflowFailException, match="predictions name no failed input"):
        wait_on_worker(hook, on_source_error="fail")
