"""The contract of ``HumeJobTrigger`` events, checked when a deferred task resumes."""

from __future__ import annotations

from typing import Any

from airflow.sdk.exceptions import AirflowException

from airflow_provider_hume.client import HumeJobFailedError

EVENT_STATUSES = frozenset({"success", "failed", "timeout", "error"})


class HumeJobTimeoutError(AirflowException):
    """The job did not reach a terminal state before the task's deadline."""


def job_id_from_event(event: dict[str, Any] | None) -> str:
    """Return the job id of a ``success`` event; raise a clear error for every other outcome."""
    if not isinstance(event, dict) or event.get("status") not in EVENT_STATUSES or not event.get("job_id"):
        raise AirflowException(f"Invalid event from HumeJobTrigger: {event!r}")
    job_id = str(event["job_id"])
    status = event["status"]
    message = str(event.get("message") or "")
    if status == "success":
        return job_id
    if status == "failed":
        raise HumeJobFailedError(job_id, str(event.get("hume_message") or message))
    if status == "timeout":
        raise HumeJobTimeoutError(message)
    raise AirflowException(message or f"Waiting for Hume job {job_id} failed.")
