"""The job object of ``GET /v0/batch/jobs[/{id}]`` in the current shape (hume-api.md §2.6.1)."""

from __future__ import annotations

from typing import Any

from airflow_provider_hume.emulator.predictions import counts
from airflow_provider_hume.emulator.state import Job


def job_details(job: Job, now_ms: int) -> dict[str, Any]:
    """``{type, job_id, user_id, request, state}`` as seen at ``now_ms``."""
    status = job.status(now_ms)
    state: dict[str, Any] = {"status": status, "created_timestamp_ms": job.created_ms}
    if status != "QUEUED":
        state["started_timestamp_ms"] = job.started_ms
    if status == "COMPLETED":
        state["ended_timestamp_ms"] = job.ended_ms
        state["num_predictions"], state["num_errors"] = counts(job)
    elif status == "FAILED":
        state["ended_timestamp_ms"] = job.ended_ms
        state["message"] = job.failure_message
    return {
        "type": "INFERENCE",
        "job_id": job.job_id,
        "user_id": job.user_id,
        "request": job.request.echo(job.files()),
        "state": state,
    }
