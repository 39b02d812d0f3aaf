"""Jobs and their lifecycle (hume-api-v0.md §2.6): a job's status is derived lazily from the clock.

A job is QUEUED until ``started_ms``, IN_PROGRESS until ``ended_ms``, then COMPLETED, or FAILED when it was
given a failure message. The state fixes all three timestamps at creation, so an injected clock drives the
whole lifecycle in tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Literal

from airflow_provider_hume.emulator.backend.request import JobRequest
from airflow_provider_hume.emulator.media.sources import Source

Status = Literal["QUEUED", "IN_PROGRESS", "COMPLETED", "FAILED"]
STATUSES: Final[tuple[Status, ...]] = ("QUEUED", "IN_PROGRESS", "COMPLETED", "FAILED")


@dataclass(frozen=True)
class Job:
    """An inference job; timestamps are Unix milliseconds."""

    job_id: str
    user_id: str
    request: JobRequest
    sources: tuple[Source, ...]
    created_ms: int
    started_ms: int
    ended_ms: int
    failure_message: str | None = None

    def status(self, now_ms: int) -> Status:
        """The status at ``now_ms``."""
        if now_ms < self.started_ms:
            return "QUEUED"
        if now_ms < self.ended_ms:
            return "IN_PROGRESS"
        return "COMPLETED" if self.failure_message is None else "FAILED"

    def started_at(self, now_ms: int) -> int | None:
        """``started_timestamp_ms`` as visible at ``now_ms``."""
        return self.started_ms if now_ms >= self.started_ms else None

    def ended_at(self, now_ms: int) -> int | None:
        """``ended_timestamp_ms`` as visible at ``now_ms``."""
        return self.ended_ms if now_ms >= self.ended_ms else None

    def files(self) -> list[dict[str, Any]]:
        """``request.files``: the uploaded files, without the source ``type``."""
        return [
            {key: value for key, value in source.descriptor.items() if key != "type"}
            for source in self.sources
            if source.kind == "file"
        ]
