"""The record a submit leaves in Airflow's task state store before its POST, and the search it allows.

Written before ``POST /v0/batch/jobs`` and cleared once the job id is stored, the record lets a retried task
(or the same try, when the POST's answer was lost) find the job that POST may have created instead of paying
for a second one: exactly one match is re-attached to, none means nothing was created, several stop the task
and name them (see :mod:`airflow_provider_hume.client.submission` for what remains undecidable).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from airflow_provider_hume._compat import AirflowFailException
from airflow_provider_hume.client import HumeError, JobStatus, SubmissionFingerprint

if TYPE_CHECKING:
    from airflow_provider_hume.client import HumeBatchClient

#: Task state store key of the record.
SUBMISSION_STATE_KEY = "hume_submission"
#: Jobs created this long before the record's start still count: the worker's clock may run ahead of Hume's.
CLOCK_SKEW_MS = 60_000


@dataclass(frozen=True)
class SubmissionRecord:
    """When a submit started and what it sent."""

    started_ms: int
    fingerprint: SubmissionFingerprint

    @classmethod
    def now(cls, fingerprint: SubmissionFingerprint) -> SubmissionRecord:
        return cls(started_ms=int(time.time() * 1000), fingerprint=fingerprint)

    def to_json(self) -> dict[str, Any]:
        return {"started_ms": self.started_ms, "fingerprint": self.fingerprint.to_json()}

    @classmethod
    def from_json(cls, data: Any) -> SubmissionRecord | None:
        """The record in the store, or None when there is none (or it cannot be read)."""
        if not isinstance(data, dict) or not isinstance(data.get("started_ms"), int):
            return None
        try:
            return cls(data["started_ms"], SubmissionFingerprint.from_json(data.get("fingerprint")))
        except HumeError:
            return None


def find_lost_job(client: HumeBatchClient, record: SubmissionRecord) -> str | None:
    """The one job (not FAILED) the recorded submit created, or None; several matches stop the task."""
    created_after = record.started_ms - CLOCK_SKEW_MS
    found = client.find_jobs_like(record.fingerprint, created_after_ms=created_after)
    candidates = [job for job in found if job.status is not JobStatus.FAILED and job.job_id]
    if len(candidates) > 1:
        ids = ", ".join(str(job.job_id) for job in candidates[:10])
        raise AirflowFailException(
            f"{len(candidates)} Hume jobs created since this task's submit match its request ({ids}); "
            "the task cannot tell which one it created. Check them in Hume, then clear the task to submit "
            "again, or pass one id to HumeJobSensor."
        )
    return str(candidates[0].job_id) if candidates else None
