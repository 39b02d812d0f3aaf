"""``HumeJobSensor``: one poll per poke, deferral with an absolute deadline, the link stored first."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from airflow.sdk.exceptions import AirflowException, AirflowSensorTimeout, TaskDeferred

from airflow_provider_hume.client import HumeJobFailedError, HumeNotFoundError
from airflow_provider_hume.links.job import XCOM_KEY
from airflow_provider_hume.sensors import job as sensor_module
from airflow_provider_hume.sensors.job import HumeJobSensor
from airflow_provider_hume.triggers.job import HumeJobTrigger
from tests.unit.airflow.conftest import Logs
from tests.unit.airflow.stubs import (
    API_KEY,
    BASE_URL,
    JOB_ID,
    START,
    Answer,
    FakeClock,
    FakeTaskInstance,
    Script,
    StubHook,
    context,
)

LINK = f"{BASE_URL}/_emulator/console/jobs/{JOB_ID}"


def sensor(answers: list[Answer], **kwargs: Any) -> HumeJobSensor:
    task = HumeJobSensor(task_id="wait", job_id=JOB_ID, **kwargs)
    task.hook = StubHook(Script(answers), FakeClock())
    return task


def script(task: HumeJobSensor) -> Script:
    assert isinstance(task.hook, StubHook)
    return task.hook.script


def test_poke_is_not_done_while_queued_and_done_with_the_job_id_once_completed(logs: Logs) -> None:
    task = sensor(["QUEUED", "COMPLETED"])
    first = task.poke(context())
    assert first.is_done is False
    second = task.poke(context())
    assert (second.is_done, second.xcom_value) == (True, JOB_ID)
    assert script(task).polls == 2
    assert f"Hume job {JOB_ID} is QUEUED" in logs.text
    assert f"Hume job {JOB_ID} completed" in logs.text


def test_poke_raises_hume_message_when_the_job_failed() -> None:
    with pytest.raises(HumeJobFailedError, match=f"Hume job {JOB_ID} failed: unsupported codec"):
        sensor(["FAILED:unsupported codec"]).poke(context())


def test_deferrable_returns_at_once_when_already_completed() -> None:
    task = sensor(["COMPLETED"], deferrable=True)
    ti = FakeTaskInstance()
    assert task.execute(context(ti)) == JOB_ID
    assert ti.xcom[XCOM_KEY] == LINK
    assert script(task).polls == 1


def test_deferrable_defers_with_an_absolute_deadline_after_storing_the_link(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sensor_module, "time", SimpleNamespace(time=lambda: START))
    task = sensor(["QUEUED"], deferrable=True, timeout=600, poke_interval=15)
    ti = FakeTaskInstance()
    with pytest.raises(TaskDeferred) as deferred:
        task.execute(context(ti))
    trigger = deferred.value.trigger
    assert isinstance(trigger, HumeJobTrigger)
    assert trigger.serialize()[1] == {
        "job_id": JOB_ID,
        "hume_conn_id": "hume_default",
        "end_time": START + 600,
        "poll_interval": 15.0,
        "max_consecutive_poll_errors": 20,
    }
    assert deferred.value.method_name == "execute_complete"
    assert ti.xcom == {XCOM_KEY: LINK}
    assert API_KEY not in str(ti.xcom)


def test_the_link_is_stored_even_when_the_first_poll_fails() -> None:
    task = sensor([HumeNotFoundError("Hume job not found (HTTP 404)", 404)], deferrable=True)
    ti = FakeTaskInstance()
    with pytest.raises(AirflowException, match="not found"):
        task.execute(context(ti))
    assert ti.xcom[XCOM_KEY] == LINK


@pytest.mark.parametrize(
    ("event", "error", "fragment"),
    [
        (
            {"status": "timeout", "job_id": JOB_ID, "message": "missed the deadline"},
            AirflowSensorTimeout,
            "missed",
        ),
        (
            {"status": "failed", "job_id": JOB_ID, "hume_message": "bad media"},
            HumeJobFailedError,
            "bad media",
        ),
        ({"status": "error", "job_id": JOB_ID, "message": "key rejected"}, AirflowException, "key rejected"),
        (None, AirflowException, "Invalid event"),
    ],
)
def test_execute_complete_maps_each_outcome(
    event: dict[str, Any] | None, error: type[Exception], fragment: str
) -> None:
    with pytest.raises(error, match=fragment):
        sensor([]).execute_complete(context(), event)


def test_execute_complete_returns_the_job_id_on_success() -> None:
    assert sensor([]).execute_complete(context(), {"status": "success", "job_id": JOB_ID}) == JOB_ID


def test_the_job_id_is_templated() -> None:
    assert "job_id" in HumeJobSensor.template_fields
