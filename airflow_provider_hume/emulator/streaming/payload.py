"""The client-to-server message (hume-api-v0.md §4.2): JSON parsing and top-level fields.

Keys are snake_case and unknown keys are rejected (E0101), as the real service did. A message larger than
:data:`MAX_MESSAGE_SIZE` is refused before it is parsed, so no oversized payload is ever decoded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final, NoReturn

from airflow_provider_hume.emulator.streaming.config import StreamModels, parse_models
from airflow_provider_hume.emulator.streaming.fields import boolean, number, reject_extra, string
from airflow_provider_hume.emulator.streaming.messages import INVALID_JSON, StreamError, invalid

MAX_MESSAGE_SIZE: Final = 16 * 1024 * 1024
"""Largest message (characters of a text frame, bytes of a binary one); uvicorn's default frame cap."""
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
    if len(message) > MAX_MESSAGE_SIZE:
        raise invalid("payload", f"Message is too large ({len(message)}); the limit is {MAX_MESSAGE_SIZE}")
    try:
        loaded = json.loads(message, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise StreamError(
            INVALID_JSON, f"The WebSocket request could not be parsed as valid JSON: {exc}"
        ) from None
    if not isinstance(loaded, dict):
        raise invalid("payload", "Input should be a valid object")
    return loaded


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


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not valid JSON")
