"""The realtime session state machine shared by both sockets (hume-api-v1.md §7.1), HTTP-free.

A session is its run (``session_id`` = ``run_id``), its configuration and its counters. The socket hands it
each client message in order and sends back the :class:`Step` it returns; when a step ends the session, the
socket sends :meth:`RealtimeSession.closing` (the final messages, ``session.closed`` last) and closes with the
reason's code. Text is checked in this order: size, JSON object with a ``type``, then ``session.update``
(only before the first media frame, else a session-ending ``config_invalid``) or ``session.close``; anything
else is a ``message_invalid`` the session survives. What a media frame goes through is the subclass's.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import Any

from airflow_provider_hume.emulator.backend.faults import Rejection
from airflow_provider_hume.emulator.v1.realtime.config import ConfigInvalid
from airflow_provider_hume.emulator.v1.realtime.messages import (
    CLOSE_CODES,
    LOST_CONNECTION_CODE,
    CloseReason,
    Endpoint,
    Message,
    Step,
    error,
)
from airflow_provider_hume.emulator.v1.runs import EventKind, RunStore

#: Server reasons after which the run counts as ``ended``; ``error`` leaves it ``errored``.
_ORDERLY: frozenset[CloseReason] = frozenset({"client_request", "idle_timeout", "server_shutdown"})
#: Client close codes of an orderly goodbye without ``session.close``.
_CLIENT_ORDERLY_CODES = frozenset({1000, 1001})
#: Codes the server sees for a connection that ended without a (readable) close frame.
_NO_CLOSE_FRAME = frozenset({1005, 1006})
#: Reasons after which the media received so far is still measured before ``session.closed``.
_FLUSHED: frozenset[CloseReason] = frozenset({"client_request", "idle_timeout"})


class RealtimeSession(ABC):
    """One session; ``clock`` gives monotonic seconds for the rate limit (scaled by any test multiplier)."""

    endpoint: Endpoint
    max_message_bytes: int
    limit_text: str

    def __init__(self, runs: RunStore, user_id: str, clock: Callable[[], float]) -> None:
        self._runs = runs
        self._clock = clock
        self.config: dict[str, Any] = self.default_config()
        self.run_id = runs.start(self.endpoint, "realtime", self.run_config(), user_id).run_id
        self.media_seen = False
        self.bytes_received = 0
        self.media_taken = 0
        """Media frames that passed the send-rate check."""
        self.ended = False

    # -- the subclass's part -------------------------------------------------------------------------

    @abstractmethod
    def default_config(self) -> dict[str, Any]:
        """The configuration of a new session."""

    @abstractmethod
    def parse_update(self, message: Mapping[str, Any]) -> dict[str, Any]:
        """The configuration a ``session.update`` asks for; :class:`ConfigInvalid` if it cannot be applied."""

    @abstractmethod
    def on_media(self, data: bytes, injected: Rejection | None = None) -> Step:
        """The replies to one binary frame; ``injected`` is a fault the emulator decided for it."""

    @abstractmethod
    def flush(self) -> list[Message]:
        """Results still due for media received, sent before ``session.closed`` on an orderly close."""

    @abstractmethod
    def totals(self) -> dict[str, Any]:
        """``received`` and ``produced`` of ``session.closed``."""

    @abstractmethod
    def metered_seconds(self) -> float:
        """Billable seconds so far (before the 10 s minimum, which the run store applies at the end)."""

    # -- shared ---------------------------------------------------------------------------------------

    def run_config(self) -> dict[str, Any]:
        """The configuration as a run records it (hume-api-v1.md §8)."""
        return {"schema": "v4", **self.config}

    def created(self) -> Message:
        """``session.created``: the session id and the default configuration."""
        return {"type": "session.created", "session_id": self.run_id, **self.config}

    def on_text(self, text: str) -> Step:
        """The replies to one text frame."""
        self.heard()
        if len(text.encode("utf-8")) > self.max_message_bytes:
            return self.too_large()
        try:
            message = json.loads(text)
        except ValueError:
            return Step([error("message_invalid", "the message is not valid JSON", retryable=True)])
        kind = message.get("type") if isinstance(message, dict) else None
        if kind == "session.update":
            return self._update(message)
        if kind == "session.close":
            return Step(end="client_request")
        what = f"unknown message type {kind!r}" if isinstance(kind, str) else "a JSON object with a `type`"
        detail = what if isinstance(kind, str) else f"expected {what}"
        return Step([error("message_invalid", f"the message could not be read: {detail}", retryable=True)])

    def _update(self, message: Mapping[str, Any]) -> Step:
        if self.media_seen:
            text = "session.update is accepted only before the first media frame"
            return Step([error("config_invalid", text, retryable=False)], end="error")
        try:
            self.config = self.parse_update(message)
        except ConfigInvalid as exc:
            return Step([error("config_invalid", str(exc), retryable=False)], end="error")
        self._runs.touch(self.run_id, config=self.run_config())
        return Step([{"type": "session.updated", **self.config}])

    def too_large(self) -> Step:
        """A message over the limit: logged, answered, and the session ends."""
        self.event("message_too_large", {"limit_bytes": self.max_message_bytes})
        text = f"the message is larger than {self.limit_text} ({self.max_message_bytes} bytes)"
        return Step([error("message_too_large", text, retryable=False)], end="error")

    def rate_limited(self) -> Step:
        """A frame sent faster than the send rate: not measured, the session goes on."""
        self.event("rate_limited", None)
        self.heard()
        text = "the frame was sent faster than the send rate allows and was not measured; resend it"
        return Step([error("rate_limited", text, retryable=True)])

    def event(self, kind: EventKind, detail: Mapping[str, Any] | None) -> None:
        """Log one event to the run (the store drops it once its kind is at the cap)."""
        self._runs.add_event(self.run_id, kind, detail)

    def heard(self) -> None:
        """Record that the client was heard from, with the running bill."""
        self._runs.touch(self.run_id, metered_seconds=self.metered_seconds())

    def closing(self, reason: CloseReason) -> list[Message]:
        """The last messages (``session.closed`` last); the run ends with the reason's close code."""
        messages = self.flush() if reason in _FLUSHED else []
        messages.append(
            {"type": "session.closed", "session_id": self.run_id, "reason": reason, **self.totals()}
        )
        self._finish("ended" if reason in _ORDERLY else "errored", CLOSE_CODES[reason], reason)
        return messages

    def lost(self, code: int | None, reason: str | None) -> None:
        """The client left without ``session.close``: its close frame's code and reason; a connection lost
        without a close frame is recorded as 1011 ``error``. 1005 counts as lost: uvicorn reports an aborted
        connection with it, so a close frame without a code cannot be told apart."""
        if code is None or code in _NO_CLOSE_FRAME:
            self._finish("errored", LOST_CONNECTION_CODE, "error")
        else:
            status = "ended" if code in _CLIENT_ORDERLY_CODES else "errored"
            self._finish(status, code, reason or None)

    def _finish(self, status: str, code: int, reason: str | None) -> None:
        if self.ended:
            return
        self.ended = True
        self._runs.finish(
            self.run_id,
            "ended" if status == "ended" else "errored",
            self.metered_seconds(),
            close_code=code,
            close_reason=reason,
            bytes_received=self.bytes_received,
        )
