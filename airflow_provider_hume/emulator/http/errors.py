"""Error responses of the REST emulator (hume-api-v0.md §8): Apigee ``fault`` and ``{"message"}`` bodies.

The 429 body is fixed by §8; the 502/503 bodies are what Apigee sends for a failing backend. The ``401`` key
faults live with the keys, in ``backend.auth``."""

from __future__ import annotations

from typing import Any, Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from airflow_provider_hume.emulator.backend.shorten import shorten

RATE_LIMIT_FAULT: Final = {
    "fault": {
        "faultstring": "Spike arrest violation",
        "detail": {"errorcode": "policies.ratelimit.SpikeArrestViolation"},
    }
}
#: Apigee's bodies for a failing backend; any other 5xx gets ``{"message": "internal server error"}``.
SERVER_ERROR_FAULTS: Final = {
    502: {
        "fault": {
            "faultstring": "Unexpected EOF at target",
            "detail": {"errorcode": "messaging.adaptors.http.flow.UnexpectedEOFAtTarget"},
        }
    },
    503: {
        "fault": {
            "faultstring": "The Service is temporarily unavailable",
            "detail": {"errorcode": "messaging.adaptors.http.flow.ServiceUnavailable"},
        }
    },
}
JOB_NOT_FOUND: Final = "job not found"


def server_error_body(status: int) -> dict[str, Any]:
    """The body of an injected 5xx response."""
    return SERVER_ERROR_FAULTS.get(status, {"message": "internal server error"})


class ApiError(Exception):
    """An HTTP error with its exact JSON body."""

    def __init__(self, status_code: int, body: dict[str, Any]) -> None:
        super().__init__(status_code, body)
        self.status_code = status_code
        self.body = body

    @classmethod
    def message(cls, status_code: int, message: str) -> ApiError:
        """An error with body ``{"message": message}``, the message shortened if it quotes a huge value."""
        return cls(status_code, {"message": shorten(message)})


async def handle_api_error(request: Request, exc: Exception) -> Response:
    """Render an :class:`ApiError` as its status and body."""
    if not isinstance(exc, ApiError):
        raise exc
    return JSONResponse(exc.body, status_code=exc.status_code)
