"""Streaming JPEG frames to ``/v1/expression/video/realtime`` (hume-api-v1.md §7.1, §10).

Every frame gets exactly one reply, in order, so the frames in flight form a queue: a ``measurement.result``
or an ``invalid_image_frame``, ``rate_limited`` or ``internal_error`` answers the oldest. Frames are paced at
3 fps at most (:class:`FramePacer`: halved on ``rate_limited`` down to 0.5 fps, climbing back as frames are
accepted); a ``rate_limited`` frame is sent again, a retryable ``internal_error`` once more. A frame over the
2 MB message limit would end the session, so it is not sent and gets a ``message_too_large`` reply here.
When a session drops, the frames it left without a reply are sent again in the next session (a new run).
``on_reply`` gets one :class:`FrameReply` per frame, in the order of the frames.
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from airflow_provider_hume.client.v1.configs import FaceConfig
from airflow_provider_hume.client.v1.limits import MAX_IMAGE_BYTES
from airflow_provider_hume.client.v1.realtime._stream import Handler, Session, Stream, StreamOptions, call
from airflow_provider_hume.client.v1.realtime.messages import (
    FRAME_ERRORS,
    RealtimeError,
    RealtimeMessage,
)
from airflow_provider_hume.client.v1.realtime.pacing import FramePacer
from airflow_provider_hume.client.v1.realtime.sources import ImageSource, image_frames
from airflow_provider_hume.client.v1.realtime.summary import SessionSummary, StreamSummary
from airflow_provider_hume.client.v1.results import FrameMeasurement


@dataclass(frozen=True)
class FrameReply:
    """The reply to frame ``index`` (from 0, in source order): its result or the error that rejected it."""

    index: int
    run_id: str
    result: FrameMeasurement | None = None
    error: RealtimeError | None = None


@dataclass
class _Entry:
    index: int
    data: bytes
    resent: bool = False


@dataclass
class _VideoCounts:
    in_flight: deque[tuple[_Entry, int]] = field(default_factory=deque)
    faces: int = 0
    failed: int = 0


def _key(entry: _Entry) -> int:
    return entry.index


class VideoStream(Stream):
    """The sessions of one image stream."""

    endpoint = "video"

    def __init__(
        self,
        base_url: str,
        api_key: str,
        images: AsyncIterator[bytes],
        face: FaceConfig | None,
        on_reply: Handler[FrameReply] | None,
        options: StreamOptions,
        on_session: Handler[SessionSummary] | None = None,
    ) -> None:
        update = None if face is None else {"face": {"threshold": face.threshold, "min_size": face.min_size}}
        super().__init__(base_url, api_key, update, options, on_session)
        self._images = images
        self._on_reply = on_reply
        self._waiting: list[_Entry] = []
        self._replies: dict[int, FrameReply] = {}
        self._next_reply = 0
        self._next_index = 0
        self._source_done = False
        self._pacer = FramePacer(options.clock(), speed=options.speed)
        self._counts: dict[int, _VideoCounts] = {}

    def _of(self, session: Session) -> _VideoCounts:
        return self._counts.setdefault(id(session), _VideoCounts())

    async def send_media(self, session: Session) -> None:
        counts = self._of(session)
        clock = self.options.clock
        while not session.done.is_set():
            if not self._waiting and not self._source_done:
                await self._pull(session)
                continue
            if not self._waiting:
                if not counts.in_flight:
                    return
                if not await self.pause(session, None) and counts.in_flight and not session.done.is_set():
                    session.problems.append(f"no reply within {self.options.reply_timeout:g} s")
                    await session.connection.close(1011, "no reply")
                continue
            delay = self._pacer.delay(clock())
            if delay > 0:
                await self.pause(session, delay)
                continue
            entry = self._waiting.pop(0)
            # In flight before the send: its reply can be read while the send is still being awaited.
            counts.in_flight.append((entry, self._pacer.sent(clock())))
            session.frames_sent += 1
            if not await self._send(session, entry.data):
                return

    async def _pull(self, session: Session) -> None:
        data = await anext(self._images, None)
        if data is None:
            self._source_done = True
            return
        entry = _Entry(self._next_index, data)
        self._next_index += 1
        if len(data) > MAX_IMAGE_BYTES:
            text = f"the frame is {len(data)} bytes, over the {MAX_IMAGE_BYTES}-byte message limit; not sent"
            await self._reply(
                FrameReply(entry.index, session.run_id, error=RealtimeError("message_too_large", text, False))
            )
        else:
            self._waiting.append(entry)

    async def on_message(self, session: Session, message: RealtimeMessage) -> None:
        counts = self._of(session)
        now = self.options.clock()
        if isinstance(message, FrameMeasurement) and counts.in_flight:
            entry, send_number = counts.in_flight.popleft()
            session.results += 1
            counts.faces += sum(1 for face in message.faces if face.face_id is not None)
            self._pacer.accepted(send_number, now)
            await self._reply(FrameReply(entry.index, session.run_id, result=message))
        elif isinstance(message, RealtimeError) and message.code in FRAME_ERRORS and counts.in_flight:
            entry, send_number = counts.in_flight.popleft()
            if message.code == "rate_limited":
                self._pacer.rejected(send_number, now)
                bisect.insort(self._waiting, entry, key=_key)
                return
            self._pacer.accepted(send_number, now)
            if message.code == "internal_error":
                counts.failed += 1
                if message.retryable and not entry.resent:
                    entry.resent = True
                    bisect.insort(self._waiting, entry, key=_key)
                    return
            await self._reply(FrameReply(entry.index, session.run_id, error=message))

    async def _reply(self, reply: FrameReply) -> None:
        self._replies[reply.index] = reply
        while self._next_reply in self._replies:
            await call(self._on_reply, self._replies.pop(self._next_reply))
            self._next_reply += 1

    def summarise(self, session: Session) -> SessionSummary:
        counts = self._counts.pop(id(session), _VideoCounts())
        problems = list(session.problems)
        closed = session.closed
        if closed is not None:
            checks = {
                "produced.measurements": (closed.produced.get("measurements"), counts.faces),
                "received.frames": (closed.received.get("frames"), session.results + counts.failed),
            }
            problems += [
                f"session.closed says {name} {server}, the client counted {client}"
                for name, (server, client) in checks.items()
                if server != client
            ]
        for entry, _ in counts.in_flight:
            bisect.insort(self._waiting, entry, key=_key)
        return SessionSummary(
            run_id=session.run_id,
            closed_reason=None if closed is None else closed.reason,
            close_code=session.close_code,
            received=None if closed is None else closed.received,
            produced=None if closed is None else closed.produced,
            frames_sent=session.frames_sent,
            results=session.results,
            errors=dict(session.errors),
            resent_frames=len(counts.in_flight),
            problems=tuple(problems),
        )


async def stream_images(
    base_url: str,
    api_key: str,
    source: ImageSource,
    face: FaceConfig | None = None,
    *,
    on_reply: Handler[FrameReply] | None = None,
    on_session: Handler[SessionSummary] | None = None,
    options: StreamOptions | None = None,
) -> StreamSummary:
    """Stream JPEG frames to ``<base_url>/v1/expression/video/realtime`` and return the summary.

    ``source``: JPEG bytes or :class:`MediaPart` images (an iterable or async iterable), one frame each.
    ``face``: its ``threshold`` and ``min_size`` are sent as ``session.update`` before the first frame of
    every session. ``on_reply`` gets each frame's :class:`FrameReply`, in order; ``on_session`` each
    session's summary as it ends. Raises as ``stream_audio``.
    """
    images = image_frames(source)
    stream = VideoStream(base_url, api_key, images, face, on_reply, options or StreamOptions(), on_session)
    try:
        return await stream.run()
    finally:
        await images.aclose()
