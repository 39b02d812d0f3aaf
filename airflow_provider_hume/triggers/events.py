"""The contract of ``HumeJobTrigger`` events: built from the wait's outcome, checked when a task resumes.

Every path that waits for a job (the operator on the worker, the sensor's poke, the trigger) ends in the same
:class:`~airflow_provider_hume.client.WaitStep`; :func:`event_from_step` turns it into the trigger's event and
:func:`job_id_from_event` turns an event into the task's result, so all three paths end the same way. A
``success`` event carries the job's ``num_errors``; when it is above 0, :func:`check_source_errors` (on the
worker, never in the trigger) reads the predictions to log each failed source and fails the task if asked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from airflow.sdk.exceptions import AirflowException, AirflowFailException

from airflow_provider_hume.client import (
    PERMANENT_ERRORS,
    HumeError,
    HumeJobFailedError,
    StepLogger,
    Verdict,
    WaitStep,
    read_source_errors,
)

if TYPE_CHECKING:
    from airflow_provider_hume.hooks.hume import HumeHook

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


def check_source_errors(
    event: Mapping[str, Any], hook: HumeHook, on_source_error: str, log: StepLogger
) -> None:
    """After a ``success`` event whose ``num_errors`` is above 0: log each failed source, fail if asked.

    The predictions are streamed (see :mod:`airflow_provider_hume.client.source_errors`); nothing is read
    when Hume counted no errors or did not say (older job-details shapes). With ``on_source_error="fail"``
    the task fails without retries naming the failures, and a retryable error if the predictions cannot be
    read; with ``"warn"`` it logs and goes on.
    """
    num_errors = event.get("num_errors")
    if isinstance(num_errors, bool) or not isinstance(num_errors, int) or num_errors <= 0:
        return
    job_id = str(event.get("job_id"))
    log.warning(
        "Hume job %s completed with %s error(s); reading its predictions to name the failed inputs",
        job_id,
        num_errors,
    )
    try:
        with hook.get_client() as client:
            report = read_source_errors(client, job_id)
    except HumeError as err:
        problem = (
            f"Hume job {job_id} completed with {num_errors} error(s), but its predictions could not be read"
        )
        if on_source_error == "fail":
            raise AirflowException(f"{problem}: {err}") from err
        log.warning("%s (on_source_error='warn': the task goes on): %s", problem, err)
        return
    for line in report.log_lines(job_id):
        log.warning("%s", line)
    if not report.errors:
        message = (
            f"Hume counted {num_errors} error(s) for job {job_id}, but its predictions name no failed input"
        )
    else:
        message = report.summary(job_id)
    if on_source_error == "fail":
        raise AirflowFailException(report.failure_message(job_id) if report.errors else message)
    log.warning("%s (on_source_error='warn': the task succeeds)", message)
