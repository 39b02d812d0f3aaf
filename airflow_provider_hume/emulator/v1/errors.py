"""``v1`` request errors (hume-api-v1.md §4.1): the stable ``code``, its status, and the error body.

The status of each code follows the hume-api-v1.md §4.1 table (≈ where Hume documents only the code).
The ``401`` body is the gateway's, without ``type`` and ``code`` (hume-api-v1.md §3).
"""

from __future__ import annotations

import uuid
from typing import Any, Final, Literal

RequestErrorCode = Literal[
    "message_invalid",
    "config_invalid",
    "audio_decode_failed",
    "image_decode_failed",
    "invalid_request",
    "forbidden",
    "not_found",
    "method_not_allowed",
    "audio_too_long",
    "image_too_large",
    "unsupported_media_type",
    "internal_error",
    "server_busy",
]
STATUS: Final[dict[RequestErrorCode, int]] = {
    "message_invalid": 400,
    "config_invalid": 400,
    "audio_decode_failed": 400,
    "image_decode_failed": 400,
    "invalid_request": 400,
    "forbidden": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "audio_too_long": 413,
    "image_too_large": 413,
    "unsupported_media_type": 415,
    "internal_error": 500,
    "server_busy": 503,
}

_FAULT_CODES: Final[dict[int, RequestErrorCode]] = {500: "internal_error", 503: "server_busy"}


def new_request_id() -> str:
    """A fresh request id: 32 hex digits, like Hume's."""
    return uuid.uuid4().hex


class V1Error(Exception):
    """A request refused with ``code``; the route renders it with the request's id."""

    def __init__(self, code: RequestErrorCode, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code: RequestErrorCode = code
        self.message = message

    @property
    def status(self) -> int:
        """The HTTP status of the code."""
        return STATUS[self.code]

    def body(self, request_id: str) -> dict[str, Any]:
        """The hume-api-v1.md §4.1 body."""
        return {"type": "error", "code": self.code, "message": self.message, "request_id": request_id}


def unauthorized_body(message: str, request_id: str | None) -> dict[str, Any]:
    """The gateway's ``401`` body; ``request_id`` only when an API key was presented and rejected."""
    body: dict[str, Any] = {"message": message}
    if request_id is not None:
        body["request_id"] = request_id
    return body


class V1Unauthorized(Exception):
    """A request without a valid credential: the gateway's ``401`` (:func:`unauthorized_body`)."""

    def __init__(self, message: str, request_id: str | None) -> None:
        super().__init__(message)
        self.message = message
        self.request_id = request_id


def v1_fault_body(status: int) -> dict[str, Any]:
    """The body of an injected fault on a ``v1`` route: the gateway's 429 (as Audio Decisions documents it,
    hume-api-v1.md §4.1), ``internal_error`` for 500, ``server_busy`` for 503, else the gateway's message."""
    if status == 429:
        return {"message": "API rate limit exceeded"}
    code = _FAULT_CODES.get(status)
    if code is None:
        return {"message": f"upstream error {status} (fault injected by the Hume emulator)"}
    return V1Error(code, f"fault injected by the Hume emulator ({status})").body(new_request_id())
