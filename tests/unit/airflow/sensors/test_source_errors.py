"""``HumeJobSensor`` on a job that COMPLETED with failed sources, in every mode it waits in.

Poke and reschedule end in the poke that sees COMPLETED; deferrable ends in ``execute_complete`` with the
trigger's event (or in the first poke, when the job is already done). All log each failed source, and
``on_source_error="fail"`` fails the task naming them.
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest
from airflow.sdk.bases import sensor as sensor_base
from airflow.sdk.exceptions import AirflowFailException, TaskDeferred

from airflow_provider_hume.client import HumeValidationError
from airflow_provider_hume.sensors.job import HumeJobSensor
from airflow_provider_hume.triggers.job import HumeJobTrigger
from tests.unit.airflow.conftest import Logs
from tests.unit.airflow.sensors.predictions_stubs import BAD_URL_SHOWN, PredictionsHook, completed
from tests.unit.airflow.stubs import JOB_ID, context


def sensor(hook: PredictionsHook, **kwargs: Any) -> HumeJobSensor:
    task = HumeJobSensor(task_id="wait", job_id=JOB_ID, poke_interval=10, timeout=60, **kwargs)
    task.hook = hook
    return task


def poke_mode(hook: PredictionsHook, monkeypatch: pytest.MonkeyPatch, **kwargs: Any) -> Any:
    monkeypatch.setattr(sensor_base, "time", SimpleNamespace(monotonic=hook.clock, sleep=hook.clock.sleep))
    return sensor(hook, mode="poke", **kwargs).execute(context())


def reschedule_mode(hook: PredictionsHook, monkeypatch: pytest.MonkeyPatch, **kwargs: Any) -> Any:
    """Each reschedule is one poke of a fresh task instance; the last one sees COMPLETED."""
    while True:
        result = sensor(hook, mode="reschedule", **kwargs).poke(context())
        if result.is_done:
            return result.xcom_value


def deferred(hook: PredictionsHook, monkeypatch: pytest.MonkeyPatch, **kwargs: Any) -> Any:
    task = sensor(hook, deferrable=True, **kwargs)
    with pytest.raises(TaskDeferred) as info:
        task.execute(context())
    trigger = info.value.trigger
    assert isinstance(trigger, HumeJobTrigger)
    trigger.hook = hook
    trigger.end_time = hook.clock() + 60

    async def run() -> list[dict[str, Any]]:
        return [event.payload async for event in trigger.run()]

    (event,) = asyncio.run(run())
    return sensor(hook, deferrable=True, **kwargs).execute_complete(context(), event)


MODES = {"poke": poke_mode, "reschedule": reschedule_mode, "deferrable": deferred}


@pytest.mark.parametrize("mode", MODES.values(), ids=MODES.keys())
def test_warn_logs_each_failed_source_and_returns_the_job_id(
    mode: Any, monkeypatch: pytest.MonkeyPatch, logs: Logs
) -> None:
    hook = PredictionsHook(["QUEUED", "IN_PROGRESS", completed(2)])
    assert mode(hook, monkeypatch) == JOB_ID
    warnings = logs.at("warning")
    assert hook.opened == [JOB_ID], "predictions are read once, on the worker"
    assert f"{BAD_URL_SHOWN}: could not download" in warnings
    assert "faces.zip [faces/notes.bin]: Failed to parse data as a valid media file." in warnings
    assert "on_source_error='warn': the task succeeds" in warnings
    assert "secret-signature" not in logs.text


@pytest.mark.parametrize("mode", MODES.values(), ids=MODES.keys())
def test_fail_fails_the_task_naming_the_failed_sources(mode: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    hook = PredictionsHook(["IN_PROGRESS", completed(2)])
    with pytest.raises(AirflowFailException) as info:
        mode(hook, monkeypatch, on_source_error="fail")
    message = str(info.value)
    assert "2 failed input(s) in 2 of 3 source(s)" in message
    assert BAD_URL_SHOWN in message
    assert "faces.zip [faces/notes.bin]" in message


def test_deferrable_already_completed_checks_in_its_first_poke() -> None:
    hook = PredictionsHook([completed(2)])
    with pytest.raises(AirflowFailException, match="2 failed input"):
        sensor(hook, deferrable=True, on_source_error="fail").execute(context())


@pytest.mark.parametrize("mode", MODES.values(), ids=MODES.keys())
@pytest.mark.parametrize("num_errors", [0, None], ids=["no errors", "not counted"])
def test_predictions_are_never_opened_without_errors(
    mode: Any, num_errors: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook = PredictionsHook(["IN_PROGRESS", completed(num_errors)], body=RuntimeError("must not be opened"))
    assert mode(hook, monkeypatch, on_source_error="fail") == JOB_ID
    assert hook.opened == []


@pytest.mark.parametrize("value", ["warning", "", None, 1])
def test_an_unknown_on_source_error_is_refused_at_construction(value: Any) -> None:
    with pytest.raises(ValueError, match="on_source_error must be 'warn' or 'fail'") as info:
        HumeJobSensor(task_id="wait", job_id=JOB_ID, on_source_error=value)
    assert isinstance(info.value, HumeValidationError)


def test_warn_is_the_default() -> None:
    assert HumeJobSensor(task_id="wait", job_id=JOB_ID).on_source_error == "warn"
