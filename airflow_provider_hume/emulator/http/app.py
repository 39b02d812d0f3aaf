"""The emulator's ASGI application: every router, the fault middleware and the callback dispatcher."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from airflow_provider_hume.emulator.backend.callbacks import CallbackDispatcher
from airflow_provider_hume.emulator.backend.state import EmulatorState
from airflow_provider_hume.emulator.http.admin import admin_router
from airflow_provider_hume.emulator.http.console import console_router
from airflow_provider_hume.emulator.http.direct import DirectRoutes
from airflow_provider_hume.emulator.http.errors import ApiError, handle_api_error
from airflow_provider_hume.emulator.http.fault_middleware import FaultMiddleware, check_routes
from airflow_provider_hume.emulator.http.v0_batch import batch_routes
from airflow_provider_hume.emulator.inference.predictions import callback_body
from airflow_provider_hume.emulator.streaming.route import stream_router
from airflow_provider_hume.emulator.v1.realtime.route import realtime_router
from airflow_provider_hume.emulator.v1.room import V1Room
from airflow_provider_hume.emulator.v1.routes.api import install_v1


def create_app(state: EmulatorState) -> FastAPI:
    """A FastAPI app serving the Hume ``v0`` batch and streaming APIs, the ``v1`` API (its room is
    ``app.state.v1``) and the admin API from ``state``.

    Mount it on any ASGI server; job callbacks are delivered while the app's lifespan runs. A
    :class:`SettingError` if the start faults name a route the app does not serve.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        dispatcher = CallbackDispatcher(state, callback_body)
        dispatcher.start()
        try:
            yield
        finally:
            await run_in_threadpool(dispatcher.stop)

    app = FastAPI(
        title="Hume API emulator", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan
    )
    app.add_exception_handler(ApiError, handle_api_error)
    batch = batch_routes(state)
    app.router.routes.extend(batch.routes)
    settings = state.settings
    app.include_router(
        stream_router(
            state,
            idle_timeout_seconds=settings.stream_idle_seconds,
            warnings_top_level=settings.stream_warnings == "top-level",
        )
    )
    room = V1Room(state)
    app.state.v1 = room
    install_v1(app, room)
    app.include_router(realtime_router(room))
    app.include_router(admin_router(state))
    app.include_router(console_router(state, room))
    app.add_middleware(DirectRoutes, routes=batch.direct)  # inside the fault middleware: added first
    app.add_middleware(FaultMiddleware, state=state)
    check_routes(app, settings.faults.routes)
    return app
