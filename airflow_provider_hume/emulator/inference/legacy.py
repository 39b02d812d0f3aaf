"""The older job-details shapes (hume-api-v0.md §2.6.2, §2.6.3), served when the emulator starts with
``--job-details-shape mid-2023`` or ``2022`` to test a client's tolerance.

Both follow Hume's fixtures: only requested models are echoed, without ``null`` fields. Mid-2023 has no
``job_id``/``type``/``user_id`` and no counts or failure message in ``state``. 2022 has a top-level
``status``, second timestamps and ``completed``/``failed`` objects; its result URLs point at this emulator's
own endpoints (the ``errors_url`` at the predictions, which carry the errors since May 2023).
"""

from __future__ import annotations

from typing import Any

from airflow_provider_hume.emulator.backend.jobs import Job
from airflow_provider_hume.emulator.inference.predictions import counts


def mid_2023_details(job: Job, now_ms: int) -> dict[str, Any]:
    """``{request, state}`` as the old SDK 0.3-0.4 fixtures have it."""
    echo = job.request.echo(job.files())
    request = {key: echo[key] for key in ("urls", "files", "text", "callback_url", "notify")}
    state: dict[str, Any] = {"status": job.status(now_ms), "created_timestamp_ms": job.created_ms}
    if job.started_at(now_ms) is not None:
        state["started_timestamp_ms"] = job.started_ms
    if job.ended_at(now_ms) is not None:
        state["ended_timestamp_ms"] = job.ended_ms
    return {"request": {"models": _requested_models(job), **request}, "state": state}


def details_2022(job: Job, now_ms: int, base_url: str) -> dict[str, Any]:
    """The top-level-status shape of the old SDK 0.1.x fixtures, timestamps in seconds."""
    status = job.status(now_ms)
    details: dict[str, Any] = {
        "creation_timestamp": job.created_ms // 1000,
        "request": {"models": _requested_models(job), "urls": list(job.request.urls)},
        "status": status,
    }
    if status == "COMPLETED":
        details["completion_timestamp"] = job.ended_ms // 1000
        num_predictions, num_errors = counts(job)
        results = f"{base_url}/v0/batch/jobs/{job.job_id}"
        details["completed"] = {
            "num_errors": num_errors,
            "num_predictions": num_predictions,
            "artifacts_url": f"{results}/artifacts",
            "errors_url": f"{results}/predictions",
            "predictions_url": f"{results}/predictions",
        }
    elif status == "FAILED":
        details["completion_timestamp"] = job.ended_ms // 1000
        details["failed"] = {"message": job.failure_message}
    return details


def _requested_models(job: Job) -> dict[str, Any]:
    return {
        name: {key: value for key, value in config.items() if value is not None}
        for name, config in job.request.models.echo().items()
        if config is not None
    }
