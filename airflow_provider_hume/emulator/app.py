"""The emulator's ASGI application."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response

from airflow_provider_hume.emulator.batch_api import batch_router
from airflow_provider_hume.emulator.errors import ApiError, handle_api_error
from airflow_provider_hume.emulator.state import EmulatorState


def create_app(state: EmulatorState) -> FastAPI:
    """A FastAPI app serving the Hume ``v0`` batch API from ``state``; mount it on any ASGI server."""
    app = FastAPI(title="Hume API emulator", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_exception_handler(ApiError, handle_api_error)
    app.include_router(batch_router(state))

    @app.middleware("http")
    async def count_requests(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        route = request.scope.get("route")
        path = getattr(route, "path", request.url.path)
        state.record_request(f"{request.method} {path}", response.status_code)
        return response

    return app
