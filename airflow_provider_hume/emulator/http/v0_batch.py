"""REST routes of the batch API (hume-api-v0.md §2.1): jobs, their details, predictions and artifacts.

No ``from __future__ import annotations`` here: FastAPI must evaluate the route annotations, which refer to
the per-router ``current_user`` dependency.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from airflow_provider_hume.emulator.backend.jobs import Job
from airflow_provider_hume.emulator.backend.listing import parse_list_query, select_jobs
from airflow_provider_hume.emulator.backend.state import EmulatorState
from airflow_provider_hume.emulator.backend.submission import submit_job
from airflow_provider_hume.emulator.backend.validation import RequestInvalid
from airflow_provider_hume.emulator.http.auth import authenticate
from airflow_provider_hume.emulator.http.errors import JOB_NOT_FOUND, ApiError
from airflow_provider_hume.emulator.http.request_body import job_request
from airflow_provider_hume.emulator.inference.artifacts import stream_artifacts
from airflow_provider_hume.emulator.inference.details import job_details
from airflow_provider_hume.emulator.inference.predictions import job_predictions_json


def batch_router(state: EmulatorState) -> APIRouter:
    """The ``/v0/batch`` routes serving ``state``.

    Routes that only read the in-memory state are ``async``, so they skip the thread pool: job details is the
    route clients poll, and it must sustain well over 1,000 requests per second.
    """
    router = APIRouter(prefix="/v0/batch")

    async def current_user(request: Request) -> str:
        return authenticate(state, request)

    User = Annotated[str, Depends(current_user)]

    def find_job(user_id: str, job_id: str) -> Job:
        job = state.get_job(user_id, job_id)
        if job is None:
            raise ApiError.message(404, JOB_NOT_FOUND)
        return job

    def completed_job(user_id: str, job_id: str) -> Job:
        job = find_job(user_id, job_id)
        status = job.status(state.now_ms())
        if status != "COMPLETED":
            raise ApiError.message(400, f"job {job_id} is not completed (status {status})")
        return job

    def details(job: Job, now_ms: int, request: Request) -> dict[str, Any]:
        base_url = str(request.base_url).rstrip("/")
        return job_details(job, now_ms, state.settings.job_details_shape, base_url)

    @router.post("/jobs")
    async def start_job(request: Request, user_id: User) -> Response:
        async with job_request(request) as (job_request_, uploads):
            job = await run_in_threadpool(submit_job, state, user_id, job_request_, uploads)
        return JSONResponse({"job_id": job.job_id})

    @router.get("/jobs")
    async def list_jobs(request: Request, user_id: User) -> Response:
        params = {name: request.query_params.getlist(name) for name in request.query_params}
        try:
            query = parse_list_query(params)
        except RequestInvalid as exc:
            raise ApiError.message(400, str(exc)) from None
        now = state.now_ms()
        jobs = select_jobs(state.jobs_of(user_id), query, now)
        return JSONResponse([details(job, now, request) for job in jobs])

    @router.get("/jobs/{job_id}")
    async def get_job(job_id: str, request: Request, user_id: User) -> Response:
        return JSONResponse(details(find_job(user_id, job_id), state.now_ms(), request))

    @router.get("/jobs/{job_id}/predictions")
    def get_predictions(job_id: str, user_id: User) -> Response:
        return StreamingResponse(
            job_predictions_json(completed_job(user_id, job_id)), media_type="application/json"
        )

    @router.get("/jobs/{job_id}/artifacts")
    def get_artifacts(job_id: str, user_id: User) -> Response:
        pad_bytes = state.faults.settings.artifacts_pad_bytes
        return StreamingResponse(
            stream_artifacts(completed_job(user_id, job_id), pad_bytes=pad_bytes, seed=state.settings.seed),
            media_type="application/octet-stream",
            headers={"Content-Disposition": 'attachment; filename="artifacts.zip"'},
        )

    return router
