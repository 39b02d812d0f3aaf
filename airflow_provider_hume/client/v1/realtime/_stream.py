"""The session loop shared by the audio and video streams (hume-api-v1.md §7.1, §10 reconnect).

A stream runs one session after another until its media is sent and a session closes on the client's
request. Per session: connect, wait for ``session.created``, replay the configuration (``session.update``,
then ``session.updated``), send media while a reader task takes the server's messages, send
``session.close`` and wait for ``session.closed``. When a session ends otherwise, the reconnect rules decide
(:mod:`.reconnect`): a new session after the back-off, or the error that ended it. The first connection is
not retried (a wrong key or URL fails the same way again).
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import time
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from airflow_provider_hume.client._fields import check_number
from airflow_provider_hume.client.errors import (
    HumeConnectionError,
    HumeError,
    HumeStreamError,
    redact_text,
)
from airflow_provider_hume.client.protocol import check_api_key
from airflow_provider_hume.client.v1.realtime.connection import open_socket, realtime_url, retryable
from airflow_provider_hume.client.v1.realtime.messages import (
    Endpoint,
    RealtimeError,
    RealtimeMessage,
    SessionClosed,
    SessionCreated,
    SessionUpdated,
    parse_message,
)
from airflow_provider_hume.client.v1.realtime.reconnect import Backoff, ReconnectPolicy, should_reconnect
from airflow_provider_hume.client.v1.realtime.summary import SessionSummary, StreamSummary

log = logging.getLogger(__name__)

_T = TypeVar("_T")
Handler = Callable[[_T], Awaitable[None] | None]
Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]


async def call(handler: Handler[_T] | None, value: _T) -> None:
    """Give ``value`` to a sync or async handler."""
    if handler is not None:
        result = handler(value)
        if inspect.isawaitable(result):
            await result


@dataclass
class Session:
    """The state of one session, shared by the sender and the reader."""

    connection: ClientConnection
    run_id: str = ""
    closed: SessionClosed | None = None
    last_error: RealtimeError | None = None
    close_sent: bool = False
    close_code: int | None = None
    frames_sent: int = 0
    results: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    created: asyncio.Event = field(default_factory=asyncio.Event)
    updated: asyncio.Event = field(default_factory=asyncio.Event)
    done: asyncio.Event = field(default_factory=asyncio.Event)
    wake: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass(frozen=True)
class StreamOptions:
    """How a stream connects, paces and reconnects (see ``stream_audio`` / ``stream_images``).

    ``speed`` multiplies the send rates: a test aid for an emulator started with the same rate multiplier,
    never for Hume. ``reply_timeout`` bounds every wait for the server (``session.created``, a frame's reply,
    ``session.closed``). ``sleep`` waits out the reconnect delays and ``clock`` (monotonic seconds) drives the
    pacers and the back-off: tests inject them.
    """

    reconnect: ReconnectPolicy = field(default_factory=ReconnectPolicy)
    speed: float = 1.0
    open_timeout: float = 10.0
    reply_timeout: float = 30.0
    sleep: Sleep = asyncio.sleep
    clock: Clock = time.monotonic

    def __post_init__(self) -> None:
        check_number(self.speed, "speed", minimum=0.001)
        check_number(self.open_timeout, "open_timeout", minimum=0.001)
        check_number(self.reply_timeout, "reply_timeout", minimum=0.001)


class Stream(ABC):
    """One stream's sessions; subclasses send the media and read the endpoint's messages."""

    endpoint: Endpoint

    def __init__(
        self,
        base_url: str,
        api_key: str,
        update: Mapping[str, Any] | None,
        options: StreamOptions,
        on_session: Handler[SessionSummary] | None,
    ) -> None:
        self.url = realtime_url(base_url, self.endpoint)
        self._api_key = check_api_key(api_key)
        self._update = None if update is None else {"type": "session.update", **update}
        self.options = options
        self._on_session = on_session
        self._sessions: list[SessionSummary] = []

    # -- the subclass's part -------------------------------------------------------------------------

    @abstractmethod
    async def send_media(self, session: Session) -> None:
        """Send media until there is none left or the session ends."""

    @abstractmethod
    async def on_message(self, session: Session, message: RealtimeMessage) -> None:
        """Take one server message (all types; common ones are already recorded in ``session``)."""

    @abstractmethod
    def summarise(self, session: Session) -> SessionSummary:
        """The session's summary, with its accounting checked; also leaves the stream ready for the next."""

    # -- the loop -------------------------------------------------------------------------------------

    async def run(self) -> StreamSummary:
        """Stream everything; the summary of every session."""
        options = self.options
        backoff = Backoff(options.reconnect)
        connection = await open_socket(self.url, self._api_key, open_timeout=options.open_timeout)
        while True:
            backoff.opened(options.clock())
            session = Session(connection)
            await self._session(session)
            summary = self.summarise(session)
            self._sessions.append(summary)
            for problem in summary.problems:
                log.warning("Hume %s session %s: %s", self.endpoint, summary.run_id, problem)
            await call(self._on_session, summary)
            if (
                session.close_sent
                and session.closed is not None
                and session.closed.reason == "client_request"
            ):
                return StreamSummary(self.endpoint, tuple(self._sessions))
            reason = session.closed.reason if session.closed is not None else None
            error_code = session.last_error.code if session.last_error is not None else None
            if session.close_sent or not should_reconnect(
                self.endpoint, session.close_code, reason, error_code
            ):
                raise self._final_error(session)
            log.info(
                "Hume %s session %s ended (%s, close code %s); reconnecting",
                self.endpoint,
                summary.run_id,
                reason or "no session.closed",
                session.close_code,
            )
            connection = await self._reconnect(backoff, session)

    async def _reconnect(self, backoff: Backoff, ended: Session) -> ClientConnection:
        """A new connection; when no attempt is left, the last attempt's error or what ended the session."""
        options = self.options
        failure: HumeError | None = None
        while True:
            delay = backoff.next_delay(options.clock())
            if delay is None:
                raise failure or self._final_error(ended)
            await options.sleep(delay)
            try:
                return await open_socket(self.url, self._api_key, open_timeout=options.open_timeout)
            except HumeError as exc:
                if not retryable(exc):
                    raise
                failure = exc

    async def _session(self, session: Session) -> None:
        reader = asyncio.ensure_future(self._read(session))
        try:
            if (
                await self.pause(session, self.options.reply_timeout, until=session.created)
                and not session.done.is_set()
            ):
                await self._start(session)
                if not session.done.is_set():
                    await self.send_media(session)
                if not session.done.is_set() and not session.close_sent:
                    session.close_sent = True
                    await self._send(session, '{"type": "session.close"}')
            await asyncio.wait_for(asyncio.shield(reader), self.options.reply_timeout)
        except asyncio.TimeoutError:
            session.problems.append(f"no answer within {self.options.reply_timeout:g} s; connection dropped")
        finally:
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)
            await session.connection.close()
            if session.close_code is None and session.connection.protocol.close_rcvd is not None:
                session.close_code = session.connection.protocol.close_rcvd.code

    async def _start(self, session: Session) -> None:
        if self._update is None:
            return
        await self._send(session, json.dumps(self._update))
        await self.pause(session, self.options.reply_timeout, until=session.updated)

    async def _send(self, session: Session, data: str | bytes) -> bool:
        """Send one message; ``False`` (and the reader finished) if the connection has closed."""
        try:
            await session.connection.send(data)
        except ConnectionClosed:
            await asyncio.wait({asyncio.ensure_future(session.done.wait())})
            return False
        return True

    async def pause(
        self, session: Session, seconds: float | None, *, until: asyncio.Event | None = None
    ) -> bool:
        """Wait ``seconds`` (``None``: the reply timeout) or until ``until`` is set, a message arrives
        (without ``until``) or the session ends; whether ``until`` was set."""
        event = until if until is not None else session.wake
        if until is None:
            session.wake.clear()
        waiters = {asyncio.ensure_future(event.wait()), asyncio.ensure_future(session.done.wait())}
        timeout = self.options.reply_timeout if seconds is None else seconds
        try:
            await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in waiters:
                task.cancel()
        return event.is_set()

    async def _read(self, session: Session) -> None:
        try:
            async for raw in session.connection:
                text = raw if isinstance(raw, str) else raw.decode("utf-8", "replace")
                try:
                    message = parse_message(redact_text(text, (self._api_key,)), self.endpoint)
                except HumeStreamError as exc:
                    session.problems.append(str(exc))
                    continue
                self._record(session, message)
                await self.on_message(session, message)
                session.wake.set()
        except ConnectionClosed:
            pass
        finally:
            close = session.connection.protocol.close_rcvd
            session.close_code = None if close is None else close.code
            session.done.set()
            session.wake.set()

    def _record(self, session: Session, message: RealtimeMessage) -> None:
        if isinstance(message, SessionCreated):
            session.run_id = message.session_id
            session.created.set()
        elif isinstance(message, SessionUpdated):
            session.updated.set()
        elif isinstance(message, SessionClosed):
            session.closed = message
        elif isinstance(message, RealtimeError):
            session.errors[message.code] += 1
            session.last_error = message
            if message.code == "config_invalid" and not session.updated.is_set():
                session.updated.set()

    def _final_error(self, session: Session) -> HumeError:
        error = session.last_error
        if error is not None and not error.retryable:
            return error.to_exception()
        if session.closed is not None:
            return HumeStreamError(
                session.closed.reason,
                f"{self.endpoint} session {session.run_id} ended ({session.closed.reason}) before the media",
            )
        return HumeConnectionError(
            f"the {self.endpoint} realtime connection closed (code {session.close_code or 1006}) "
            f"before its session ended"
        )
