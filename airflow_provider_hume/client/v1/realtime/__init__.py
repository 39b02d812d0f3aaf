"""Hume's ``v1`` realtime sockets (hume-api-v1.md §7): paced audio and image streams with reconnects.

No Airflow import here. :func:`stream_audio` and :func:`stream_images` run whole streams and return a
:class:`StreamSummary`; the pieces (message parsing, pacers, reconnect rules) are public for reuse and tests.
"""

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
