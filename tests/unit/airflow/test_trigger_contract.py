"""The trigger's serialization round trip and the event contract checked on resume."""

from __future__ import annotations

import pytest
from airflow.sdk.exceptions import AirflowException

from airflow_provider_hume.client import HumeJobFailedError
from airflow_provider_hume.triggers.events import HumeJobTimeoutError, job_id_from_event
from airflow_provider_hume.triggers.job import HumeJobTrigger


def test_serialize_round_trip_keeps_primitive_kwargs() -> None:
    trigger = HumeJobTrigger(job_id="j-1", hume_conn_id="hume_x", end_time=1_800_000_000.5, poll_interval=7.0)
    classpath, kwargs = trigger.serialize()
    assert classpath == "airflow_provider_hume.triggers.job.HumeJobTrigger"
    assert all(isinstance(v, (str, int, float)) for v in kwargs.values())
    rebuilt = HumeJobTrigger(**kwargs)
    assert rebuilt.serialize() == (classpath, kwargs)


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
