"""Bodies for the transfer tests: a completed job's, fetched directly, and one that breaks off."""

from __future__ import annotations

import io
import time
from typing import Any

import requests

from airflow_provider_hume.client import HumeBatchClient, JobRequest, JobStatus


def completed_job(emulator: Any, texts: list[str]) -> str:
    """Submit ``texts`` to the emulator and wait (polling, with a deadline) until the job completes."""
    with HumeBatchClient(emulator.api_key, emulator.url) as client:
        job_id = client.submit_job(JobRequest.build(text=texts))
        deadline = time.monotonic() + 30
        while client.get_job_details(job_id).status is not JobStatus.COMPLETED:
            assert time.monotonic() < deadline, "the job did not complete"
            time.sleep(0.05)
    return job_id


def direct_body(emulator: Any, job_id: str, kind: str) -> bytes:
    """A job's ``predictions`` or ``artifacts`` as the emulator serves them, for comparison."""
    return requests.get(
        f"{emulator.url}/v0/batch/jobs/{job_id}/{kind}",
        headers={"X-Hume-Api-Key": emulator.api_key},
        timeout=60,
    ).content


class BrokenBody(io.RawIOBase):
    """A body that yields ``good`` bytes, then fails as a cut download does."""

    def __init__(self, good: int) -> None:
        self._left = good

    def read(self, size: int | None = -1) -> bytes:
        if self._left <= 0:
            raise ConnectionError("the body broke off")
        count = self._left if size is None or size < 0 else min(size, self._left)
        self._left -= count
        return b"z" * count
