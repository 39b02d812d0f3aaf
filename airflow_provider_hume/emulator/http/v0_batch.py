"""REST routes of the batch API (hume-api-v0.md §2.1): jobs, their details, predictions and artifacts.

Job details is the route clients poll, so it is kept cheap: plain Starlette routes (no FastAPI dependency
resolution or response validation), the API key read once from the scope (:mod:`.auth`), and each job's body
serialised once per status (:class:`DetailsBodies`), then served as bytes. A listing joins the same bytes.
Both are answered by functions of the scope alone (:data:`~.direct.Answer`), which their routes call and
which :class:`~.direct.DirectRoutes` calls without going through the rest of the middleware and the router.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route
from starlette.types import Scope

from airflow_provider_hume.emulator.backend.jobs import Job, Status
from airflow_provider_hume.emulator.backend.listing import parse_list_query
from airflow_provider_hume.emulator.backend.state import EmulatorState
from airflow_provider_hume.emulator.backend.submission import submit_job
from airflow_provider_hume.emulator.backend.validation import RequestInvalid
from airflow_provider_hume.emulator.http.auth import authenticate, authenticate_scope
from airflow_provider_hume.emulator.http.direct import Answer, answering, json_bytes, json_response
from airflow_provider_hume.emulator.http.errors import JOB_NOT_FOUND, ApiError
from airflow_provider_hume.emulator.http.request_body import job_request
from airflow_provider_hume.emulator.inference.artifacts import stream_artifacts
from airflow_provider_hume.emulator.inference.details import job_details
from airflow_provider_hume.emulator.inference.predictions import job_predictions_json

PREFIX: Final = "/v0/batch"
#: Rendered bodies kept at most; the oldest is forgotten first (it is rendered again when asked for).
MAX_CACHED_BODIES: Final = 65_536


class DetailsBodies:
    """The JSON body of each job's details, rendered once per (job, status).

    A job's details change only with its status (timestamps and counts appear with it) and when the admin API
    replaces the job (failing or holding it: a new ``Job`` object), so a body is reused while both stay the
    same. The ``2022`` shape also depends on the base URL the client used, which is part of the key.
    """

    def __init__(self, state: EmulatorState) -> None:
        self._state = state
        self._bodies: dict[str, tuple[Job, Status, str, bytes]] = {}
        state.on_reset(self._bodies.clear)

    def body(self, job: Job, now_ms: int, base_url: str) -> bytes:
        """The details of ``job`` as seen at ``now_ms``, as JSON bytes."""
        status = job.status(now_ms)
        cached = self._bodies.get(job.job_id)
        if cached is not None and cached[0] is job and cached[1] == status and cached[2] == base_url:
            return cached[3]
        body = json_bytes(job_details(job, now_ms, self._state.settings.job_details_shape, base_url))
        if cached is None and len(self._bodies) >= MAX_CACHED_BODIES:
            self._bodies.pop(next(iter(self._bodies)))
        self._bodies[job.job_id] = (job, status, base_url, body)
        return body


@dataclass(frozen=True)
class BatchRoutes:
    """The ``/v0/batch`` routes, and the routes the middleware may answer directly with their answers."""

    routes: list[BaseRoute]
    direct: list[tuple[Route, Answer]]


def batch_routes(state: EmulatorState) -> BatchRoutes:
    """The ``/v0/batch`` routes serving ``state``.

    Routes that only read the in-memory state are ``async``, so they skip the thread pool: job details is the
    route clients poll, and it must sustain well over 1,000 requests per second.
    """
    bodies = DetailsBodies(state)
    uses_base_url = state.settings.job_details_shape == "2022"

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

    def base_url(scope: Scope) -> str:
        return str(Request(scope).base_url).rstrip("/") if uses_base_url else ""

    def job_listing(scope: Scope) -> bytes:
        user_id = authenticate_scope(state, scope)
        query_params = QueryParams(scope["query_string"])
        try:
            query = parse_list_query({name: query_params.getlist(name) for name in query_params})
        except RequestInvalid as exc:
            raise ApiError.message(400, str(exc)) from None
        now = state.now_ms()
        url = base_url(scope)
        return (
            b"["
            + b",".join(bodies.body(job, now, url) for job in state.list_jobs(user_id, query, now))
            + b"]"
        )

    def job_details_body(scope: Scope) -> bytes:
        user_id = authenticate_scope(state, scope)
        job = find_job(user_id, scope["path_params"]["job_id"])
        return bodies.body(job, state.now_ms(), base_url(scope))

    async def start_job(request: Request) -> Response:
        user_id = authenticate(state, request)
        async with job_request(request) as (job_request_, uploads):
            job = await run_in_threadpool(submit_job, state, user_id, job_request_, uploads)
        return json_response(json_bytes({"job_id": job.job_id}))

    async def get_predictions(request: Request) -> Response:
        user_id = authenticate(state, request)
        job = completed_job(user_id, request.path_params["job_id"])
        pad_bytes = state.faults.settings.predictions_pad_bytes
        return StreamingResponse(
            job_predictions_json(job, pad_bytes=pad_bytes, seed=state.settings.seed),
            media_type="application/json",
        )

    async def get_artifacts(request: Request) -> Response:
        user_id = authenticate(state, request)
        job = completed_job(user_id, request.path_params["job_id"])
        pad_bytes = state.faults.settings.artifacts_pad_bytes
        return StreamingResponse(
            stream_artifacts(job, pad_bytes=pad_bytes, seed=state.settings.seed),
            media_type="application/octet-stream",
            headers={"Content-Disposition": 'attachment; filename="artifacts.zip"'},
        )

    list_route = _route("GET", "/jobs", answering(job_listing))
    details_route = _route("GET", "/jobs/{job_id}", answering(job_details_body))
    routes: list[BaseRoute] = [
        _route("POST", "/jobs", start_job),
        list_route,
        details_route,
        _route("GET", "/jobs/{job_id}/predictions", get_predictions),
        _route("GET", "/jobs/{job_id}/artifacts", get_artifacts),
    ]
    return BatchRoutes(routes, [(details_route, job_details_body), (list_route, job_listing)])


def _route(method: str, path: str, endpoint: Callable[[Request], Awaitable[Response]]) -> Route:
    """A route answering ``method`` only: Starlette adds ``HEAD`` to ``GET``, FastAPI's routes (which these
    were) do not, so ``HEAD`` stays a ``405``."""
    route = Route(PREFIX + path, endpoint, methods=[method])
    route.methods = {method}
    return route
