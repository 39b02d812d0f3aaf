"""Error responses of the ``v1`` routes (hume-api-v1.md §4.1): the exception handlers the app installs.

A :class:`V1Error` becomes its status and ``{type, code, message, request_id}``; :class:`V1Unauthorized` the
gateway's ``401``; a wrong method on a ``v1`` path ``405 method_not_allowed``. Other HTTP errors, and every
one outside ``/v1/``, keep FastAPI's default rendering, so ``v0`` answers as before.
"""

from __future__ import annotations

from typing import Final

from fastapi.exception_handlers import http_exception_handler
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from airflow_provider_hume.emulator.v1.errors import V1Error, V1Unauthorized, unauthorized_body
from airflow_provider_hume.emulator.v1.routes.auth import request_id

V1_PREFIX: Final = "/v1/"


async def handle_v1_error(request: Request, exc: Exception) -> Response:
    """Render a :class:`V1Error` or :class:`V1Unauthorized`."""
    if isinstance(exc, V1Unauthorized):
        return JSONResponse(unauthorized_body(exc.message, exc.request_id), 401)
    if not isinstance(exc, V1Error):
        raise exc
    return JSONResponse(exc.body(request_id(request)), exc.status)


async def handle_http_exception(request: Request, exc: Exception) -> Response:
    """``405`` on a ``v1`` path in the hume-api-v1.md §4.1 shape; anything else as FastAPI renders it."""
    if not isinstance(exc, HTTPException):
        raise exc
    if exc.status_code == 405 and request.url.path.startswith(V1_PREFIX):
        error = V1Error("method_not_allowed", f"{request.method} is not allowed on {request.url.path}")
        return JSONResponse(error.body(request_id(request)), 405, headers=exc.headers)
    return await http_exception_handler(request, exc)
