"""The realtime sockets on a real server, driven by the ``websockets`` library (hume-api-v1.md §3, §4.2, §7,
§8).

Rate limits run 50 times faster than Hume's (the emulator's test aid): 26 s of audio take half a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable

import pytest
import requests
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from airflow_provider_hume.emulator.backend.settings import V1Settings
from tests.integration.emulator.v1_realtime.conftest import receive, rest
from tests.support.v1_realtime import RealtimeServer, frames_of, jpeg_with_faces, speech_pcm

AUDIO = "/v1/expression/audio/realtime"
VIDEO = "/v1/expression/video/realtime"
ONE_FACE = [[10, 10, 200, 200, 0.99]]
TWO_FACES = [[10, 10, 200, 200, 0.99], [300, 200, 420, 330, 0.95]]


def open_socket(server: RealtimeServer, path: str) -> connect:
    return connect(server.ws_url + path, additional_headers={"X-Hume-Api-Key": server.api_key})


async def send_paced(socket: ClientConnection, frames: list[bytes], seconds_per_frame: float) -> None:
    """Send ``frames`` a frame's time apart, until the server closes the connection."""
    with contextlib.suppress(ConnectionClosed):
        for frame in frames:
            await socket.send(frame)
            await asyncio.sleep(seconds_per_frame)


@pytest.mark.parametrize("path", [AUDIO, VIDEO])
@pytest.mark.parametrize(
    ("headers", "query", "has_request_id"),
    [({}, "", False), ({"X-Hume-Api-Key": "wrong"}, "", True), ({}, "?apikey={key}", False)],
)
async def test_handshake_needs_the_key_header(
    server: RealtimeServer, path: str, headers: dict[str, str], query: str, has_request_id: bool
) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with connect(
            server.ws_url + path + query.format(key=server.api_key), additional_headers=headers
        ):
            pass
    assert refused.value.response.status_code == 401
    body = json.loads(refused.value.response.body)
    assert set(body) == ({"message", "request_id"} if has_request_id else {"message"})
    assert server.state.request_counts()[(f"WS {path}", 401)] >= 1


async def test_documented_audio_flow(server: RealtimeServer) -> None:
    async with open_socket(server, AUDIO) as socket:
        created = await receive(socket)
        await socket.send(json.dumps({"type": "session.update", "measurement_timer_ms": 3000}))
        updated = await receive(socket)
        await send_paced(socket, frames_of(speech_pcm(26000, 98)), 0.1 / 50)
        await socket.send(json.dumps({"type": "session.close"}))
        messages = await rest(socket)
        close = (socket.close_code, socket.close_reason)
    assert created["type"] == "session.created"
    assert created["measurement_timer_ms"] == 3000
    assert updated == {"type": "session.updated", "audio": created["audio"], "measurement_timer_ms": 3000}
    assert [m.get("code") for m in messages if m["type"] == "error"] == []
    assert messages[0] == {"type": "utterance.start", "utterance_id": 0, "audio_start_ms": 98}
    results = [m for m in messages if m["type"] == "measurement.result"]
    assert [m["audio_end_ms"] for m in results] == [
        3098,
        6098,
        9098,
        12098,
        15098,
        18098,
        21098,
        24098,
        26000,
    ]
    assert results[-1]["trigger"] == "speech_ended"
    assert results[-1]["audio_start_ms"] == 16000
    assert [m["measurement_id"] for m in results] == list(range(9))
    assert [m["type"] for m in messages[-2:]] == ["utterance.end", "session.closed"]
    assert messages[-1] == {
        "type": "session.closed",
        "session_id": created["session_id"],
        "reason": "client_request",
        "received": {"audio_duration_ms": 26000, "frames": 260},
        "produced": {"utterances": 1, "measurements": 9},
    }
    assert close == (1000, "client_request")
    run = server.runs.get(created["session_id"])
    assert run is not None
    assert (run.status, run.mode, run.endpoint, run.metered_seconds) == ("ended", "realtime", "audio", 26.0)
    assert (run.close_code, run.close_reason, run.bytes_received) == (1000, "client_request", 832_000)
    assert server.runs.events(run.run_id).events == []  # a clean run has none


async def test_a_too_fast_sender_is_rate_limited(serve: Callable[..., RealtimeServer]) -> None:
    server = serve(V1Settings())  # real time
    async with open_socket(server, AUDIO) as socket:
        created = await receive(socket)
        for frame in frames_of(speech_pcm(6000)):  # 6 s at once, the burst is 2 s
            await socket.send(frame)
        await socket.send(json.dumps({"type": "session.close"}))
        messages = await rest(socket)
    limited = [m for m in messages if m.get("code") == "rate_limited"]
    assert limited
    assert all(m["retryable"] is True for m in limited)
    closed = messages[-1]
    assert closed["received"]["frames"] == 60 - len(limited)
    events = server.runs.events(created["session_id"], page_size=200).events
    assert {event["kind"] for event in events} == {"rate_limited"}
    assert events[0]["detail"] is None


async def test_invalid_audio_frames_and_text_leave_the_session_open(server: RealtimeServer) -> None:
    async with open_socket(server, AUDIO) as socket:
        await receive(socket)
        await socket.send(b"\x00\x00\x00")
        odd = await receive(socket)
        await socket.send("{not json")
        unreadable = await receive(socket)
        await socket.send(b"\x00\x00" * 1600)
        await socket.send(json.dumps({"type": "session.close"}))
        closed = (await rest(socket))[-1]
    assert (odd["code"], odd["retryable"]) == ("invalid_audio_frame", True)
    assert (unreadable["code"], unreadable["retryable"]) == ("message_invalid", True)
    assert closed["received"] == {"audio_duration_ms": 100, "frames": 1}


async def test_update_after_the_first_frame_ends_the_session(server: RealtimeServer) -> None:
    async with open_socket(server, AUDIO) as socket:
        created = await receive(socket)
        await socket.send(b"\x00\x00" * 1600)
        await socket.send(json.dumps({"type": "session.update", "measurement_timer_ms": 5000}))
        messages = await rest(socket)
        code = socket.close_code
    assert [(m["type"], m.get("code"), m.get("reason")) for m in messages] == [
        ("error", "config_invalid", None),
        ("session.closed", None, "error"),
    ]
    assert messages[0]["retryable"] is False
    assert code == 1008
    run = server.runs.get(created["session_id"])
    assert run is not None
    assert (run.status, run.close_code, run.close_reason) == ("errored", 1008, "error")


@pytest.mark.parametrize(
    ("path", "size", "limit"), [(AUDIO, 1_048_578, 1_048_576), (VIDEO, 2_000_001, 2_000_000)]
)
async def test_message_too_large_ends_the_session(
    server: RealtimeServer, path: str, size: int, limit: int
) -> None:
    async with open_socket(server, path) as socket:
        created = await receive(socket)
        await socket.send(b"\xff\xd8\xff" + bytes(size - 3))
        messages = await rest(socket)
        code = socket.close_code
    assert [m.get("code", m["type"]) for m in messages] == ["message_too_large", "session.closed"]
    assert code == 1008
    assert server.runs.events(created["session_id"]).events[0]["detail"] == {"limit_bytes": limit}


async def test_video_replies_one_per_frame_in_order(server: RealtimeServer) -> None:
    frames = [
        jpeg_with_faces(ONE_FACE),
        jpeg_with_faces(TWO_FACES),
        b"\x89PNG\r\n",
        jpeg_with_faces(ONE_FACE),
    ]
    async with open_socket(server, VIDEO) as socket:
        created = await receive(socket)
        await send_paced(socket, frames, 1 / 3 / 50)
        await socket.send(json.dumps({"type": "session.close"}))
        messages = await rest(socket)
    assert [(m["type"], m.get("frame_id"), m.get("code")) for m in messages] == [
        ("measurement.result", 0, None),
        ("measurement.result", 1, None),
        ("error", None, "invalid_image_frame"),
        ("measurement.result", 2, None),
        ("session.closed", None, None),
    ]
    assert messages[-1]["received"] == {"frames": 3}
    assert messages[-1]["produced"] == {"measurements": 4}
    run = server.runs.get(created["session_id"])
    assert run is not None
    assert run.metered_seconds == 10.0
    assert run.config["face"]["min_size"] == 60


async def test_video_internal_errors_end_the_session_after_five(serve: Callable[..., RealtimeServer]) -> None:
    from airflow_provider_hume.emulator.backend.settings import FaultSettings

    server = serve(V1Settings(rate_multiplier=50.0))
    server.state.faults.set(FaultSettings(error_rate=1.0, error_statuses=(503,), routes=(f"WS {VIDEO}",)))
    async with open_socket(server, VIDEO) as socket:
        await receive(socket)
        await send_paced(socket, [jpeg_with_faces(ONE_FACE)] * 5, 1 / 3 / 50)
        messages = await rest(socket)
        code = socket.close_code
    errors = [m for m in messages if m["type"] == "error"]
    assert [m["code"] for m in errors] == ["internal_error"] * 5
    assert [m["retryable"] for m in errors] == [True] * 4 + [False]
    assert messages[-1]["reason"] == "error"
    assert messages[-1]["received"] == {"frames": 5}
    assert code == 1008


async def test_idle_sessions_are_closed(serve: Callable[..., RealtimeServer]) -> None:
    server = serve(V1Settings(realtime_idle_seconds=0.3))
    async with open_socket(server, AUDIO) as socket:
        created = await receive(socket)
        messages = await rest(socket)
        code = socket.close_code
    assert [(m["type"], m["reason"]) for m in messages] == [("session.closed", "idle_timeout")]
    run = server.runs.get(created["session_id"])
    assert code == 1000
    assert run is not None
    assert (run.status, run.close_reason) == ("ended", "idle_timeout")


async def test_server_shutdown_now_and_armed(server: RealtimeServer) -> None:
    url = server.http_url + "/_emulator/v1/realtime/shutdown"
    headers = {"X-Hume-Api-Key": server.api_key}
    async with open_socket(server, VIDEO) as socket:
        await receive(socket)
        answer = await asyncio.to_thread(requests.post, url, json={}, headers=headers, timeout=10)
        messages = await rest(socket)
        code = socket.close_code
    assert answer.json() == {"sessions": 1}
    assert [m["reason"] for m in messages] == ["server_shutdown"]
    assert code == 1001
    armed = await asyncio.to_thread(requests.post, url, json={"after_frames": 3}, headers=headers, timeout=10)
    assert armed.json() == {"armed": 3}
    async with open_socket(server, AUDIO) as socket:
        created = await receive(socket)
        await send_paced(socket, frames_of(speech_pcm(500)), 0.1 / 50)
        messages = await rest(socket)
    assert messages[-1]["reason"] == "server_shutdown"
    assert messages[-1]["received"]["frames"] == 3
    run = server.runs.get(created["session_id"])
    assert run is not None
    assert (run.status, run.close_code) == ("ended", 1001)
    refused = await asyncio.to_thread(
        requests.post, url, json={"after_frames": 0}, headers=headers, timeout=10
    )
    assert refused.status_code == 400
    unauthorized = await asyncio.to_thread(requests.post, url, json={}, timeout=10)
    assert unauthorized.status_code == 401


async def test_a_lost_connection_errors_the_run(server: RealtimeServer) -> None:
    async with open_socket(server, AUDIO) as socket:
        created = await receive(socket)
        await socket.send(b"\x00\x00" * 1600)
        socket.transport.abort()
    for _ in range(100):
        run = server.runs.get(created["session_id"])
        if run is not None and run.status != "live":
            break
        await asyncio.sleep(0.02)
    assert run is not None
    assert (run.status, run.close_code, run.close_reason) == ("errored", 1011, "error")
    assert run.metered_seconds == 10.0
