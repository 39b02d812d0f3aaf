"""The contract of ``HumeJobTrigger`` events: built from the wait's outcome, checked when a task resumes.

Every path that waits for a job (the operator on the worker, the sensor's poke, the trigger) ends in the same
:class:`~airflow_provider_hume.client.WaitStep`; :func:`event_from_step` turns it into the trigger's event and
:func:`job_id_from_event` turns an event into the task's result, so all three paths end the same way.
"""

from __future__ import annotations

from typing import Any

from airflow.sdk.exceptions import AirflowException

from airflow_provider_hume.client import HumeJobFailedError, Verdict, WaitStep

EVENT_STATUSES = frozenset(verdict.value for verdict in Verdict if verdict is not Verdict.WAITING)


class HumeJobTimeoutError(AirflowException):
    """The job did not reach a terminal state before the task's deadline."""


def event_from_step(step: WaitStep) -> dict[str, Any]:
    """The one event describing a wait's final step: ``{"status", "job_id", "message", ...}``."""
    if not step.is_final:
        raise ValueError(f"the wait for Hume job {step.job_id} is not over")
    event: dict[str, Any] = {"status": step.verdict.value, "job_id": step.job_id, "message": step.message}
    if step.state is not None:
        event["job_status"] = step.state.status.value
    if step.verdict is Verdict.FAILED:
        event["hume_message"] = (step.state.message if step.state else None) or ""
    return event


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
        raise HumeJobFailedError(job_id, str(event.get("hume_message") or "no message from Hume"))
    if status == "timeout":
        raise HumeJobTimeoutError(message)
    raise AirflowException(message or f"Waiting for Hume job {job_id} failed.")
