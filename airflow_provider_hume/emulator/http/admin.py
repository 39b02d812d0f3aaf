"""The admin API under ``/_emulator/``: faults, counters, reset and job control, for tests.

Any accepted API key may call it (the same header or query parameter as the Hume API); its requests are
never faulted or counted. Shapes (JSON; errors are ``400``/``404`` ``{"message"}``):

* ``GET /_emulator/faults`` → the faults in force, every field of ``FaultSettings``.
* ``PUT /_emulator/faults`` → replace them: fields left out are off. ``PATCH`` changes only the fields given.
  Both answer with the new faults.
* ``POST /_emulator/reset`` → ``204``: jobs, counters and faults back to how the emulator started.
* ``GET /_emulator/counters`` → ``{"requests": [{"route", "status", "count"}], "jobs_created",
  "faults_injected": {"rate_limit", "error", "latency", "drop", "job_failure"},
  "callbacks": [{"job_id", "url", "outcome", "statuses"}]}``.
* ``GET /_emulator/jobs`` → ``[{"job_id", "user_id", "status"}]``, all users' jobs, oldest first.
* ``POST /_emulator/jobs/{job_id}/fail`` with optional ``{"message"}`` → the job ends FAILED (at once if it
  had ended); ``POST /_emulator/jobs/{job_id}/hold`` → it never ends;
  ``POST /_emulator/jobs/{job_id}/release`` → it ends now, held or not (a test decides when). All three
  answer ``{"job_id", "status"}``.

Bodies are read like a job request's (:mod:`.request_body`): at most 16 MiB of strict JSON, else ``400``.

No ``from __future__ import annotations``: FastAPI must evaluate the dependency's annotation.
"""

from collections.abc import Callable

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from airflow_provider_hume.emulator.backend.settings import FaultSettings, SettingError
from airflow_provider_hume.emulator.backend.state import EmulatorState
from airflow_provider_hume.emulator.http.auth import authenticate
from airflow_provider_hume.emulator.http.errors import JOB_NOT_FOUND, ApiError
from airflow_provider_hume.emulator.http.fault_middleware import check_routes
from airflow_provider_hume.emulator.http.request_body import parse_json, read_json_body


def admin_router(state: EmulatorState) -> APIRouter:
    """The ``/_emulator`` routes controlling ``state``."""

    def require_key(request: Request) -> None:
        authenticate(state, request)

    router = APIRouter(prefix="/_emulator", dependencies=[Depends(require_key)])

    async def change_faults(request: Request, base: FaultSettings | None) -> Response:
        try:
            body = await parse_json(await read_json_body(request), "request body")
            faults = FaultSettings.from_json(body, base)
            check_routes(request.app, faults.routes)
        except SettingError as exc:
            raise ApiError.message(400, str(exc)) from None
        state.faults.set(faults)
        return JSONResponse(faults.to_json())

    @router.get("/faults")
    def get_faults() -> Response:
        return JSONResponse(state.faults.settings.to_json())

    @router.put("/faults")
    async def put_faults(request: Request) -> Response:
        return await change_faults(request, None)

    @router.patch("/faults")
    async def patch_faults(request: Request) -> Response:
        return await change_faults(request, state.faults.settings)

    @router.post("/reset")
    def reset() -> Response:
        state.reset()
        return Response(status_code=204)

    @router.get("/counters")
    def counters() -> Response:
        return JSONResponse(state.counters.snapshot())

    @router.get("/jobs")
    def jobs() -> Response:
        now = state.now_ms()
        return JSONResponse(
            [
                {"job_id": job.job_id, "user_id": job.user_id, "status": job.status(now)}
                for job in state.all_jobs()
            ]
        )

    def control(job_id: str, change: Callable[[str], None]) -> Response:
        try:
            change(job_id)
        except KeyError:
            raise ApiError.message(404, JOB_NOT_FOUND) from None
        return JSONResponse({"job_id": job_id, "status": state.job_status(job_id)})

    @router.post("/jobs/{job_id}/fail")
    async def fail(job_id: str, request: Request) -> Response:
        raw = await read_json_body(request)
        body = await parse_json(raw, "request body") if raw else {}
        if not isinstance(body, dict):
            raise ApiError.message(400, "the body must be a JSON object")
        message = body.get("message", state.faults.settings.job_failure_message)
        if not isinstance(message, str) or not message:
            raise ApiError.message(400, "message: must be a non-empty string")
        return control(job_id, lambda job: state.fail_job(job, message))

    @router.post("/jobs/{job_id}/hold")
    def hold(job_id: str) -> Response:
        return control(job_id, state.hold_job)

    @router.post("/jobs/{job_id}/release")
    def release(job_id: str) -> Response:
        return control(job_id, state.release_job)

    return router
