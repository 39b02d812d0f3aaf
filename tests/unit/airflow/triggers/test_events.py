"""The event contract: the one event built from a wait's final step, and the result a resumed task takes."""

from __future__ import annotations

import pytest
from airflow.sdk.exceptions import AirflowException

from airflow_provider_hume.client import HumeError, HumeJobFailedError, HumeNotFoundError, JobWait
from airflow_provider_hume.triggers.events import (
    EVENT_STATUSES,
    HumeJobTimeoutError,
    event_from_step,
    job_id_from_event,
)
from tests.unit.airflow.stubs import START, details

NOW = START


def test_statuses_are_the_four_outcomes() -> None:
    assert {"success", "failed", "timeout", "error"} == EVENT_STATUSES


def test_completed_gives_a_success_event_the_task_turns_into_the_job_id() -> None:
    event = event_from_step(JobWait("j-1").after_state(details("COMPLETED", "j-1").state, NOW))
    assert event == {
        "status": "success",
        "job_id": "j-1",
        "message": "Hume job j-1 completed: 2 predictions, 0 errors.",
        "job_status": "COMPLETED",
        "num_errors": 0,
    }
    assert job_id_from_event(event) == "j-1"


def test_failed_carries_hume_message_to_the_task() -> None:
    event = event_from_step(JobWait("j-1").after_state(details("FAILED:bad media", "j-1").state, NOW))
    assert (event["status"], event["job_status"], event["hume_message"]) == ("failed", "FAILED", "bad media")
    with pytest.raises(HumeJobFailedError, match="Hume job j-1 failed: bad media"):
        job_id_from_event(event)


def test_timeout_names_the_last_status() -> None:
    wait = JobWait("j-1", deadline=NOW)
    event = event_from_step(wait.after_state(details("QUEUED", "j-1").state, NOW))
    assert event["status"] == "timeout"
    with pytest.raises(HumeJobTimeoutError, match="last status QUEUED"):
        job_id_from_event(event)


def test_a_permanent_error_gives_an_error_event_without_a_job_status() -> None:
    step = JobWait("j-1").after_error(HumeNotFoundError("Hume job not found (HTTP 404)", 404), NOW)
    event = event_from_step(step)
    assert (event["status"], "job_status" in event) == ("error", False)
    with pytest.raises(AirflowException, match="not found"):
        job_id_from_event(event)


def test_a_step_still_waiting_is_no_event() -> None:
    step = JobWait("j-1", timeout=60).after_error(HumeError("garbled answer"), NOW)
    with pytest.raises(ValueError, match="the wait for Hume job j-1 is not over"):
        event_from_step(step)


def test_success_event_returns_job_id() -> None:
    assert job_id_from_event({"status": "success", "job_id": "j", "message": "ok"}) == "j"


def test_failed_event_raises_with_hume_message_and_job_id() -> None:
    with pytest.raises(HumeJobFailedError) as info:
        job_id_from_event({"status": "failed", "job_id": "j-9", "message": "m", "hume_message": "bad media"})
    assert "bad media" in str(info.value)
    assert "j-9" in str(info.value)


def test_timeout_event_raises_timeout() -> None:
    with pytest.raises(HumeJobTimeoutError, match="deadline"):
        job_id_from_event({"status": "timeout", "job_id": "j", "message": "missed the deadline"})


def test_error_event_raises_its_message() -> None:
    with pytest.raises(AirflowException, match="boom"):
        job_id_from_event({"status": "error", "job_id": "j", "message": "boom"})


@pytest.mark.parametrize(
    "event",
    [None, {}, {"status": "weird", "job_id": "j"}, {"status": "success"}, "success"],
)
def test_invalid_events_raise(event: object) -> None:
    with pytest.raises(AirflowException, match="Invalid event"):
        job_id_from_event(event)  # type: ignore[arg-type]
