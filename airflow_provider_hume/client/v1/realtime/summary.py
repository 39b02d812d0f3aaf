"""What a realtime stream did, session by session (hume-api-v1.md §7.1 ``session.closed``, §8 runs).

Each session is a run. Its :class:`SessionSummary` holds the server's ``received``/``produced`` totals from
``session.closed`` next to what the client counted, and ``problems`` lists every disagreement (a result lost
on the way, a frame the server counted differently) and every loss (audio taken in but never measured when a
session dropped). A :class:`StreamSummary` is ``complete`` when the last session was closed on the client's
request and no session has a problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from airflow_provider_hume.client.v1.realtime.messages import Endpoint


@dataclass(frozen=True)
class SessionSummary:
    """One session (one run).

    ``closed_reason`` and the totals come from ``session.closed`` (None when it never arrived), ``close_code``
    from the close frame (None without one). ``frames_sent`` counts media frames sent, resends included;
    ``results`` the ``measurement.result`` messages; ``errors`` the ``error`` messages per code.
    ``unmeasured_audio_ms`` is audio this session took in after its last measured point when it dropped:
    lost, since a new session does not continue the old one. ``resent_frames`` are video frames left without
    a reply that the next session sends again.
    """

    run_id: str
    closed_reason: str | None
    close_code: int | None
    received: Mapping[str, Any] | None
    produced: Mapping[str, Any] | None
    frames_sent: int
    results: int
    errors: Mapping[str, int]
    unmeasured_audio_ms: int = 0
    resent_frames: int = 0
    problems: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class StreamSummary:
    """A whole stream: its sessions in order (a reconnect starts a new one, a new run)."""

    endpoint: Endpoint
    sessions: tuple[SessionSummary, ...]

    @property
    def run_ids(self) -> list[str]:
        """Every run the stream made, oldest first."""
        return [session.run_id for session in self.sessions]

    @property
    def reconnects(self) -> int:
        """Sessions opened after the first."""
        return max(0, len(self.sessions) - 1)

    @property
    def results(self) -> int:
        """``measurement.result`` messages over all sessions."""
        return sum(session.results for session in self.sessions)

    @property
    def unmeasured_audio_ms(self) -> int:
        """Audio lost to dropped sessions (taken in, never measured)."""
        return sum(session.unmeasured_audio_ms for session in self.sessions)

    @property
    def problems(self) -> list[str]:
        """Every session's problems, prefixed with its run id."""
        return [
            f"run {session.run_id}: {problem}" for session in self.sessions for problem in session.problems
        ]

    @property
    def complete(self) -> bool:
        """The last session closed on the client's request, and no session had a problem."""
        last = self.sessions[-1] if self.sessions else None
        return last is not None and last.closed_reason == "client_request" and not self.problems

    def to_api(self) -> dict[str, Any]:
        """A JSON-ready dict (for XCom or a log): run ids, totals and problems, no results."""
        return {
            "endpoint": self.endpoint,
            "run_ids": self.run_ids,
            "complete": self.complete,
            "results": self.results,
            "unmeasured_audio_ms": self.unmeasured_audio_ms,
            "sessions": [
                {
                    "run_id": session.run_id,
                    "closed_reason": session.closed_reason,
                    "close_code": session.close_code,
                    "received": None if session.received is None else dict(session.received),
                    "produced": None if session.produced is None else dict(session.produced),
                    "frames_sent": session.frames_sent,
                    "results": session.results,
                    "errors": dict(session.errors),
                    "unmeasured_audio_ms": session.unmeasured_audio_ms,
                    "resent_frames": session.resent_frames,
                    "problems": list(session.problems),
                }
                for session in self.sessions
            ],
        }
