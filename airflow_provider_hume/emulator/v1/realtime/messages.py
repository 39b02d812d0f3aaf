"""Server messages of the realtime sockets (hume-api-v1.md §4.2, §7.1), and how a session ends.

``retryable`` is false for every session-ending error and true for every error the session survives,
except video ``internal_error``, where it says whether the failure was temporary (hume-api-v1.md §4.2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final, Literal

Message = dict[str, Any]
ErrorCode = Literal[
    "invalid_audio_frame",
    "invalid_image_frame",
    "message_invalid",
    "rate_limited",
    "config_invalid",
    "message_too_large",
    "internal_error",
]
CloseReason = Literal["client_request", "server_shutdown", "idle_timeout", "error"]
Endpoint = Literal["audio", "video"]

#: Close codes per reason (≈ hume-api-v1.md §7.1: 1008 follows a session-ending error; a shutdown is
#: "going away"; the SDK reconnects after 1001 and after ``server_shutdown`` whatever the code).
CLOSE_CODES: Final[dict[CloseReason, int]] = {
    "client_request": 1000,
    "idle_timeout": 1000,
    "server_shutdown": 1001,
    "error": 1008,
}
#: What a run records for a connection lost without a close frame (hume-api-v1.md §8, ``Run.close_code``).
LOST_CONNECTION_CODE: Final = 1011


def error(code: ErrorCode, message: str, *, retryable: bool) -> Message:
    """An ``error`` message (hume-api-v1.md §4.2): no ``request_id``, ``retryable`` instead."""
    return {"type": "error", "code": code, "message": message, "retryable": retryable}


@dataclass
class Step:
    """The replies to one client message, and the reason the session ends after them (``None``: goes on)."""

    messages: list[Message] = field(default_factory=list)
    end: CloseReason | None = None
