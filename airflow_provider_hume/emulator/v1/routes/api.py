"""Install the ``v1`` HTTP routes and their error handlers on an app."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.exceptions import HTTPException

from airflow_provider_hume.emulator.v1.errors import V1Error, V1Unauthorized
from airflow_provider_hume.emulator.v1.room import V1Room
from airflow_provider_hume.emulator.v1.routes.errors import handle_http_exception, handle_v1_error
from airflow_provider_hume.emulator.v1.routes.runs import runs_router
from airflow_provider_hume.emulator.v1.routes.uploads import uploads_router


def install_v1(app: FastAPI, room: V1Room) -> None:
    """Serve the upload and runs routes of ``room`` on ``app`` and render their errors."""
    app.add_exception_handler(V1Error, handle_v1_error)
    app.add_exception_handler(V1Unauthorized, handle_v1_error)
    app.add_exception_handler(HTTPException, handle_http_exception)
    app.include_router(uploads_router(room))
    app.include_router(runs_router(room))
