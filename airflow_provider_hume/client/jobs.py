"""Job status and job details, parsed tolerantly from every shape Hume has used (hume-api-v0.md §2.6).

Hume changed the job-details shape twice and broke its own SDK doing so (issue #48), so the parser reads the
current shape (§2.6.1), the mid-2023 shape without ``job_id`` (§2.6.2) and the 2022 shape with a top-level
``status`` and second timestamps (§2.6.3), and treats every field but the status as optional.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from airflow_provider_hume.client.errors import HumeError, truncate


class JobStatus(str, enum.Enum):
    """Lifecycle of a batch job: QUEUED → IN_PROGRESS → COMPLETED | FAILED."""

    QUEUED = "QUEUED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"

    @property
    def is_terminal(self) -> bool:
        """Whether the job will not change any more."""
        return self in (JobStatus.COMPLETED, JobStatus.FAILED)

    @classmethod
    def parse(cls, value: Any, job_id: str | None = None) -> JobStatus:
        """The status named by ``value`` (case-insensitive); anything else is a :class:`HumeError`."""
        if isinstance(value, JobStatus):
            return value
        if isinstance(value, str):
            try:
                return cls(value.strip().upper())
            except ValueError:
                pass
        subject = f"job {job_id}" if job_id else "a job"
        expected = ", ".join(status.value for status in cls)
        raise HumeError(
            f"Hume returned an unknown status {truncate(repr(value), 80)} for {subject}; expected {expected}"
        )


def _number(value: Any) -> float | None:
    """A finite, non-negative JSON number, or None for anything unusable."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value < 0
    ):
        return None
    return value


def _int(value: Any) -> int | None:
    number = _number(value)
    return None if number is None else int(number)


def _seconds_to_ms(value: Any) -> int | None:
    number = _number(value)
    return None if number is None else round(number * 1000)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True)
class JobState:
    """Where a job is; timestamps are Unix milliseconds, counts and message only when Hume sent them."""

    status: JobStatus
    created_timestamp_ms: int | None = None
    started_timestamp_ms: int | None = None
    ended_timestamp_ms: int | None = None
    num_predictions: int | None = None
    num_errors: int | None = None
    message: str | None = None

    @classmethod
    def from_api(cls, state: Mapping[str, Any], job_id: str | None = None) -> JobState:
        """Parse the ``state`` object of the 2023+ shapes."""
        return cls(
            status=JobStatus.parse(state.get("status"), job_id),
            created_timestamp_ms=_int(state.get("created_timestamp_ms")),
            started_timestamp_ms=_int(state.get("started_timestamp_ms")),
            ended_timestamp_ms=_int(state.get("ended_timestamp_ms")),
            num_predictions=_int(state.get("num_predictions")),
            num_errors=_int(state.get("num_errors")),
            message=_str(state.get("message")),
        )

    @classmethod
    def from_legacy(cls, body: Mapping[str, Any], job_id: str | None = None) -> JobState:
        """Parse the 2022 shape: top-level ``status``, second timestamps, ``completed``/``failed`` objects."""
        completed = _mapping(body.get("completed"))
        failed = _mapping(body.get("failed"))
        return cls(
            status=JobStatus.parse(body.get("status"), job_id),
            created_timestamp_ms=_seconds_to_ms(body.get("creation_timestamp")),
            ended_timestamp_ms=_seconds_to_ms(body.get("completion_timestamp")),
            num_predictions=_int(completed.get("num_predictions")),
            num_errors=_int(completed.get("num_errors")),
            message=_str(failed.get("message")),
        )

    @property
    def run_time_ms(self) -> int | None:
        """Milliseconds between start and end, when both are known."""
        if self.started_timestamp_ms is None or self.ended_timestamp_ms is None:
            return None
        return self.ended_timestamp_ms - self.started_timestamp_ms


@dataclass(frozen=True)
class JobDetails:
    """A batch job as ``GET /v0/batch/jobs/{id}`` returns it; ``request`` is Hume's echo, as raw JSON."""

    job_id: str | None
    state: JobState
    request: Mapping[str, Any] = field(default_factory=dict)
    type: str | None = None
    user_id: str | None = None

    @property
    def status(self) -> JobStatus:
        """Shortcut for ``state.status``."""
        return self.state.status

    @classmethod
    def from_api(cls, body: Mapping[str, Any], job_id: str | None = None) -> JobDetails:
        """Parse any of the three documented shapes; ``job_id`` fills in for bodies that lack one."""
        if not isinstance(body, Mapping):
            raise HumeError(f"Hume returned job details that are not a JSON object: {truncate(repr(body))}")
        resolved_id = _str(body.get("job_id")) or job_id
        state = body.get("state")
        if isinstance(state, Mapping):
            parsed = JobState.from_api(state, resolved_id)
        elif "status" in body:
            parsed = JobState.from_legacy(body, resolved_id)
        else:
            subject = f"job {resolved_id}" if resolved_id else "a job"
            raise HumeError(f"Hume returned details for {subject} without a state: {truncate(repr(body))}")
        request = body.get("request")
        return cls(
            job_id=resolved_id,
            state=parsed,
            request=request if isinstance(request, Mapping) else {},
            type=_str(body.get("type")),
            user_id=_str(body.get("user_id")),
        )
