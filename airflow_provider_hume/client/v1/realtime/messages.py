"""The server's messages on the realtime sockets (hume-api-v1.md §4.2, §7.1), read into typed values.

Measurements reuse the upload results' classes (:class:`AudioMeasurement`, :class:`FrameMeasurement`); the
``type`` field is dropped before they are read. A message of a type this client does not know becomes an
:class:`UnknownMessage` (new types may appear); a text that is not a JSON object with a ``type`` raises
:class:`HumeStreamError` coded ``message_unreadable``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from airflow_provider_hume.client.errors import HumeError, HumeStreamError, truncate
from airflow_provider_hume.client.v1.results import AudioMeasurement, FrameMeasurement

Endpoint = Literal["audio", "video"]

#: Errors that answer one video frame (hume-api-v1.md §7.1 "Video specifics"); others answer no frame.
FRAME_ERRORS = frozenset({"invalid_image_frame", "rate_limited", "internal_error"})
#: Errors that answer one audio frame; accepted audio frames get no answer.
AUDIO_FRAME_ERRORS = frozenset({"invalid_audio_frame", "rate_limited"})


@dataclass(frozen=True)
class SessionCreated:
    """``session.created``: the session id (= the run id) and the default configuration."""

    session_id: str
    config: Mapping[str, Any]


@dataclass(frozen=True)
class SessionUpdated:
    """``session.updated``: the whole configuration in effect."""

    config: Mapping[str, Any]


@dataclass(frozen=True)
class UtteranceStart:
    """``utterance.start``: speech began at ``audio_start_ms`` of the session's accepted audio."""

    utterance_id: int
    audio_start_ms: int


@dataclass(frozen=True)
class UtteranceEnd:
    """``utterance.end``: the utterance's full extent."""

    utterance_id: int
    audio_start_ms: int
    audio_end_ms: int


@dataclass(frozen=True)
class RealtimeError:
    """``error``: ``code`` says what happened; ``retryable`` is false for every session-ending error."""

    code: str
    message: str
    retryable: bool

    def to_exception(self) -> HumeStreamError:
        """The error as the client raises it."""
        return HumeStreamError(self.code, self.message)


@dataclass(frozen=True)
class SessionClosed:
    """``session.closed``, the last message: why the session ended, its ``received``/``produced`` totals."""

    session_id: str
    reason: str
    received: Mapping[str, Any]
    produced: Mapping[str, Any]


@dataclass(frozen=True)
class UnknownMessage:
    """A message of a type this client does not know, kept as sent."""

    type: str
    data: Mapping[str, Any] = field(repr=False)


AudioMessage = (
    SessionCreated
    | SessionUpdated
    | UtteranceStart
    | AudioMeasurement
    | UtteranceEnd
    | RealtimeError
    | SessionClosed
    | UnknownMessage
)
VideoMessage = (
    SessionCreated | SessionUpdated | FrameMeasurement | RealtimeError | SessionClosed | UnknownMessage
)
RealtimeMessage = AudioMessage | VideoMessage

_CONFIG_SKIP = ("type", "session_id")


def parse_message(text: str | bytes, endpoint: Endpoint) -> RealtimeMessage:
    """The typed message of one text frame from the ``endpoint`` socket."""
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, Mapping) or not isinstance(data.get("type"), str):
        shown = truncate(text if isinstance(text, str) else text.decode("utf-8", "replace"), 200)
        raise HumeStreamError("message_unreadable", f"not a JSON object with a type: {shown}")
    kind: str = data["type"]
    try:
        return _typed(kind, data, endpoint)
    except HumeError as exc:
        raise HumeStreamError("message_unreadable", f"{kind}: {exc}") from None


def _typed(kind: str, data: Mapping[str, Any], endpoint: Endpoint) -> RealtimeMessage:
    body = {key: value for key, value in data.items() if key != "type"}
    if kind == "measurement.result":
        if endpoint == "audio":
            return AudioMeasurement.from_api(body, kind)
        return FrameMeasurement.from_api(body, kind)
    if kind == "error":
        return RealtimeError(_text(body, "code", kind), _text(body, "message", kind), _flag(body, kind))
    if kind == "session.created":
        config = {key: value for key, value in body.items() if key not in _CONFIG_SKIP}
        return SessionCreated(_text(body, "session_id", kind), config)
    if kind == "session.updated":
        return SessionUpdated(body)
    if kind == "utterance.start":
        return UtteranceStart(_number(body, "utterance_id", kind), _number(body, "audio_start_ms", kind))
    if kind == "utterance.end":
        return UtteranceEnd(
            _number(body, "utterance_id", kind),
            _number(body, "audio_start_ms", kind),
            _number(body, "audio_end_ms", kind),
        )
    if kind == "session.closed":
        return SessionClosed(
            _text(body, "session_id", kind),
            _text(body, "reason", kind),
            _mapping(body, "received", kind),
            _mapping(body, "produced", kind),
        )
    return UnknownMessage(kind, data)


def _text(data: Mapping[str, Any], key: str, kind: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise HumeError(f"{kind}.{key} must be a string (got {value!r})")
    return value


def _number(data: Mapping[str, Any], key: str, kind: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise HumeError(f"{kind}.{key} must be an integer (got {value!r})")
    return value


def _flag(data: Mapping[str, Any], kind: str) -> bool:
    value = data.get("retryable")
    if not isinstance(value, bool):
        raise HumeError(f"{kind}.retryable must be true or false (got {value!r})")
    return value


def _mapping(data: Mapping[str, Any], key: str, kind: str) -> Mapping[str, Any]:
    value = data.get(key)
    if not isinstance(value, Mapping):
        raise HumeError(f"{kind}.{key} must be an object (got {value!r})")
    return value
