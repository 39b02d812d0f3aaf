"""``GET /v1/expression/run``, ``…/run/{run_id}`` and ``…/run/{run_id}/events`` (hume-api-v1.md §8).

The caller sees its organisation's runs only (in the emulator each API key is an organisation of one user);
another organisation's run, an unknown id and an id that is not a UUID are all ``404 not_found``.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from airflow_provider_hume.emulator.v1.errors import V1Error
from airflow_provider_hume.emulator.v1.room import V1Room
from airflow_provider_hume.emulator.v1.routes.auth import authenticate
from airflow_provider_hume.emulator.v1.runs import Run
from airflow_provider_hume.emulator.v1.runs_query import page, runs_query


def runs_router(room: V1Room) -> APIRouter:
    """The three runs routes over ``room``."""
    router = APIRouter(prefix="/v1/expression/run")

    def find(run_id: str, user_id: str) -> Run:
        try:
            uuid.UUID(run_id)
        except ValueError:
            raise V1Error("not_found", f"no run {run_id!r}: run ids are UUIDs") from None
        run = room.runs.get(run_id, organisation=user_id)
        if run is None:
            raise V1Error("not_found", f"no run {run_id}")
        return run

    @router.get("")
    async def list_runs(request: Request) -> Response:
        user_id = authenticate(room, request)
        filters, wanted = runs_query(request.query_params, room.settings.runs_page_size_max)
        try:
            runs, next_cursor = room.runs.list(filters, wanted.size, wanted.cursor, organisation=user_id)
        except ValueError as exc:
            raise V1Error("invalid_request", str(exc)) from None
        body: dict[str, object] = {"runs": [run.summary() for run in runs]}
        if next_cursor is not None:
            body["next_cursor"] = next_cursor
        return JSONResponse(body)

    @router.get("/{run_id}")
    async def get_run(run_id: str, request: Request) -> Response:
        user_id = authenticate(room, request)
        return JSONResponse(find(run_id, user_id).to_api())

    @router.get("/{run_id}/events")
    async def run_events(run_id: str, request: Request) -> Response:
        user_id = authenticate(room, request)
        run = find(run_id, user_id)
        wanted = page(request.query_params)
        try:
            events = room.runs.events(run.run_id, wanted.size, wanted.cursor)
        except ValueError as exc:
            raise V1Error("invalid_request", str(exc)) from None
        return JSONResponse(events.to_api())

    return router
