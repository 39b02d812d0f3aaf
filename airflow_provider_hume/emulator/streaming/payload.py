"""The client-to-server message (hume-api-v0.md §4.2): JSON parsing and top-level fields.

Keys are snake_case and unknown keys are rejected (E0101), as the real service did. A message larger than
:data:`MAX_MESSAGE_SIZE` is refused before it is parsed, so no oversized payload is ever decoded; the server
is told to let messages up to :data:`SERVER_MAX_MESSAGE_SIZE` through, so that it is this E0101 that the
client sees rather than a close. JSON is read strictly (:mod:`..backend.strict_json`): ``NaN``, numbers out
of a double's range, nesting over 64 levels, invalid UTF-8 and lone surrogates are an E0100.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from airflow_provider_hume.emulator.backend.strict_json import JsonInvalid, load_json
from airflow_provider_hume.emulator.streaming.config import StreamModels, parse_models
from airflow_provider_hume.emulator.streaming.fields import boolean, number, reject_extra, string
from airflow_provider_hume.emulator.streaming.messages import INVALID_JSON, StreamError, invalid

MAX_MESSAGE_SIZE: Final = 16 * 1024 * 1024
"""Largest message in bytes (a text frame's UTF-8 bytes, as on the wire); uvicorn's default frame cap."""
SERVER_MAX_MESSAGE_SIZE: Final = 2 * MAX_MESSAGE_SIZE
"""The websocket server's own cap (uvicorn's ``ws_max_size``): a message between the two caps is answered
with the E0101 above and the connection stays open; a bigger one is closed by the server with 1009 (message
too big) before the app sees it, which bounds the memory a connection can take."""
DEFAULT_WINDOW_MS: Final = 5000.0
MIN_WINDOW_MS: Final = 500.0
MAX_WINDOW_MS: Final = 10000.0
FIELDS: Final = (
    "data",
    "models",
    "stream_window_ms",
    "reset_stream",
    "raw_text",
    "job_details",
    "payload_id",
)


@dataclass(frozen=True)
class StreamPayload:
    """A validated payload; ``data`` and ``models`` are ``None`` when absent."""

    data: str | None = None
    models: StreamModels | None = None
    stream_window_ms: float = DEFAULT_WINDOW_MS
    reset_stream: bool = False
    raw_text: bool = False
    job_details: bool = False
    payload_id: str | None = None


def load_message(message: str | bytes) -> dict[str, Any]:
    """The JSON object of a text or binary frame: E0100 if it is not JSON, E0101 if not an object."""
    size = message_size(message)
    if size > MAX_MESSAGE_SIZE:
        limit = MAX_MESSAGE_SIZE
        raise invalid("payload", f"Message is too large ({size} bytes); the limit is {limit} bytes")
    try:
        loaded = load_json(message)
    except JsonInvalid as exc:
        raise StreamError(
            INVALID_JSON, f"The WebSocket request could not be parsed as valid JSON: {exc}"
        ) from None
    if not isinstance(loaded, dict):
        raise invalid("payload", "Input should be a valid object")
    return loaded


def message_size(message: str | bytes) -> int:
    """The size of a frame's payload on the wire: UTF-8 bytes for text (O(1) when it is ASCII)."""
    if isinstance(message, bytes) or message.isascii():
        return len(message)
    return len(message.encode("utf-8", "surrogatepass"))


def echo_fields(values: dict[str, Any]) -> tuple[str | None, bool]:
    """``(payload_id, job_details)`` as far as they are valid, for echoing even on errors."""
    payload_id = values.get("payload_id")
    return payload_id if isinstance(payload_id, str) else None, values.get("job_details") is True


def parse_payload(values: dict[str, Any]) -> StreamPayload:
    """Validate every field of a loaded message."""
    reject_extra(values, FIELDS, "")
    return StreamPayload(
        data=string(values.get("data"), "data"),
        models=parse_models(values.get("models")),
        stream_window_ms=number(
            values.get("stream_window_ms"),
            "stream_window_ms",
            DEFAULT_WINDOW_MS,
            minimum=MIN_WINDOW_MS,
            maximum=MAX_WINDOW_MS,
        ),
        reset_stream=boolean(values.get("reset_stream"), "reset_stream"),
        raw_text=boolean(values.get("raw_text"), "raw_text"),
        job_details=boolean(values.get("job_details"), "job_details"),
        payload_id=string(values.get("payload_id"), "payload_id"),
    )
