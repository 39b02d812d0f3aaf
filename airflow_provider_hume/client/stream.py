"""Asyncio websocket client for Hume's streaming API (hume-api-v0.md §4) on ``websockets``.

One :class:`StreamSocket` is one connection in request/response lockstep (§4.1): a payload is sent, its
one reply read, and only then the next payload goes out. Every payload carries a ``payload_id`` and a reply
echoing another id is dropped, so replies can never be mixed up. When Hume closes an idle (60 s) or timed-out
connection the socket reconnects and resends, with bounded, jittered retries from :class:`RetryPolicy`. The
API key travels only in the ``X-Hume-Api-Key`` handshake header; redirects are refused so it cannot follow one
to another host.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import secrets
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI
from websockets.protocol import State

from airflow_provider_hume import DEFAULT_BASE_URL
from airflow_provider_hume.client._fields import check_number
from airflow_provider_hume.client.errors import (
    REDACTED,
    HumeAuthError,
    HumeConnectionError,
    HumeError,
    HumeValidationError,
    redact_bytes,
    truncate,
)
from airflow_provider_hume.client.model_configs import Facemesh
from airflow_provider_hume.client.protocol import (
    API_KEY_HEADER,
    USER_AGENT,
    check_api_key,
    normalize_base_url,
    redirect_error,
)
from airflow_provider_hume.client.retry import Delivery, RetryPolicy, RetryTracker
from airflow_provider_hume.client.stream_messages import StreamResult, decode_message, parse_reply
from airflow_provider_hume.client.stream_models import StreamLanguage, StreamModels, coerce_stream_models
from airflow_provider_hume.client.stream_payloads import (
    check_window,
    facemesh_payload,
    media_payload,
    text_payload,
)

log = logging.getLogger(__name__)

STREAM_PATH = "/v0/stream/models"
MAX_REPLY_BYTES = 64 * 1024 * 1024
"""Largest reply accepted: word-level predictions for 10,000 characters run to several MiB."""

# websockets logs handshake headers, the API key among them, at DEBUG: its logger never goes below INFO.
_WIRE_LOG = logging.getLogger(f"{__name__}.wire")
_WIRE_LOG.setLevel(logging.INFO)
_TRANSPORT_ERRORS = (ConnectionClosed, OSError, asyncio.TimeoutError)

ModelsLike = StreamModels | Mapping[str, Any]


def stream_url(base_url: str) -> str:
    """The websocket URL for a REST base URL: ``https`` becomes ``wss``, ``http`` becomes ``ws``."""
    base = normalize_base_url(base_url)
    scheme, rest = base.split("://", 1)
    return f"{'wss' if scheme.lower() == 'https' else 'ws'}://{rest}{STREAM_PATH}"


class _Connect(connect):
    """``websockets.connect`` that refuses redirects instead of following them with the API key."""

    def process_redirect(self, exc: Exception) -> Exception | str:
        if isinstance(exc, InvalidStatus) and 300 <= exc.response.status_code < 400:
            key = Headers(self.additional_headers or {}).get_all(API_KEY_HEADER)
            location = exc.response.headers.get("Location")
            return redirect_error(exc.response.status_code, location, redact=key)
        return exc


class HumeStreamClient:
    """Opens :class:`StreamSocket` connections to ``<base_url>/v0/stream/models``.

    ``timeout`` bounds the wait for each reply and ``open_timeout`` each handshake. ``sleep`` is injectable so
    tests record retry delays instead of waiting.
    """

    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: float = 60.0,
        open_timeout: float = 10.0,
        retry_policy: RetryPolicy = RetryPolicy(),  # noqa: B008 - frozen, so sharing the default is safe
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._api_key = check_api_key(api_key)
        self.url = stream_url(base_url)
        self.timeout = check_number(timeout, "timeout", minimum=0.001)
        self.open_timeout = check_number(open_timeout, "open_timeout", minimum=0.001)
        self.retry_policy = retry_policy
        self.sleep = sleep

    def __repr__(self) -> str:
        return f"{type(self).__name__}(url={self.url!r})"

    def connect(
        self, models: ModelsLike | None = None, *, stream_window_ms: int | None = None
    ) -> StreamSocket:
        """A socket (``async with client.connect() as socket``) whose payloads default to ``models``."""
        return StreamSocket(self, models, stream_window_ms)

    def redact(self, text: str) -> str:
        """``text`` with the API key masked, for messages built from library errors."""
        return text.replace(self._api_key, REDACTED)

    def redact_reply(self, reply: str | bytes) -> str | bytes:
        """A server's message with the API key masked before it is parsed (a server may echo it)."""
        return self.redact(reply) if isinstance(reply, str) else redact_bytes(reply, (self._api_key,))

    async def open_connection(self) -> ClientConnection:
        """Handshake with retries: 401/403 fail at once, 429/5xx and network errors back off and retry."""
        tracker = RetryTracker(self.retry_policy, "CONNECT", STREAM_PATH, idempotent=True)
        while True:
            try:
                return await _Connect(
                    self.url,
                    additional_headers={API_KEY_HEADER: self._api_key},
                    user_agent_header=USER_AGENT,
                    open_timeout=self.open_timeout,
                    max_size=MAX_REPLY_BYTES,
                    logger=_WIRE_LOG,
                )
            except InvalidStatus as exc:
                status = exc.response.status_code
                if status in (401, 403):
                    raise HumeAuthError(
                        f"Hume rejected the streaming connection's API key (HTTP {status}). "
                        "Check the API Key of the connection.",
                        status,
                    ) from None
                delay = tracker.after_status(status, dict(exc.response.headers.raw_items()))
                if delay is None:
                    raise HumeError(
                        f"Hume refused the streaming connection (HTTP {status}).", status
                    ) from None
            except InvalidURI as exc:
                raise HumeError(f"Invalid streaming URL {self.url}: {self.redact(str(exc))}") from None
            except (*_TRANSPORT_ERRORS, InvalidHandshake) as exc:
                delay = tracker.after_error(exc, Delivery.MAYBE_SENT)
                if delay is None:
                    detail = truncate(self.redact(str(exc)), 300)
                    raise HumeConnectionError(
                        f"Could not connect to Hume's streaming API at {self.url} after "
                        f"{tracker.attempt + 1} attempt(s): {type(exc).__name__}: {detail}"
                    ) from None
            await self.sleep(delay)


class StreamSocket:
    """One streaming connection; use it as an async context manager.

    ``send_*`` validate their payload first (text, audio and facemesh limits), then send it and return the
    reply as a :class:`StreamResult`; Hume's errors raise :class:`HumeStreamError` with their code.
    """

    def __init__(
        self, client: HumeStreamClient, models: ModelsLike | None, stream_window_ms: int | None
    ) -> None:
        self._client = client
        self.models = coerce_stream_models(models) if models is not None else None
        self.stream_window_ms = check_window(stream_window_ms)
        self._connection: ClientConnection | None = None
        self._lock = asyncio.Lock()
        self._ids = itertools.count(1)
        self._tag = secrets.token_hex(4)
        self.connections = 0
        """How many connections this socket has opened: 1 plus its reconnects."""

    async def __aenter__(self) -> StreamSocket:
        await self.open()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    @property
    def is_open(self) -> bool:
        """Whether the current connection is open (False once Hume closed it; the next payload reconnects)."""
        return self._connection is not None and self._connection.state is State.OPEN

    async def open(self) -> None:
        """Connect now, so a bad key or URL fails before the first payload."""
        async with self._lock:
            await self._connected()

    async def close(self) -> None:
        """Close the connection (a later payload would reconnect)."""
        connection, self._connection = self._connection, None
        if connection is not None:
            await connection.close()

    async def send_text(
        self, text: str, models: ModelsLike | None = None, *, payload_id: str | None = None
    ) -> StreamResult:
        """Analyse raw text (at most 10,000 characters) with the language model."""
        if models is None:
            default = self.models.language if self.models is not None else None
            chosen = StreamModels(language=default or StreamLanguage())
        else:
            chosen = coerce_stream_models(models)
        return await self.send_payload(text_payload(text, chosen), payload_id=payload_id)

    async def send_bytes(
        self,
        data: bytes,
        models: ModelsLike | None = None,
        *,
        payload_id: str | None = None,
        reset_stream: bool = False,
    ) -> StreamResult:
        """Analyse media bytes (an image, a video frame, at most 5 s of audio), base64-encoded here."""
        chosen = coerce_stream_models(models) if models is not None else self.models
        if chosen is None:
            raise HumeValidationError("no models given: pass models to send_bytes/send_file or to connect()")
        payload = media_payload(data, chosen, reset_stream=reset_stream)
        return await self.send_payload(payload, payload_id=payload_id)

    async def send_file(
        self,
        path: str | Path,
        models: ModelsLike | None = None,
        *,
        payload_id: str | None = None,
        reset_stream: bool = False,
    ) -> StreamResult:
        """Analyse a small media file as one payload (see ``iter_wav_chunks`` for long audio)."""
        data = await asyncio.to_thread(Path(path).read_bytes)
        return await self.send_bytes(data, models, payload_id=payload_id, reset_stream=reset_stream)

    async def send_facemesh(
        self, landmarks: Any, models: ModelsLike | None = None, *, payload_id: str | None = None
    ) -> StreamResult:
        """Analyse MediaPipe facemeshes: a list of faces, each 478 ``(x, y, z)`` landmarks."""
        chosen = StreamModels(facemesh=Facemesh()) if models is None else coerce_stream_models(models)
        return await self.send_payload(facemesh_payload(landmarks, chosen), payload_id=payload_id)

    async def reset_stream(self) -> StreamResult:
        """Clear the sliding window's context, e.g. between two audio inputs."""
        return await self.send_payload({"reset_stream": True})

    async def job_details(self) -> str:
        """The id Hume gave this connection's streaming job."""
        result = await self.send_payload({"job_details": True})
        if result.job_id is None:
            raise HumeError("Hume's streaming API answered job_details without a job id")
        return result.job_id

    async def send_payload(
        self, payload: Mapping[str, Any], *, payload_id: str | None = None
    ) -> StreamResult:
        """Send one prepared payload with a ``payload_id`` (generated when None) and return its reply."""
        message = dict(payload)
        message["payload_id"] = payload_id if payload_id is not None else f"{self._tag}-{next(self._ids)}"
        if self.stream_window_ms is not None and "data" in message:
            message["stream_window_ms"] = self.stream_window_ms
        reply = await self._exchange(json.dumps(message), message["payload_id"])
        return parse_reply(reply)

    async def _connected(self) -> ClientConnection:
        """The open connection, reconnecting first if Hume closed it (idle timeout) or there is none."""
        if self._connection is not None and self.is_open:
            return self._connection
        if self._connection is not None:
            log.info(
                "Hume closed the streaming connection (code %s %s); reconnecting",
                self._connection.close_code,
                self._connection.close_reason or "",
            )
        self._connection = await self._client.open_connection()
        self.connections += 1
        return self._connection

    async def _exchange(self, message: str, payload_id: str) -> Mapping[str, Any]:
        """Send and read the reply in lockstep; a broken connection is reopened and the payload resent."""
        async with self._lock:
            tracker = RetryTracker(
                self._client.retry_policy, "SEND", f"payload {payload_id}", idempotent=True
            )
            while True:
                connection = await self._connected()
                try:
                    await connection.send(message)
                    return await self._reply(connection, payload_id)
                except _TRANSPORT_ERRORS as exc:
                    self._connection = None
                    await connection.close()
                    delay = tracker.after_error(exc, Delivery.MAYBE_SENT)
                    if delay is None:
                        raise HumeConnectionError(
                            f"No reply from Hume's streaming API for payload {payload_id} after "
                            f"{tracker.attempt + 1} attempt(s): {type(exc).__name__}: "
                            f"{truncate(self._client.redact(str(exc)), 300)}"
                        ) from None
                await self._client.sleep(delay)

    async def _reply(self, connection: ClientConnection, payload_id: str) -> Mapping[str, Any]:
        """The reply to ``payload_id``; replies echoing another id are stale and dropped."""
        while True:
            reply = await asyncio.wait_for(connection.recv(), self._client.timeout)
            data = decode_message(self._client.redact_reply(reply))
            echoed = data.get("payload_id")
            if echoed is None or echoed == payload_id:
                return data
            log.warning("Dropping a reply for payload %s while waiting for %s", echoed, payload_id)
