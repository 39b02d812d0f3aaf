"""The scenario's ``realtime`` part: both sockets through the SDK's clients and its ``stream_video``."""

from __future__ import annotations

import asyncio
import json
import time
import typing
from typing import Any

import pydantic
from hume_expression_measurement import (
    AudioMeasurementResult,
    AudioSessionClosed,
    AudioSessionCreated,
    AudioSessionUpdate,
    AudioSessionUpdated,
    Error,
    FaceConfigUpdate,
    Run,
    SessionClose,
    UtteranceEnd,
    UtteranceStart,
    VideoMeasurementResult,
    VideoSessionClosed,
    VideoSessionCreated,
    VideoSessionUpdate,
    VideoSessionUpdated,
)
from hume_expression_measurement.core.api_error import ApiError
from hume_expression_measurement.video_helpers import SessionEndedError, VideoFrame, stream_video
from scenario_checks import (
    MIN_BILLED_SECONDS,
    Recorder,
    Report,
    async_client,
    check_scores,
    every_event,
    guarded,
    http_client,
    revalidate,
    revalidate_last,
    wait_for_run,
)

AUDIO_DEFAULT = {"type": "audio/pcm", "encoding": "s16le", "sample_rate": 16000, "channels": 1}
IMAGE_DEFAULT = {"type": "image/jpeg"}
FACE_DEFAULT = {"threshold": 0.9, "min_size": 60}
INVALID_AUDIO_FRAMES = 3
BURST_FRAMES = 120  # 12 s of audio sent at once, far past any burst the send rate allows
OVERSIZED_MESSAGE_BYTES = 1_048_578  # 1 MiB and one sample
#: The realtime audio's timer: its utterance (3.6 s of speech) gets an interval measurement at 3.5 s and no
#: speech_ended one, which would end less than 1 s after it (hume-api-v1.md §5).
LIVE_TIMER_MS = 3500
FRAME_BYTES = 3200  # 100 ms of 16 kHz mono s16le, the frame size the SDK's README uses

SOCKET_MODELS: dict[str, dict[str, type[pydantic.BaseModel]]] = {
    "audio": {
        "session.created": AudioSessionCreated,
        "session.updated": AudioSessionUpdated,
        "utterance.start": UtteranceStart,
        "measurement.result": AudioMeasurementResult,
        "utterance.end": UtteranceEnd,
        "error": Error,
        "session.closed": AudioSessionClosed,
    },
    "video": {
        "session.created": VideoSessionCreated,
        "session.updated": VideoSessionUpdated,
        "measurement.result": VideoMeasurementResult,
        "error": Error,
        "session.closed": VideoSessionClosed,
    },
}


class RecordingWebsocket:
    """Delegates to an async SDK socket's connection and keeps each raw text message it receives."""

    def __init__(self, websocket: Any) -> None:
        self._websocket = websocket
        self.texts: list[str] = []

    @classmethod
    def install(cls, socket: Any) -> RecordingWebsocket:
        """Put a recorder between an SDK socket client and its connection (the SDK itself is untouched)."""
        recording = cls(socket._websocket)
        socket._websocket = recording
        return recording

    def keep(self, data: Any) -> Any:
        if isinstance(data, str):
            self.texts.append(data)
        return data

    async def recv(self) -> Any:
        return self.keep(await self._websocket.recv())

    def __getattr__(self, name: str) -> Any:
        return getattr(self._websocket, name)


class SyncRecordingWebsocket(RecordingWebsocket):
    """The same for a sync SDK socket (``websockets.sync``)."""

    def recv(self, timeout: float | None = None) -> Any:
        return self.keep(self._websocket.recv(timeout))


def take(
    message: Any, recording: RecordingWebsocket, endpoint: str, messages: list[Any], report: Report
) -> bool:
    """Check one received message (the SDK's model, then its raw JSON re-validated); ``True`` once closed."""
    raw = recording.texts[-1] if recording.texts else ""
    kind = json.loads(raw).get("type") if raw else None
    where = f"{endpoint}/realtime {kind}"
    model = SOCKET_MODELS[endpoint].get(str(kind))
    if model is None:
        report.problems.append(f"{where}: unknown message type: {raw[:300]}")
        return False
    report.check(
        type(message) is model,
        f"{where}: the SDK parsed it as {type(message).__name__}, not {model.__name__}",
    )
    revalidate(raw, model, where, report)
    messages.append(message)
    return bool(kind == "session.closed")


async def read_until_closed(
    socket: Any, recording: RecordingWebsocket, endpoint: str, messages: list[Any], report: Report
) -> None:
    """Every message until ``session.closed``, each checked by :func:`take`."""
    while True:
        try:
            message = await asyncio.wait_for(socket.recv(), timeout=20)
        except Exception as error:
            report.problems.append(f"{endpoint}/realtime: no session.closed, {type(error).__name__}: {error}")
            return
        if take(message, recording, endpoint, messages, report):
            return


def refused(error: ApiError, endpoint: str, report: Report) -> None:
    """A handshake refused to a valid key: not served (404 or 403, see the module), else a problem."""
    if error.status_code in (403, 404):
        report.not_served.append(f"/v1/expression/{endpoint}/realtime ({error.status_code})")
    else:
        report.problems.append(f"{endpoint}/realtime handshake refused: {error.status_code} {error.body}")


async def audio_session(base_url: str, api_key: str, pcm: bytes, report: Report) -> str | None:
    frames = [pcm[offset : offset + FRAME_BYTES] for offset in range(0, len(pcm), FRAME_BYTES)]
    messages: list[Any] = []
    client = async_client(base_url, api_key)
    try:
        async with client.audio.connect() as socket:
            recording = RecordingWebsocket.install(socket)
            created = await socket.recv()
            take(created, recording, "audio", [], report)
            if isinstance(created, AudioSessionCreated):
                report.check(
                    (created.audio.model_dump(), created.measurement_timer_ms) == (AUDIO_DEFAULT, 3000),
                    f"audio: session.created config {created.audio}, timer {created.measurement_timer_ms}",
                )
            else:
                report.problems.append(f"audio: first message {created!r}")
            await socket.send_audio_session_update(
                AudioSessionUpdate(type="session.update", measurement_timer_ms=LIVE_TIMER_MS)
            )
            updated = await socket.recv()
            take(updated, recording, "audio", [], report)
            if isinstance(updated, AudioSessionUpdated):
                report.check(
                    (updated.audio.model_dump(), updated.measurement_timer_ms)
                    == (AUDIO_DEFAULT, LIVE_TIMER_MS),
                    f"audio: session.updated config {updated.audio}, timer {updated.measurement_timer_ms}",
                )
            else:
                report.problems.append(f"audio: reply to session.update {updated!r}")
            for _ in range(INVALID_AUDIO_FRAMES):  # odd byte counts: invalid_audio_frame, the session goes on
                await socket.send_audio_frame(b"\x00")
            reader = asyncio.create_task(read_until_closed(socket, recording, "audio", messages, report))
            for frame in frames:
                await socket.send_audio_frame(frame)
                await asyncio.sleep(0.1)
            await socket.send_audio_session_close(SessionClose(type="session.close"))
            await reader
    except ApiError as error:
        refused(error, "audio", report)
        return None
    errors = [m for m in messages if isinstance(m, Error)]
    rate_limited = sum(1 for m in errors if m.code == "rate_limited")
    report.check(
        rate_limited == 0, f"audio: {rate_limited} frames rate_limited at the README's 100 ms pacing"
    )
    report.check(
        [(m.code, m.retryable) for m in errors if m.code != "rate_limited"]
        == [("invalid_audio_frame", True)] * INVALID_AUDIO_FRAMES,
        f"audio: errors {[(m.code, m.retryable) for m in errors]}, expected {INVALID_AUDIO_FRAMES} "
        "retryable invalid_audio_frame",
    )
    kinds = [type(m).__name__ for m in messages if not isinstance(m, Error)]
    closed = messages[-1] if messages else None
    if not report.check(isinstance(closed, AudioSessionClosed), "audio: no session.closed"):
        return None
    assert isinstance(closed, AudioSessionClosed)
    results = [m for m in messages if isinstance(m, AudioMeasurementResult)]
    starts = [m for m in messages if isinstance(m, UtteranceStart)]
    ends = [m for m in messages if isinstance(m, UtteranceEnd)]
    report.check(closed.reason == "client_request", f"audio: closed reason {closed.reason!r}")
    report.check(
        closed.received.audio_duration_ms == len(pcm) // 32,
        f"audio: received {closed.received.audio_duration_ms} ms",
    )
    report.check(closed.received.frames == len(frames), f"audio: received.frames {closed.received.frames}")
    report.check(
        (closed.produced.utterances, closed.produced.measurements) == (len(starts), len(results)),
        f"audio: produced {closed.produced} but {len(starts)} utterance.start and {len(results)} results",
    )
    report.check(bool(results) and len(starts) == len(ends), f"audio: message kinds {kinds}")
    spans = [(m.audio_end_ms - m.audio_start_ms, m.trigger) for m in results]
    report.check(spans == [(LIVE_TIMER_MS, "interval")], f"audio: measurements (length, trigger) {spans}")
    for result in results:
        check_scores(result.expressions, "audio/realtime expressions", report)
        check_scores(result.voice_attributes, "audio/realtime voice_attributes", report)
    if starts and results:
        report.check(
            kinds.index("UtteranceStart") < kinds.index("AudioMeasurementResult"),
            "audio: a measurement.result before utterance.start",
        )
        report.check(
            kinds[-2] == "UtteranceEnd", f"audio: {kinds[-2]} before session.closed, not utterance.end"
        )
    report.facts["audio_realtime"] = {
        "kinds": kinds,
        "results": [[m.audio_start_ms, m.audio_end_ms, m.trigger] for m in results],
    }
    return str(closed.session_id)


def video_session(base_url: str, api_key: str, jpegs: list[bytes], report: Report) -> str | None:
    """The sync client, as in the SDK's README: send the frames (under 3 per second), close, then read."""
    frames = [*jpegs, b"this is not a JPEG"]
    messages: list[Any] = []
    recorder = Recorder()
    try:
        with http_client(base_url, api_key, recorder).video.connect() as socket:
            recording = SyncRecordingWebsocket.install(socket)
            created = socket.recv()
            take(created, recording, "video", [], report)
            if isinstance(created, VideoSessionCreated):
                report.check(
                    (created.image.model_dump(), created.face.model_dump()) == (IMAGE_DEFAULT, FACE_DEFAULT),
                    f"video: session.created config {created.image}, {created.face}",
                )
            else:
                report.problems.append(f"video: first message {created!r}")
            update = VideoSessionUpdate(
                type="session.update", face=FaceConfigUpdate(threshold=0.5, min_size=20)
            )
            socket.send_video_session_update(update)
            updated = socket.recv()
            take(updated, recording, "video", [], report)
            if isinstance(updated, VideoSessionUpdated):
                report.check(
                    (updated.image.model_dump(), updated.face.model_dump())
                    == (IMAGE_DEFAULT, {"threshold": 0.5, "min_size": 20}),
                    f"video: session.updated config {updated.image}, {updated.face}",
                )
            else:
                report.problems.append(f"video: reply to session.update {updated!r}")
            for frame in frames:
                socket.send_image_frame(frame)
                time.sleep(0.4)
            socket.send_video_session_close(SessionClose(type="session.close"))
            while not take(socket.recv(), recording, "video", messages, report):
                pass
    except ApiError as error:
        refused(error, "video", report)
        return None
    replies = [m for m in messages if isinstance(m, (VideoMeasurementResult, Error))]
    shapes = [m.code if isinstance(m, Error) else "result" for m in replies]
    report.check(
        shapes == ["result"] * (len(frames) - 1) + ["invalid_image_frame"],
        f"video: replies {shapes}, expected one per frame in order",
    )
    results = [m for m in replies if isinstance(m, VideoMeasurementResult)]
    report.check(
        [m.frame_id for m in results] == list(range(len(results))), "video: frame ids are not 0..n-1"
    )
    closed = messages[-1] if messages else None
    if not report.check(isinstance(closed, VideoSessionClosed), "video: no session.closed"):
        return None
    assert isinstance(closed, VideoSessionClosed)
    report.check(closed.reason == "client_request", f"video: closed reason {closed.reason!r}")
    report.check(
        len(frames) - 1 <= closed.received.frames <= len(frames),
        f"video: received.frames {closed.received.frames}",
    )
    measured = sum(1 for m in results for face in m.faces if face.face_id is not None)
    listed = sum(len(m.faces) for m in results)
    report.check(
        closed.produced.measurements in (measured, listed),
        f"video: produced {closed.produced.measurements}; faces: {measured} measured, {listed} listed",
    )
    report.facts["video_realtime"] = {
        "replies": shapes,
        "received_frames": closed.received.frames,
        "produced": closed.produced.measurements,
        "faces_measured": measured,
        "faces_listed": listed,
    }
    return str(closed.session_id)


async def burst_session(base_url: str, api_key: str, report: Report) -> str | None:
    """Audio sent far faster than real time gets ``rate_limited`` (retryable, the session goes on); a message
    over 1 MiB then ends the session with ``message_too_large`` and ``session.closed`` reason ``error``."""
    messages: list[Any] = []
    try:
        async with async_client(base_url, api_key).audio.connect() as socket:
            recording = RecordingWebsocket.install(socket)
            await socket.recv()
            for _ in range(BURST_FRAMES):
                await socket.send_audio_frame(bytes(FRAME_BYTES))
            await socket.send_audio_frame(bytes(OVERSIZED_MESSAGE_BYTES))
            await read_until_closed(socket, recording, "audio", messages, report)
    except ApiError as error:
        refused(error, "audio", report)
        return None
    errors = [(m.code, m.retryable) for m in messages if isinstance(m, Error)]
    limited = [error for error in errors if error[0] == "rate_limited"]
    report.check(
        bool(limited) and set(limited) == {("rate_limited", True)},
        f"audio burst: {BURST_FRAMES} frames at once gave no retryable rate_limited: {errors}",
    )
    report.check(errors[-1:] == [("message_too_large", False)], f"audio burst: errors end with {errors[-1:]}")
    closed = messages[-1] if messages else None
    report.check(
        isinstance(closed, AudioSessionClosed) and closed.reason == "error",
        f"audio burst: last message {closed!r}",
    )
    report.facts["audio_burst"] = {"rate_limited": len(limited), "errors": len(errors)}
    return str(closed.session_id) if isinstance(closed, AudioSessionClosed) else None


async def helper_session(base_url: str, api_key: str, jpegs: list[bytes], report: Report) -> None:
    """The SDK's own ``stream_video`` (3 frames per second, burst 2) is never refused by the emulator."""

    async def frames() -> typing.AsyncIterator[VideoFrame]:
        for index, data in enumerate(jpegs * 2):
            yield VideoFrame(data=data, timestamp_ms=index * 500.0)

    try:
        async with async_client(base_url, api_key).video.connect() as socket:
            stream = stream_video(socket, frames())
            replies = [reply async for reply in stream]
    except ApiError as error:
        refused(error, "video", report)
        return
    except SessionEndedError as error:
        report.problems.append(f"stream_video: the session ended early: {error.code} {error.closed}")
        return
    errors = [reply.error.code for reply in replies if reply.error is not None]
    report.check(errors == [], f"stream_video: frames refused {errors}")
    report.check(len(replies) == 2 * len(jpegs), f"stream_video: {len(replies)} replies")
    closed = stream.closed
    report.check(closed is not None and closed.reason == "client_request", f"stream_video: closed {closed!r}")


async def late_update_session(base_url: str, api_key: str, report: Report) -> None:
    """``session.update`` after the first frame ends the session: config_invalid, session.closed(error)."""
    messages: list[Any] = []
    client = async_client(base_url, api_key)
    try:
        async with client.audio.connect() as socket:
            recording = RecordingWebsocket.install(socket)
            await socket.recv()
            await socket.send_audio_frame(bytes(FRAME_BYTES))
            await socket.send_audio_session_update(AudioSessionUpdate(type="session.update"))
            await read_until_closed(socket, recording, "audio", messages, report)
    except ApiError as error:
        refused(error, "audio", report)
        return
    errors = [(m.code, m.retryable) for m in messages if isinstance(m, Error)]
    report.check(errors == [("config_invalid", False)], f"audio late update: errors {errors}")
    closed = messages[-1] if messages else None
    report.check(
        isinstance(closed, AudioSessionClosed) and closed.reason == "error",
        f"audio late update: last message {closed!r}",
    )


async def bad_key_handshake(base_url: str, report: Report) -> None:
    try:
        async with async_client(base_url, "not-a-valid-key").audio.connect():
            report.problems.append("audio/realtime: a bad key was accepted at the handshake")
    except ApiError as error:
        report.check(error.status_code == 401, f"audio/realtime bad key: status {error.status_code}, not 401")


async def realtime_main(base_url: str, api_key: str, pcm: bytes, jpegs: list[bytes], report: Report) -> None:
    audio_id = await audio_session(base_url, api_key, pcm, report)
    video_id = await asyncio.to_thread(video_session, base_url, api_key, jpegs, report)
    if not report.not_served:
        await bad_key_handshake(base_url, report)
        await late_update_session(base_url, api_key, report)
        await helper_session(base_url, api_key, jpegs, report)
        burst_id = await burst_session(base_url, api_key, report)
        if burst_id is not None:
            guarded(report, "burst run", lambda: burst_run(base_url, api_key, burst_id, report))
    recorder = Recorder()
    client = http_client(base_url, api_key, recorder)
    audio_seconds = len(pcm) / 32000
    frames = len(jpegs)
    sessions = [
        (audio_id, "audio", {max(audio_seconds, MIN_BILLED_SECONDS)}, ["invalid_audio_frame"] * 3),
        (
            video_id,
            "video",
            {max(n / 3, MIN_BILLED_SECONDS) for n in (frames, frames + 1)},
            ["invalid_image_frame"],
        ),
    ]
    configs: dict[str, dict[str, Any]] = {
        "audio": {"measurement_timer_ms": LIVE_TIMER_MS},
        "video": {"face": {"threshold": 0.5, "min_size": 20}},
    }
    for run_id, endpoint, metered, kinds in sessions:
        if run_id is None:
            continue
        where = f"runs.get realtime {endpoint} {run_id}"
        try:
            run = wait_for_run(client, run_id)
        except ApiError as error:
            report.problems.append(f"{where}: {type(error).__name__} {error.status_code} {error.body}")
            continue
        revalidate_last(recorder, Run, report)
        for name, value in {"mode": "realtime", "endpoint": endpoint, "status": "ended"}.items():
            report.check(getattr(run, name) == value, f"{where}: {name} {getattr(run, name)!r}")
        report.check(run.close_reason == "client_request", f"{where}: close_reason {run.close_reason!r}")
        report.check(
            any(abs(run.metered_seconds - value) < 0.01 for value in metered),
            f"{where}: metered_seconds {run.metered_seconds}, expected one of {sorted(metered)}",
        )
        config = run.config.model_dump()
        report.check(
            all(config.get(key) == value for key, value in configs[endpoint].items()),
            f"{where}: config {config} is not the session's {configs[endpoint]}",
        )
        events = every_event(client, recorder, run_id, report)
        report.check(
            [event.kind for event in events] == kinds, f"{where}: event kinds {[e.kind for e in events]}"
        )
        seqs = [event.seq for event in events]
        report.check(seqs == sorted(set(seqs)), f"{where}: event seq not increasing: {seqs}")
        report.facts[f"{endpoint}_run"] = {
            "close_code": run.close_code,
            "close_reason": run.close_reason,
            "metered_seconds": run.metered_seconds,
            "bytes_received": run.bytes_received,
            "events": [[event.seq, event.kind, event.detail] for event in events],
        }


def burst_run(base_url: str, api_key: str, run_id: str, report: Report) -> None:
    """The burst session's run and events: ``rate_limited`` events carry no detail (hume-api-v1.md §8)."""
    recorder = Recorder()
    client = http_client(base_url, api_key, recorder)
    run = wait_for_run(client, run_id)
    revalidate_last(recorder, Run, report)
    events = every_event(client, recorder, run_id, report, page_size=7)
    kinds = {event.kind for event in events}
    report.check(
        kinds == {"rate_limited", "message_too_large"}, f"burst run {run_id}: event kinds {sorted(kinds)}"
    )
    report.check(
        all(event.detail is None for event in events if event.kind == "rate_limited"),
        f"burst run {run_id}: a rate_limited event has a detail",
    )
    report.check(run.close_reason == "error", f"burst run {run_id}: close_reason {run.close_reason!r}")
    report.facts["burst_run"] = {
        "status": run.status,
        "close_code": run.close_code,
        "metered_seconds": run.metered_seconds,
        "events": [[event.kind, event.detail] for event in events if event.kind != "rate_limited"],
    }
