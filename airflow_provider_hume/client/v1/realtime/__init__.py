"""Hume's ``v1`` realtime sockets (hume-api-v1.md §7): paced audio and image streams with reconnects.

No Airflow import here. :func:`stream_audio` and :func:`stream_images` run whole streams and return a
:class:`StreamSummary`; the pieces (message parsing, pacers, reconnect rules) are public for reuse and tests.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow_provider_hume.client.v1.realtime._stream import StreamOptions
    from airflow_provider_hume.client.v1.realtime.audio import AudioHandler, stream_audio
    from airflow_provider_hume.client.v1.realtime.connection import DEFAULT_V1_WS_URL, realtime_url
    from airflow_provider_hume.client.v1.realtime.messages import (
        AudioMessage,
        RealtimeError,
        RealtimeMessage,
        SessionClosed,
        SessionCreated,
        SessionUpdated,
        UnknownMessage,
        UtteranceEnd,
        UtteranceStart,
        VideoMessage,
        parse_message,
    )
    from airflow_provider_hume.client.v1.realtime.pacing import AudioPacer, FramePacer
    from airflow_provider_hume.client.v1.realtime.reconnect import Backoff, ReconnectPolicy, should_reconnect
    from airflow_provider_hume.client.v1.realtime.summary import SessionSummary, StreamSummary
    from airflow_provider_hume.client.v1.realtime.video import FrameReply, stream_images

#: The module (relative to this package) each public name lives in, imported on first use of the name.
_HOMES: dict[str, str] = {
    "StreamOptions": "._stream",
    "AudioHandler": ".audio",
    "stream_audio": ".audio",
    "DEFAULT_V1_WS_URL": ".connection",
    "realtime_url": ".connection",
    "AudioMessage": ".messages",
    "RealtimeError": ".messages",
    "RealtimeMessage": ".messages",
    "SessionClosed": ".messages",
    "SessionCreated": ".messages",
    "SessionUpdated": ".messages",
    "UnknownMessage": ".messages",
    "UtteranceEnd": ".messages",
    "UtteranceStart": ".messages",
    "VideoMessage": ".messages",
    "parse_message": ".messages",
    "AudioPacer": ".pacing",
    "FramePacer": ".pacing",
    "Backoff": ".reconnect",
    "ReconnectPolicy": ".reconnect",
    "should_reconnect": ".reconnect",
    "SessionSummary": ".summary",
    "StreamSummary": ".summary",
    "FrameReply": ".video",
    "stream_images": ".video",
}

__all__ = [
    "DEFAULT_V1_WS_URL",
    "AudioHandler",
    "AudioMessage",
    "AudioPacer",
    "Backoff",
    "FramePacer",
    "FrameReply",
    "RealtimeError",
    "RealtimeMessage",
    "ReconnectPolicy",
    "SessionClosed",
    "SessionCreated",
    "SessionSummary",
    "SessionUpdated",
    "StreamOptions",
    "StreamSummary",
    "UnknownMessage",
    "UtteranceEnd",
    "UtteranceStart",
    "VideoMessage",
    "parse_message",
    "realtime_url",
    "should_reconnect",
    "stream_audio",
    "stream_images",
]

if not TYPE_CHECKING:  # hidden from type checkers: they read the imports above and catch a misspelt name

    def __getattr__(name: str) -> Any:
        """Import ``name`` from its module on first use and keep it here (PEP 562)."""
        home = _HOMES.get(name)
        if home is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(home, __name__), name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
