"""One streaming connection: its job id and audio window, and the reply to each message (hume-api-v0.md §4).

Every message gets exactly one reply, and an error never ends the session. The order of checks is: size,
JSON (E0100), fields (E0101), ``reset_stream``, then ``data``: base64 (E0201), type (E0200), models
(E0102), limits (E0202-E0207), predictions. A message without ``data`` and ``models`` (a bare
``{"reset_stream": true}``, ``{"job_details": true}`` or ``{}``) is answered with ``{}`` plus the echoed
``payload_id`` and ``job_details``; ``data`` without ``models`` or the reverse is an E0101.
"""

from __future__ import annotations

import uuid

from airflow_provider_hume.emulator.streaming.decode import load_media
from airflow_provider_hume.emulator.streaming.messages import (
    Message,
    Prediction,
    StreamError,
    error_message,
    invalid,
    results_message,
    with_echo,
)
from airflow_provider_hume.emulator.streaming.payload import (
    StreamPayload,
    echo_fields,
    load_message,
    parse_payload,
)
from airflow_provider_hume.emulator.streaming.predict import predictions
from airflow_provider_hume.emulator.streaming.window import AudioChunk, AudioWindow


class StreamSession:
    """The state of one websocket; :meth:`reply` is called for each message, one at a time."""

    def __init__(self, *, warnings_top_level: bool = False) -> None:
        self.job_id = uuid.uuid4().hex
        self._window = AudioWindow()
        self._warnings_top_level = warnings_top_level

    def reply(self, message: str | bytes) -> Message:
        """The one reply to a text or binary frame."""
        try:
            values = load_message(message)
        except StreamError as error:
            return error_message(error)
        payload_id, job_details = echo_fields(values)
        try:
            body = self._process(parse_payload(values))
        except StreamError as error:
            body = error_message(error)
        return with_echo(body, payload_id, self.job_id if job_details else None)

    def _process(self, payload: StreamPayload) -> Message:
        if payload.reset_stream:
            self._window.reset()
        if payload.data is None and payload.models is None:
            return {}
        if payload.models is None:
            raise invalid("models", "Field required when data is sent")
        if payload.data is None:
            raise invalid("data", "Field required when models are configured")
        media = load_media(payload.data, raw_text=payload.raw_text, models=payload.models.names)
        window = None
        if media.kind in ("audio", "video"):
            chunk = AudioChunk(media.digest, media.duration_ms, media.silent)
            window = self._window.advance(chunk, payload.stream_window_ms)
        results: dict[str, list[Prediction]] = {
            name: predictions(name, media, payload.models, window) for name in payload.models.names
        }
        return results_message(results, warnings_top_level=self._warnings_top_level)
