"""The contract of ``HumeJobTrigger`` events: built from the wait's outcome, checked when a task resumes.

Every path that waits for a job (the operator on the worker, the sensor's poke, the trigger) ends in the same
:class:`~airflow_provider_hume.client.WaitStep`; :func:`event_from_step` turns it into the trigger's event and
:func:`job_id_from_event` turns an event into the task's result, so all three paths end the same way. A
``success`` event carries the job's ``num_errors`` (see :mod:`airflow_provider_hume._source_errors`).
"""

from __future__ import annotations

from typing import Any

from airflow_provider_hume._compat import AirflowException, AirflowFailException
from airflow_provider_hume.client import (
    PERMANENT_ERRORS,
    HumeJobFailedError,
    Verdict,
    WaitStep,
)

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
        if step.verdict is Verdict.SUCCESS:
            event["num_errors"] = step.state.num_errors
    if step.verdict is Verdict.FAILED:
        event["hume_message"] = (step.state.message if step.state else None) or ""
    if step.verdict is Verdict.ERROR and isinstance(step.error, PERMANENT_ERRORS):
        event["final"] = True
    return event


def job_id_from_event(event: dict[str, Any] | None) -> str:
    """Return the job id of a ``success`` event; raise a clear error for every other outcome.

    An ``error`` event marked ``final`` (a rejected key, an unknown job, an invalid request or connection, a
    TLS failure) raises :class:`AirflowFailException`: retrying the task cannot fix it.
    """
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
    message = message or f"Waiting for Hume job {job_id} failed."
    if event.get("final"):
        raise AirflowFailException(message)
    raise AirflowException(message)
