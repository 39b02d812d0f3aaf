"""Streaming audio to ``/v1/expression/audio/realtime`` (hume-api-v1.md §7.1, §10).

Frames go out paced at 1 s of audio per second (:class:`AudioPacer`). Accepted frames are not acknowledged,
so an ``invalid_audio_frame`` or ``rate_limited`` reply is matched to the most recent frame sent that has no
reply yet: the pacer keeps frames a frame's length apart, so on any link whose round trip is shorter than a
frame (100 ms by default) the match is exact. A ``rate_limited`` frame is sent again, in order, after a
frame's length; an invalid one is dropped. After a dropped session (reconnect rules of :mod:`.reconnect`) the
stream goes on in a new session (a new run) with the frames not yet sent, preceded by the frames the old
session's ``session.closed`` shows it never took in (it takes frames in order). Audio the old session took in
after its last measured point is lost: a new session does not continue the old one; the summary says how much
(``unmeasured_audio_ms``).
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from airflow_provider_hume.client._fields import invalid
from airflow_provider_hume.client.v1.configs import AudioFileConfig
from airflow_provider_hume.client.v1.limits import BYTES_PER_SECOND
from airflow_provider_hume.client.v1.realtime._stream import Handler, Session, Stream, StreamOptions, call
from airflow_provider_hume.client.v1.realtime.messages import (
    AUDIO_FRAME_ERRORS,
    AudioMessage,
    RealtimeError,
    RealtimeMessage,
    UtteranceEnd,
    UtteranceStart,
)
from airflow_provider_hume.client.v1.realtime.pacing import AudioPacer
from airflow_provider_hume.client.v1.realtime.sources import AudioSource, audio_frames
from airflow_provider_hume.client.v1.realtime.summary import SessionSummary, StreamSummary
from airflow_provider_hume.client.v1.results import AudioMeasurement

AudioHandler = Handler[tuple[str, AudioMessage]]
"""Called with ``(run_id, message)`` for every message of every session, in order."""


@dataclass
class _Frame:
    seq: int
    data: bytes

    @property
    def seconds(self) -> float:
        return len(self.data) / BYTES_PER_SECOND


#: Frames kept per session for matching replies and for resending what a dropped session never took in.
_KEPT_FRAMES = 256


@dataclass
class _AudioCounts:
    """What the client counted in one session; ``sent`` holds its latest frames not known to be rejected."""

    sent: deque[_Frame] = field(default_factory=lambda: deque(maxlen=_KEPT_FRAMES))
    accepted_bytes: int = 0
    frame_errors: int = 0
    utterances: int = 0
    measured_ms: int = 0


def _seq(frame: _Frame) -> int:
    return frame.seq


class AudioStream(Stream):
    """The sessions of one audio stream."""

    endpoint = "audio"

    def __init__(
        self,
        base_url: str,
        api_key: str,
        frames: AsyncIterator[bytes],
        config: AudioFileConfig | None,
        on_message: AudioHandler | None,
        options: StreamOptions,
        on_session: Handler[SessionSummary] | None = None,
    ) -> None:
        update = None if config is None else config.to_api()
        super().__init__(base_url, api_key, update, options, on_session)
        self._frames = frames
        self._on_message = on_message
        self._pending: list[_Frame] = []
        self._next_seq = 0
        self._source_done = False
        self._pacer = AudioPacer(options.clock(), speed=options.speed)
        self._counts: dict[int, _AudioCounts] = {}

    def _of(self, session: Session) -> _AudioCounts:
        return self._counts.setdefault(id(session), _AudioCounts())

    async def _next_frame(self) -> _Frame | None:
        if self._pending:
            return self._pending.pop(0)
        if self._source_done:
            return None
        data = await anext(self._frames, None)
        if data is None:
            self._source_done = True
            return None
        self._next_seq += 1
        return _Frame(self._next_seq, data)

    async def send_media(self, session: Session) -> None:
        counts = self._of(session)
        clock = self.options.clock
        last = 0.0
        while not session.done.is_set():
            frame = await self._next_frame()
            if frame is None:
                # A reply to the last frame may still be on its way: give it one frame's length.
                await self.pause(session, last / self.options.speed)
                if self._pending and not session.done.is_set():
                    continue
                return
            delay = self._pacer.delay(frame.seconds, clock())
            if delay > 0:
                await self.pause(session, delay)
                if session.done.is_set():
                    bisect.insort(self._pending, frame, key=_seq)
                    return
            # Counted before sending: the reply can be read while the send is still being awaited.
            counts.sent.append(frame)
            counts.accepted_bytes += len(frame.data)
            session.frames_sent += 1
            if not await self._send(session, frame.data):
                counts.sent.remove(frame)
                counts.accepted_bytes -= len(frame.data)
                session.frames_sent -= 1
                bisect.insort(self._pending, frame, key=_seq)
                return
            self._pacer.sent(frame.seconds, clock())
            last = frame.seconds

    async def on_message(self, session: Session, message: RealtimeMessage) -> None:
        counts = self._of(session)
        if isinstance(message, RealtimeError) and message.code in AUDIO_FRAME_ERRORS:
            self._frame_error(counts, message)
        elif isinstance(message, AudioMeasurement):
            session.results += 1
            counts.measured_ms = max(counts.measured_ms, message.audio_end_ms)
        elif isinstance(message, UtteranceStart):
            counts.utterances += 1
        elif isinstance(message, UtteranceEnd):
            counts.measured_ms = max(counts.measured_ms, message.audio_end_ms)
        await call(self._on_message, (session.run_id, message))  # type: ignore[arg-type]

    def _frame_error(self, counts: _AudioCounts, error: RealtimeError) -> None:
        counts.frame_errors += 1
        if not counts.sent:
            return
        frame = counts.sent.pop()
        counts.accepted_bytes -= len(frame.data)
        if error.code == "rate_limited":
            self._pacer.rejected(self.options.clock())
            bisect.insort(self._pending, frame, key=_seq)

    def _resend_untaken(self, counts: _AudioCounts, session: Session, taken: object) -> str | None:
        """After a server-ended session: queue again the frames its ``received.frames`` shows it never took in
        (frames are taken in order); a problem if more are missing than the client kept."""
        sent = session.frames_sent - counts.frame_errors
        if not isinstance(taken, int) or taken >= sent:
            return None
        missing = sent - taken
        if missing > len(counts.sent):
            return (
                f"{missing} frames sent were never taken in, more than the {len(counts.sent)} kept to resend"
            )
        for _ in range(missing):
            frame = counts.sent.pop()
            counts.accepted_bytes -= len(frame.data)
            counts.frame_errors += 1
            bisect.insort(self._pending, frame, key=_seq)
        return None

    def summarise(self, session: Session) -> SessionSummary:
        counts = self._counts.pop(id(session), _AudioCounts())
        problems = list(session.problems)
        closed = session.closed
        if closed is not None and closed.reason != "client_request":
            problem = self._resend_untaken(counts, session, closed.received.get("frames"))
            problems += [problem] if problem else []
        accepted_ms = counts.accepted_bytes * 1000 // BYTES_PER_SECOND
        unmeasured = 0
        if closed is not None:
            checks = {
                "produced.measurements": (closed.produced.get("measurements"), session.results),
                "produced.utterances": (closed.produced.get("utterances"), counts.utterances),
                "received.frames": (closed.received.get("frames"), session.frames_sent - counts.frame_errors),
                "received.audio_duration_ms": (closed.received.get("audio_duration_ms"), accepted_ms),
            }
            problems += [
                f"session.closed says {name} {server}, the client counted {client}"
                for name, (server, client) in checks.items()
                if server != client
            ]
        if closed is None or closed.reason != "client_request":
            unmeasured = max(0, accepted_ms - counts.measured_ms)
            if unmeasured:
                problems.append(
                    f"up to {unmeasured} ms of audio taken in after the last measured point were lost as the "
                    f"session ended ({closed.reason if closed else 'connection lost'})"
                )
        return SessionSummary(
            run_id=session.run_id,
            closed_reason=None if closed is None else closed.reason,
            close_code=session.close_code,
            received=None if closed is None else closed.received,
            produced=None if closed is None else closed.produced,
            frames_sent=session.frames_sent,
            results=session.results,
            errors=dict(session.errors),
            unmeasured_audio_ms=unmeasured,
            problems=tuple(problems),
        )


async def stream_audio(
    base_url: str,
    api_key: str,
    source: AudioSource,
    config: AudioFileConfig | None = None,
    *,
    on_message: AudioHandler | None = None,
    on_session: Handler[SessionSummary] | None = None,
    frame_ms: int = 100,
    options: StreamOptions | None = None,
) -> StreamSummary:
    """Stream audio in real time to ``<base_url>/v1/expression/audio/realtime`` and return the summary.

    ``source``: PCM frames (an iterable or async iterable of bytes, sent as given) or a :class:`MediaPart`
    or file path of 16 kHz mono s16le audio, WAV or headerless, cut into ``frame_ms`` frames. ``config``:
    sent as ``session.update`` before the first frame of every session. ``on_message`` gets
    ``(run_id, message)`` for every message of every session (utterances, measurements, errors,
    ``session.closed``), sync or async; ``on_session`` gets each session's :class:`SessionSummary` as it
    ends, so the run ids are known even when the stream then fails. ``options``: pacing ``speed`` (a test
    aid), reconnect policy, timeouts, and the injectable ``sleep``/``clock``. Raises
    :class:`HumeStreamError` (its ``code``) when a session ends with an error that no new session can
    help, :class:`HumeAuthError` for a refused key, :class:`HumeConnectionError` when reconnects run out.
    """
    if isinstance(frame_ms, bool) or not isinstance(frame_ms, int) or not 10 <= frame_ms <= 10_000:
        raise invalid("frame_ms", "must be an integer from 10 to 10000", frame_ms)
    frame_bytes = frame_ms * BYTES_PER_SECOND // 1000
    frames = audio_frames(source, frame_bytes)
    stream = AudioStream(
        base_url, api_key, frames, config, on_message, options or StreamOptions(), on_session
    )
    try:
        return await stream.run()
    finally:
        await frames.aclose()
