"""The one policy for waiting on a Hume batch job (hume-api-v0.md §2.6), with no I/O of its own.

A :class:`JobWait` is told what each poll of the job's details brought (a state, or an error) and answers
with a :class:`WaitStep`: keep waiting (and for how long), or the outcome: success, failed, timeout or error.
The sync and async batch clients drive it in their ``wait_for_job`` loops; the sensor's poke mode feeds it
one poll at a time. Errors are judged by their class:

- permanent (:data:`~airflow_provider_hume.client.errors.PERMANENT_ERRORS`: a rejected key, an unknown job,
  an invalid request, a TLS failure) end the wait at once;
- any other (connection errors, 429, 5xx, already retried by the client within the deadline; an answer the
  client cannot read) is logged and polling goes on, ``max_consecutive_poll_errors`` times in a row at most
  (by default about five minutes' worth of polls), then the wait ends naming the last error;
- a deadline that passes ends the wait with ``timeout``, naming the last status and the last error.

Polling is never faster than :data:`MIN_POLL_INTERVAL`.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from typing import Any, Protocol

from airflow_provider_hume.client._fields import check_int, check_number
from airflow_provider_hume.client.errors import PERMANENT_ERRORS, HumeError
from airflow_provider_hume.client.jobs import JobState, JobStatus

#: The shortest time between two polls of one job, whatever a DAG asks for.
MIN_POLL_INTERVAL = 1.0
#: How long errors in a row may last, by default, before a wait gives up (turned into a count of polls).
DEFAULT_ERROR_WINDOW_SECONDS = 300.0
#: The fewest failed polls in a row a wait tolerates by default.
MIN_ERROR_BUDGET = 3


def check_poll_interval(value: Any, name: str = "poll_interval") -> float:
    """Seconds between polls: ``value`` if a number >= 0 (else a ``ValueError`` naming ``name``), floored."""
    return max(check_number(value, name, minimum=0), MIN_POLL_INTERVAL)


def default_error_budget(poll_interval: float) -> int:
    """About :data:`DEFAULT_ERROR_WINDOW_SECONDS` worth of polls, at least :data:`MIN_ERROR_BUDGET`."""
    return max(
        MIN_ERROR_BUDGET, math.ceil(DEFAULT_ERROR_WINDOW_SECONDS / max(poll_interval, MIN_POLL_INTERVAL))
    )


def check_error_budget(value: Any, poll_interval: float, name: str = "max_consecutive_poll_errors") -> int:
    """``value`` (an int >= 0), or :func:`default_error_budget` when it is None."""
    if value is None:
        return default_error_budget(poll_interval)
    return check_int(value, name, minimum=0)


class StepLogger(Protocol):
    """What :func:`log_step` needs: a stdlib logger, or the logger of an Airflow task or trigger."""

    def info(self, msg: Any, /, *args: Any) -> Any: ...

    def warning(self, msg: Any, /, *args: Any) -> Any: ...


class Verdict(str, enum.Enum):
    """What a poll means for the wait; the final values are the statuses of ``HumeJobTrigger`` events."""

    WAITING = "waiting"
    SUCCESS = "success"
    FAILED = "failed"
    TIMEOUT = "timeout"
    ERROR = "error"


@dataclass(frozen=True)
class WaitStep:
    """The verdict on one poll: ``sleep_seconds`` until the next poll while waiting, else the outcome."""

    job_id: str
    verdict: Verdict
    message: str
    state: JobState | None = None
    error: HumeError | None = None
    sleep_seconds: float = 0.0
    status_changed: bool = False

    @property
    def is_final(self) -> bool:
        """Whether the wait is over (any verdict but ``WAITING``)."""
        return self.verdict is not Verdict.WAITING


@dataclass
class JobWait:
    """Waits for one job: keeps the last state, the last error and the count of failed polls in a row.

    :param job_id: The job waited for.
    :param deadline: Unix time after which the wait ends with ``timeout`` (``inf``: no deadline).
    :param poll_interval: Seconds between polls (at least :data:`MIN_POLL_INTERVAL`; shortened so the last
        poll lands on the deadline).
    :param max_consecutive_poll_errors: Failed polls tolerated in a row before the wait ends with ``error``
        (None: :func:`default_error_budget`).
    :param timeout: Seconds from the first poll, for waits whose deadline is not known in advance (used only
        while ``deadline`` is ``inf``).
    """

    job_id: str
    deadline: float = math.inf
    poll_interval: float = 10.0
    max_consecutive_poll_errors: int | None = None
    timeout: float | None = None
    last_state: JobState | None = field(default=None, init=False)
    last_error: HumeError | None = field(default=None, init=False)
    errors_in_a_row: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self.poll_interval = check_poll_interval(self.poll_interval)
        self.max_consecutive_poll_errors = check_error_budget(
            self.max_consecutive_poll_errors, self.poll_interval
        )

    def after_state(self, state: JobState, now: float) -> WaitStep:
        """The verdict on a poll that returned the job's state."""
        changed = self.last_state is None or state.status is not self.last_state.status
        self.last_state, self.last_error, self.errors_in_a_row = state, None, 0
        if state.status is JobStatus.COMPLETED:
            message = (
                f"Hume job {self.job_id} completed: {state.num_predictions} predictions, "
                f"{state.num_errors} errors."
            )
            return self._step(Verdict.SUCCESS, message, changed=changed)
        if state.status is JobStatus.FAILED:
            message = f"Hume job {self.job_id} failed: {state.message or 'no message from Hume'}"
            return self._step(Verdict.FAILED, message, changed=changed)
        return self._wait_or_time_out(now, f"Hume job {self.job_id} is {state.status.value}", changed)

    def after_error(self, error: HumeError, now: float) -> WaitStep:
        """The verdict on a poll that failed with ``error``."""
        self.last_error = error
        if isinstance(error, PERMANENT_ERRORS):
            return self._step(Verdict.ERROR, f"Stopped waiting for Hume job {self.job_id}: {error}")
        self.errors_in_a_row += 1
        budget = self.max_consecutive_poll_errors
        if budget is not None and self.errors_in_a_row > budget:
            message = (
                f"Stopped waiting for Hume job {self.job_id} after {self.errors_in_a_row} failed polls in a "
                f"row (max_consecutive_poll_errors={budget}); last error: {error}"
            )
            return self._step(Verdict.ERROR, message)
        return self._wait_or_time_out(
            now, f"Polling Hume job {self.job_id} failed, will poll again: {error}", changed=False
        )

    def deadline_at(self, now: float) -> float:
        """The wait's deadline; a ``timeout`` wait starts its clock at the first call."""
        if self.deadline == math.inf and self.timeout is not None:
            self.deadline = now + self.timeout
        return self.deadline

    def _wait_or_time_out(self, now: float, message: str, changed: bool) -> WaitStep:
        remaining = self.deadline_at(now) - now
        if remaining <= 0:
            last_status = self.last_state.status.value if self.last_state else "unknown"
            last_error = f"; last error: {self.last_error}" if self.last_error else ""
            timeout = (
                f"Hume job {self.job_id} did not finish before the deadline (last status {last_status}"
                f"{last_error}); the job may still finish on Hume's side."
            )
            return self._step(Verdict.TIMEOUT, timeout, changed=changed)
        sleep = min(self.poll_interval, remaining)
        return self._step(Verdict.WAITING, message, changed=changed, sleep=sleep)

    def _step(self, verdict: Verdict, message: str, *, changed: bool = False, sleep: float = 0.0) -> WaitStep:
        return WaitStep(
            job_id=self.job_id,
            verdict=verdict,
            message=message,
            state=self.last_state,
            error=self.last_error,
            sleep_seconds=sleep,
            status_changed=changed,
        )


def log_step(step: WaitStep, logger: StepLogger) -> None:
    """Log a step the way every waiting path does: status changes, errors polled through, the outcome."""
    if step.verdict is Verdict.WAITING:
        if step.error is not None:
            logger.warning("%s", step.message)
        elif step.status_changed:
            logger.info("%s", step.message)
    elif step.verdict is Verdict.SUCCESS:
        logger.info("%s", step.message)
    else:
        logger.warning("%s", step.message)
