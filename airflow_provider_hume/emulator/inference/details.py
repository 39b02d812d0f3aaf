"""The job object of ``GET /v0/batch/jobs[/{id}]``: current shape (hume-api-v0.md §2.6.1) or a legacy one."""

from __future__ import annotations

from typing import Any

from airflow_provider_hume.emulator.backend.jobs import Job
from airflow_provider_hume.emulator.backend.settings import DetailsShape
from airflow_provider_hume.emulator.inference.legacy import details_2022, mid_2023_details
from airflow_provider_hume.emulator.inference.predictions import counts


def job_details(job: Job, now_ms: int, shape: DetailsShape = "current", base_url: str = "") -> dict[str, Any]:
    """The job as seen at ``now_ms`` in ``shape``; ``base_url`` (the emulator's) builds 2022 result URLs."""
    if shape == "mid-2023":
        return mid_2023_details(job, now_ms)
    if shape == "2022":
        return details_2022(job, now_ms, base_url)
    return current_details(job, now_ms)


def current_details(job: Job, now_ms: int) -> dict[str, Any]:
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
