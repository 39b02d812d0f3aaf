"""Error responses of the REST emulator (hume-api.md §8): Apigee ``fault`` and ``{"message"}`` bodies."""

from __future__ import annotations

from typing import Any, Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

INVALID_KEY_FAULT: Final = {
    "fault": {"faultstring": "Invalid ApiKey", "detail": {"errorcode": "oauth.v2.InvalidApiKey"}}
}
MISSING_KEY_FAULT: Final = {
    "fault": {
        "faultstring": "Failed to resolve API Key variable request.header.X-Hume-Api-Key",
        "detail": {"errorcode": "steps.oauth.v2.FailedToResolveAPIKey"},
    }
}
JOB_NOT_FOUND: Final = "job not found"


class ApiError(Exception):
    """An HTTP error with its exact JSON body."""

    def __init__(self, status_code: int, body: dict[str, Any]) -> None:
        super().__init__(status_code, body)
        self.status_code = status_code
        self.body = body

    @classmethod
    def message(cls, status_code: int, message: str) -> ApiError:
        """An error with body ``{"message": message}``."""
        return cls(status_code, {"message": message})


async def handle_api_error(request: Request, exc: Exception) -> Response:
    """Render an :class:`ApiError` as its status and body."""
    if not isinstance(exc, ApiError):
        raise exc
    return JSONResponse(exc.body, status_code=exc.status_code)
