"""The run records of the ``v1`` API (hume-api-v1.md §8): one per measured upload or realtime session.

Thread-safe, HTTP-free; the file routes and the realtime sockets write to it, the runs routes read it.

* Run ids are UUIDv7 (48-bit Unix milliseconds, then random bits), like the SDK's examples.
* Status: ``live`` until :meth:`RunStore.finish`; a live run unheard from (:meth:`RunStore.touch`) for
  ``live_silence_ms`` reads ``errored``, with ``ended_at`` the last time it was heard, and reads ``live``
  again once it is heard from.
* ``metered_seconds``: at the end, a run that took in any media is billed at least 10 s.
* Lists are newest first (start time, then creation order); a cursor is the position of a page's last run, so
  runs started meanwhile never shift a page. The runs are kept in that order, so a page is found by bisection
  (cursor, start-time filters) and a walk that stops once the page is full, not a sort of every run.
  ``started_after`` is inclusive, ``started_before`` exclusive, compared in microseconds.
* Events are numbered from 1 per run; each kind is logged at most ``event_cap`` times per run (✖ Hume's caps
  are unpublished), after which it is named in ``capped_kinds``.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import builtins
import secrets
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final, Literal

from airflow_provider_hume.emulator.v1.timestamps import format_ms

RunStatus = Literal["live", "ended", "errored"]
RunMode = Literal["realtime", "file"]
RunEndpoint = Literal["audio", "video"]
RUN_STATUSES: Final[tuple[RunStatus, ...]] = ("live", "ended", "errored")
RUN_MODES: Final[tuple[RunMode, ...]] = ("realtime", "file")
RUN_ENDPOINTS: Final[tuple[RunEndpoint, ...]] = ("audio", "video")
EventKind = Literal[
    "invalid_audio_frame",
    "invalid_image_frame",
    "rate_limited",
    "inference_failed",
    "message_too_large",
    "video_recording_abandoned",
]
MIN_METERED_SECONDS: Final = 10.0


def new_run_id(unix_ms: int) -> str:
    """A UUIDv7 for a run started at ``unix_ms``."""
    value = (unix_ms & (2**48 - 1)) << 80 | secrets.randbits(80)
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
    return str(uuid.UUID(int=value))


@dataclass(frozen=True)
class Run:
    """A run as stored: everything ``GET /v1/expression/run/{run_id}`` shows, plus its organisation."""

    run_id: str
    organisation: str
    user_id: str
    status: RunStatus
    endpoint: RunEndpoint
    mode: RunMode
    config: Mapping[str, Any]
    started_ms: int
    ended_ms: int | None = None
    bytes_received: int | None = None
    bytes_recorded: int | None = None
    metered_seconds: float = 0.0
    close_code: int | None = None
    close_reason: str | None = None

    def summary(self) -> dict[str, Any]:
        """The ``RunSummary`` shape."""
        return {
            "run_id": self.run_id,
            "user_id": self.user_id,
            "status": self.status,
            "endpoint": self.endpoint,
            "mode": self.mode,
            "started_at": format_ms(self.started_ms),
            "ended_at": None if self.ended_ms is None else format_ms(self.ended_ms),
            "bytes_received": self.bytes_received,
            "bytes_recorded": self.bytes_recorded,
            "metered_seconds": round(self.metered_seconds, 3),
        }

    def to_api(self) -> dict[str, Any]:
        """The ``Run`` shape."""
        return {
            **self.summary(),
            "close_code": self.close_code,
            "close_reason": self.close_reason,
            "config": dict(self.config),
        }


@dataclass(frozen=True)
class RunFilters:
    """The list filters; ``None`` means any. Times are Unix microseconds."""

    user_id: str | None = None
    status: RunStatus | None = None
    mode: RunMode | None = None
    endpoint: RunEndpoint | None = None
    started_after_us: int | None = None
    started_before_us: int | None = None

    def accepts(self, run: Run) -> bool:
        started_us = run.started_ms * 1000
        return (
            (self.user_id is None or run.user_id == self.user_id)
            and (self.status is None or run.status == self.status)
            and (self.mode is None or run.mode == self.mode)
            and (self.endpoint is None or run.endpoint == self.endpoint)
            and (self.started_after_us is None or started_us >= self.started_after_us)
            and (self.started_before_us is None or started_us < self.started_before_us)
        )


@dataclass(frozen=True)
class EventsPage:
    """One page of a run's event log."""

    events: list[dict[str, Any]]
    at_cap: bool
    capped_kinds: list[str]
    gaps: bool
    next_cursor: str | None

    def to_api(self) -> dict[str, Any]:
        """The ``RunEventsPage`` shape (``next_cursor`` absent on the last page)."""
        body: dict[str, Any] = {
            "events": self.events,
            "at_cap": self.at_cap,
            "capped_kinds": self.capped_kinds,
            "gaps": self.gaps,
        }
        if self.next_cursor is not None:
            body["next_cursor"] = self.next_cursor
        return body


@dataclass
class _Record:
    run: Run
    seq: int
    heard_ms: int
    events: list[dict[str, Any]] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)
    capped: list[str] = field(default_factory=list)


class RunStore:
    """All runs of all organisations; ``clock_ms`` gives Unix milliseconds."""

    def __init__(
        self, clock_ms: Callable[[], int], *, live_silence_ms: int = 300_000, event_cap: int = 100
    ) -> None:
        self._clock_ms = clock_ms
        self._live_silence_ms = live_silence_ms
        self._event_cap = event_cap
        self._lock = threading.Lock()
        self._records: dict[str, _Record] = {}
        #: The records by position (start time, then creation order), oldest first; lists walk it backwards.
        self._order: builtins.list[_Record] = []
        self._seq = 0

    def start(
        self,
        endpoint: RunEndpoint,
        mode: RunMode,
        config: Mapping[str, Any],
        user_id: str,
        *,
        organisation: str | None = None,
    ) -> Run:
        """Record a run starting now, ``live``; ``organisation`` defaults to ``user_id``."""
        now = self._clock_ms()
        owner = organisation or user_id
        run = Run(new_run_id(now), owner, user_id, "live", endpoint, mode, dict(config), now)
        with self._lock:
            self._seq += 1
            record = _Record(run, self._seq, now)
            self._records[run.run_id] = record
            bisect.insort_right(self._order, record, key=_position)
        return run

    def touch(
        self,
        run_id: str,
        *,
        metered_seconds: float | None = None,
        bytes_recorded: int | None = None,
        config: Mapping[str, Any] | None = None,
    ) -> None:
        """A live run was heard from now; optionally with its running totals or a new ``config`` (a realtime
        session's accepted ``session.update``)."""
        with self._lock:
            record = self._records[run_id]
            record.heard_ms = self._clock_ms()
            changes: dict[str, Any] = {}
            if metered_seconds is not None:
                changes["metered_seconds"] = metered_seconds
            if bytes_recorded is not None:
                changes["bytes_recorded"] = bytes_recorded
            if config is not None:
                changes["config"] = dict(config)
            record.run = replace(record.run, **changes)

    def finish(
        self,
        run_id: str,
        status: RunStatus,
        metered_seconds: float,
        close_code: int | None = None,
        close_reason: str | None = None,
        bytes_received: int | None = None,
        bytes_recorded: int | None = None,
    ) -> Run:
        """End a run as ``ended`` or ``errored``; ``metered_seconds`` > 0 is raised to the 10 s minimum."""
        if status == "live":
            raise ValueError("a run finishes as ended or errored")
        metered = max(MIN_METERED_SECONDS, metered_seconds) if metered_seconds > 0 else 0.0
        with self._lock:
            record = self._records[run_id]
            now = self._clock_ms()
            record.heard_ms = now
            record.run = replace(
                record.run,
                status=status,
                ended_ms=now,
                metered_seconds=metered,
                close_code=close_code,
                close_reason=close_reason,
                bytes_received=bytes_received,
                bytes_recorded=record.run.bytes_recorded if bytes_recorded is None else bytes_recorded,
            )
            return record.run

    def add_event(self, run_id: str, kind: EventKind, detail: Mapping[str, Any] | None = None) -> bool:
        """Log an event now; ``False`` (not logged) once its kind reached the per-run cap."""
        with self._lock:
            record = self._records[run_id]
            if record.kinds[kind] >= self._event_cap:
                if kind not in record.capped:
                    record.capped.append(kind)
                return False
            record.kinds[kind] += 1
            event = {
                "seq": len(record.events) + 1,
                "at": format_ms(self._clock_ms()),
                "kind": kind,
                "detail": None if detail is None else dict(detail),
            }
            record.events.append(event)
            return True

    def get(self, run_id: str, organisation: str | None = None) -> Run | None:
        """The run, if it exists (and belongs to ``organisation`` when given)."""
        with self._lock:
            record = self._records.get(run_id)
        if record is None or (organisation is not None and record.run.organisation != organisation):
            return None
        return self._current(record)

    def list(
        self,
        filters: RunFilters,
        page_size: int,
        cursor: str | None = None,
        *,
        organisation: str | None = None,
    ) -> tuple[list[Run], str | None]:
        """One page, newest first, and the cursor of the next (``None`` on the last page).

        ``ValueError`` for a cursor this store did not make.
        """
        after = _decode_position(cursor) if cursor else None
        page: list[Run] = []
        last: tuple[int, int] | None = None
        with self._lock:
            for record in self._newest_first(filters, after):
                run = self._current(record)
                if (organisation is None or run.organisation == organisation) and filters.accepts(run):
                    if last is not None and len(page) == page_size:
                        return page, _encode(f"{last[0]}:{last[1]}")
                    page.append(run)
                    last = _position(record)
        return page, None

    def _newest_first(self, filters: RunFilters, after: tuple[int, int] | None) -> Iterator[_Record]:
        """The records before the position ``after`` (a cursor's) and inside the filters' start-time range,
        newest first, found by bisection rather than a sort of every run. Call under the lock."""
        order = self._order
        low, high = 0, len(order)
        if after is not None:
            high = bisect.bisect_left(order, after, key=_position)
        # started_us < before  <=>  started_ms < ceil(before / 1000); started_us >= after: the same bound.
        if filters.started_before_us is not None:
            high = min(high, bisect.bisect_left(order, -(-filters.started_before_us // 1000), key=_started))
        if filters.started_after_us is not None:
            low = bisect.bisect_left(order, -(-filters.started_after_us // 1000), key=_started)
        return map(order.__getitem__, range(high - 1, low - 1, -1))

    def events(self, run_id: str, page_size: int = 50, cursor: str | None = None) -> EventsPage:
        """One page of the run's events in ``seq`` order.

        ``KeyError`` for an unknown run, ``ValueError`` for a cursor this store did not make.
        """
        start = _decode_event_cursor(cursor) if cursor else 0
        with self._lock:
            record = self._records[run_id]
            events = [dict(event) for event in record.events[start : start + page_size]]
            more = start + page_size < len(record.events)
            capped = list(record.capped)
        next_cursor = _encode(f"e:{start + page_size}") if more else None
        return EventsPage(events, bool(capped), capped, False, next_cursor)

    def all_runs(self) -> builtins.list[Run]:
        """Every organisation's runs, newest first."""
        with self._lock:
            records = self._order[::-1]
        return [self._current(record) for record in records]

    def reset(self) -> None:
        """Forget every run."""
        with self._lock:
            self._records.clear()
            self._order.clear()

    def _current(self, record: _Record) -> Run:
        """The run with its status as read now (a silent live run reads ``errored``)."""
        run = record.run
        if run.status == "live" and self._clock_ms() - record.heard_ms > self._live_silence_ms:
            return replace(run, status="errored", ended_ms=record.heard_ms)
        return run


def _position(record: _Record) -> tuple[int, int]:
    return record.run.started_ms, record.seq


def _started(record: _Record) -> int:
    return record.run.started_ms


def _encode(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValueError("cursor is not one this server returned") from None


def _decode_position(cursor: str) -> tuple[int, int]:
    parts = _decode(cursor).split(":")
    if len(parts) != 2 or not all(part.isdigit() for part in parts):
        raise ValueError("cursor is not one this server returned")
    return int(parts[0]), int(parts[1])


def _decode_event_cursor(cursor: str) -> int:
    text = _decode(cursor)
    if not text.startswith("e:") or not text[2:].isdigit():
        raise ValueError("cursor is not one this server returned")
    return int(text[2:])
