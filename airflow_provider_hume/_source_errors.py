"""What a task does after a job COMPLETED with failed inputs: name them, and fail if asked.

Runs on the worker, never in the trigger: the predictions are streamed once (see
:mod:`airflow_provider_hume.client.source_errors`), only when Hume counted errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from airflow_provider_hume._compat import AirflowException, AirflowFailException
from airflow_provider_hume.client import HumeError, StepLogger, read_source_errors

if TYPE_CHECKING:
    from airflow_provider_hume.hooks.hume import HumeHook


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
