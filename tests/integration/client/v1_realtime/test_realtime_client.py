"""``stream_audio`` and ``stream_images`` against the emulator's realtime sockets (hume-api-v1.md §7, §10).

The emulator's rate limits and the client's pacing both run 40 times faster than Hume's (a test aid on both
sides), so 26 s of audio stream in well under a second.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
import requests

from airflow_provider_hume.client.errors import HumeAuthError, HumeStreamError
from airflow_provider_hume.client.v1.configs import AudioFileConfig, FaceConfig
from airflow_provider_hume.client.v1.realtime import (
    AudioMessage,
    FrameReply,
    ReconnectPolicy,
    SessionClosed,
    SessionCreated,
    SessionSummary,
    SessionUpdated,
    StreamOptions,
    UtteranceEnd,
    UtteranceStart,
    stream_audio,
    stream_images,
)
from airflow_provider_hume.client.v1.results import AudioMeasurement, FrameMeasurement
from airflow_provider_hume.emulator.backend.settings import FaultSettings, V1Settings
from tests.integration.client.v1_realtime.conftest import SPEED
from tests.support.v1_realtime import RealtimeServer, frames_of, jpeg_with_faces, speech_pcm

ONE_FACE = [[10, 10, 200, 200, 0.99]]
TWO_FACES = [[10, 10, 200, 200, 0.99], [300, 200, 420, 330, 0.95]]


async def test_the_documented_26_second_flow(
    realtime: RealtimeServer, options: StreamOptions, tmp_path: Path
) -> None:
    recording = tmp_path / "call.pcm"
    recording.write_bytes(speech_pcm(26000, 98))
    seen: list[tuple[str, AudioMessage]] = []
    summary = await stream_audio(
        realtime.ws_url,
        realtime.api_key,
        recording,
        AudioFileConfig(3000),
        on_message=seen.append,
        options=options,
    )
    messages = [message for _, message in seen]
    assert isinstance(messages[0], SessionCreated)
    assert isinstance(messages[1], SessionUpdated)
    assert messages[2] == UtteranceStart(0, 98)
    results = [message for message in messages if isinstance(message, AudioMeasurement)]
    assert len(results) == 9
    assert results[-1].trigger == "speech_ended"
    assert (
        results[-1].audio_start_ms,
        results[-1].audio_end_ms,
    ) == (
        16000,
        26000,
    )
    assert isinstance(messages[-2], UtteranceEnd)
    assert isinstance(messages[-1], SessionClosed)
    assert summary.complete
    assert summary.results == 9
    assert summary.problems == []
    (session,) = summary.sessions
    assert session.received == {"audio_duration_ms": 26000, "frames": 260}
    assert session.produced == {"utterances": 1, "measurements": 9}
    assert {run_id for run_id, _ in seen} == {session.run_id}
    run = realtime.runs.get(session.run_id)
    assert run is not None
    assert (run.status, run.metered_seconds) == ("ended", 26.0)


async def test_a_too_fast_client_resends_rate_limited_frames(
    serve: Callable[[V1Settings], RealtimeServer], options: StreamOptions
) -> None:
    slow = serve(V1Settings(rate_multiplier=SPEED / 4, audio_burst_seconds=0.5))  # a quarter of the pace
    summary = await stream_audio(slow.ws_url, slow.api_key, frames_of(speech_pcm(8000, 200)), options=options)
    (session,) = summary.sessions
    assert session.errors.get("rate_limited", 0) > 0
    assert session.frames_sent == 80 + session.errors["rate_limited"]  # every rejected frame sent again
    assert session.received == {"audio_duration_ms": 8000, "frames": 80}  # and the stream stayed whole
    assert summary.complete, summary.problems


async def test_video_replies_come_one_per_frame_in_order(
    realtime: RealtimeServer, options: StreamOptions
) -> None:
    frames = [
        jpeg_with_faces(ONE_FACE),
        jpeg_with_faces(TWO_FACES),
        b"\x89PNG\r\n",
        jpeg_with_faces(ONE_FACE),
    ] * 3
    replies: list[FrameReply] = []
    summary = await stream_images(
        realtime.ws_url,
        realtime.api_key,
        frames,
        FaceConfig(min_size=40),
        on_reply=replies.append,
        options=options,
    )
    assert [reply.index for reply in replies] == list(range(12))
    assert [reply.error.code if reply.error else "result" for reply in replies[:4]] == [
        "result",
        "result",
        "invalid_image_frame",
        "result",
    ]
    results = [reply.result for reply in replies if reply.result is not None]
    assert all(isinstance(result, FrameMeasurement) for result in results)
    assert [result.frame_id for result in results] == list(range(9))
    (session,) = summary.sessions
    assert session.received == {"frames": 9}
    assert session.produced == {"measurements": 12}
    assert summary.complete


async def test_video_pacing_backs_off_when_the_server_is_slower(
    serve: Callable[[V1Settings], RealtimeServer], options: StreamOptions
) -> None:
    slow = serve(V1Settings(rate_multiplier=SPEED / 4, video_burst_frames=1.0))
    replies: list[FrameReply] = []
    summary = await stream_images(
        slow.ws_url, slow.api_key, [jpeg_with_faces(ONE_FACE)] * 8, on_reply=replies.append, options=options
    )
    assert [reply.index for reply in replies] == list(range(8))
    assert all(reply.result for reply in replies)
    (session,) = summary.sessions
    assert session.errors["rate_limited"] >= 1
    assert session.frames_sent == 8 + session.errors["rate_limited"]
    assert summary.complete


async def test_a_session_ending_error_raises_its_code(
    realtime: RealtimeServer, options: StreamOptions
) -> None:
    ended: list[SessionSummary] = []
    with pytest.raises(HumeStreamError) as raised:
        await stream_audio(
            realtime.ws_url,
            realtime.api_key,
            [b"\x00\x00" * 600_000],
            on_session=ended.append,
            options=options,
        )
    assert raised.value.code == "message_too_large"
    assert [session.closed_reason for session in ended] == ["error"]  # the run id is known all the same
    run = realtime.runs.get(ended[0].run_id)
    assert run is not None
    assert run.status == "errored"


async def test_a_wrong_key_fails_at_once(realtime: RealtimeServer, options: StreamOptions) -> None:
    with pytest.raises(HumeAuthError) as raised:
        await stream_audio(realtime.ws_url, "wrong-key", [b"\x00\x00"], options=options)
    assert "wrong-key" not in str(raised.value)


async def test_server_shutdown_reconnects_into_a_second_run(
    realtime: RealtimeServer, options: StreamOptions
) -> None:
    url = realtime.http_url + "/_emulator/v1/realtime/shutdown"
    headers = {"X-Hume-Api-Key": realtime.api_key}
    armed = await asyncio.to_thread(
        requests.post, url, json={"after_frames": 150}, headers=headers, timeout=10
    )
    assert armed.status_code == 200
    seen: list[tuple[str, AudioMessage]] = []
    summary = await stream_audio(
        realtime.ws_url,
        realtime.api_key,
        frames_of(speech_pcm(26000, 98)),
        AudioFileConfig(5000),
        on_message=seen.append,
        options=options,
    )
    first, second = summary.sessions
    assert summary.run_ids == [first.run_id, second.run_id]
    assert first.run_id != second.run_id
    assert (first.closed_reason, first.close_code, second.closed_reason) == (
        "server_shutdown",
        1001,
        "client_request",
    )
    assert first.received is not None
    assert first.received["frames"] == 150
    # The rest: frames sent after the shutdown began, never taken in, are sent again; none twice.
    assert second.received is not None
    assert second.received["frames"] == 110
    updated = [run_id for run_id, message in seen if isinstance(message, SessionUpdated)]
    assert updated == summary.run_ids  # the config was replayed into the new session
    last = seen[-1][1]
    assert isinstance(last, SessionClosed)
    assert (last.session_id, last.produced) == (
        second.run_id,
        second.produced,
    )
    # Session 1 took in 15 s of speech measured up to 10 098 ms: the rest of it is reported lost.
    assert first.unmeasured_audio_ms == 15000 - 10098
    assert not summary.complete
    for run_id, status in ((first.run_id, "ended"), (second.run_id, "ended")):
        run = realtime.runs.get(run_id)
        assert run is not None
        assert run.status == status


async def test_video_frames_without_a_reply_are_resent_after_a_reconnect(
    realtime: RealtimeServer, options: StreamOptions
) -> None:
    url = realtime.http_url + "/_emulator/v1/realtime/shutdown"
    headers = {"X-Hume-Api-Key": realtime.api_key}
    await asyncio.to_thread(requests.post, url, json={"after_frames": 3}, headers=headers, timeout=10)
    replies: list[FrameReply] = []
    summary = await stream_images(
        realtime.ws_url,
        realtime.api_key,
        [jpeg_with_faces(ONE_FACE)] * 6,
        on_reply=replies.append,
        options=options,
    )
    assert [reply.index for reply in replies] == list(range(6))
    assert all(reply.result for reply in replies)
    assert len(summary.run_ids) == 2
    first, second = summary.sessions
    assert first.results == 3
    assert second.results == 3
    assert {reply.run_id for reply in replies} == set(summary.run_ids)


async def test_reconnects_stop_when_the_policy_says_so(
    realtime: RealtimeServer, options: StreamOptions
) -> None:
    url = realtime.http_url + "/_emulator/v1/realtime/shutdown"
    headers = {"X-Hume-Api-Key": realtime.api_key}
    await asyncio.to_thread(requests.post, url, json={"after_frames": 2}, headers=headers, timeout=10)
    with pytest.raises(HumeStreamError) as raised:
        await stream_images(
            realtime.ws_url,
            realtime.api_key,
            [jpeg_with_faces(ONE_FACE)] * 4,
            options=replace(options, reconnect=ReconnectPolicy(max_attempts=0)),
        )
    assert raised.value.code == "server_shutdown"


async def test_a_retryable_video_failure_is_resent_once(
    serve: Callable[[V1Settings], RealtimeServer], options: StreamOptions
) -> None:
    failing = serve(V1Settings(rate_multiplier=SPEED))
    route = "WS /v1/expression/video/realtime"
    failing.state.faults.set(FaultSettings(error_rate=1.0, error_statuses=(503,), routes=(route,), times=1))
    replies: list[FrameReply] = []
    summary = await stream_images(
        failing.ws_url,
        failing.api_key,
        [jpeg_with_faces(ONE_FACE)] * 3,
        on_reply=replies.append,
        options=options,
    )
    assert [reply.result is not None for reply in replies] == [True, True, True]
    (session,) = summary.sessions
    # At 40x speed frames are 8 ms apart: on a busy machine two may reach the server bunched and one be
    # refused with rate_limited (then resent). Those are not taken in; the failed frame is, and is resent.
    limited = session.errors.get("rate_limited", 0)
    assert session.errors == {"internal_error": 1} | ({"rate_limited": limited} if limited else {})
    assert session.frames_sent == 4 + limited
    assert session.received == {"frames": 4}  # the failed frame was taken in, and counted
    assert summary.complete


async def test_an_audio_internal_error_opens_a_new_session(
    serve: Callable[[V1Settings], RealtimeServer], options: StreamOptions
) -> None:
    failing = serve(V1Settings(rate_multiplier=SPEED))
    route = "WS /v1/expression/audio/realtime"
    failing.state.faults.set(FaultSettings(error_rate=1.0, error_statuses=(500,), routes=(route,), times=1))
    summary = await stream_audio(
        failing.ws_url, failing.api_key, frames_of(speech_pcm(3000, 100)), options=options
    )
    first, second = summary.sessions
    assert (first.closed_reason, first.close_code, first.errors) == ("error", 1008, {"internal_error": 1})
    assert second.closed_reason == "client_request"
    # The failed frame was never taken in (session.closed counts 0 frames): the new session gets it again.
    assert first.received == {"audio_duration_ms": 0, "frames": 0}
    assert second.received == {"audio_duration_ms": 3000, "frames": 30}
    run = failing.runs.get(first.run_id)
    assert run is not None
    assert run.status == "errored"


async def test_the_default_schedule_waits_1_to_5_seconds_before_reconnecting(
    realtime: RealtimeServer, options: StreamOptions
) -> None:
    url = realtime.http_url + "/_emulator/v1/realtime/shutdown"
    headers = {"X-Hume-Api-Key": realtime.api_key}
    await asyncio.to_thread(requests.post, url, json={"after_frames": 2}, headers=headers, timeout=10)
    waited: list[float] = []

    async def recorded(seconds: float) -> None:
        waited.append(seconds)

    summary = await stream_images(
        realtime.ws_url,
        realtime.api_key,
        [jpeg_with_faces(ONE_FACE)] * 4,
        options=replace(options, reconnect=ReconnectPolicy(), sleep=recorded),
    )
    assert len(summary.run_ids) == 2
    assert len(waited) == 1
    assert 1.0 <= waited[0] <= 5.0
