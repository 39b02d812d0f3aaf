"""The realtime sockets as the emulator serves them: mounted beside the ``v1`` routes, sharing their runs,
configured by ``EmulatorSettings.v1`` and shut down through the admin client."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import requests
from websockets.asyncio.client import ClientConnection, connect

from airflow_provider_hume.emulator.admin_client import EmulatorAdmin, EmulatorAdminError
from airflow_provider_hume.emulator.backend.settings import EmulatorSettings, V1Settings
from airflow_provider_hume.emulator.server import EmulatorServer
from tests.conftest import EmulatorHandle
from tests.integration.emulator.v1_realtime.conftest import receive, rest
from tests.support.v1_realtime import frames_of, jpeg_with_faces, speech_pcm

KEY = "realtime-mounted-key"
HEADERS = {"X-Hume-Api-Key": KEY}
AUDIO = "/v1/expression/audio/realtime"
VIDEO = "/v1/expression/video/realtime"


def open_socket(server: EmulatorServer, path: str) -> connect:
    return connect("ws" + server.url.removeprefix("http") + path, additional_headers=HEADERS)


async def get_json(url: str) -> dict[str, Any]:
    response = await asyncio.to_thread(requests.get, url, headers=HEADERS, timeout=10)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_session_is_a_run_of_the_runs_api(emulator: EmulatorHandle) -> None:
    headers = {"X-Hume-Api-Key": emulator.api_key}
    ws_url = "ws" + emulator.url.removeprefix("http") + "/v1/expression/video/realtime"
    async with connect(ws_url, additional_headers=headers) as socket:
        created = await receive(socket)
        await socket.send(json.dumps({"type": "session.update", "face": {"min_size": 30}}))
        await receive(socket)
        await socket.send(b"not a jpeg")
        assert (await receive(socket))["code"] == "invalid_image_frame"
        await socket.send(json.dumps({"type": "session.close"}))
        closed = (await rest(socket))[-1]
    assert closed["reason"] == "client_request"
    run_url = f"{emulator.url}/v1/expression/run/{created['session_id']}"
    run = (await asyncio.to_thread(requests.get, run_url, headers=headers, timeout=10)).json()
    assert (run["mode"], run["endpoint"], run["status"], run["metered_seconds"]) == (
        "realtime",
        "video",
        "ended",
        10.0,
    )
    assert run["config"] == {
        "schema": "v4",
        "image": {"type": "image/jpeg"},
        "face": {"threshold": 0.9, "min_size": 30},
    }
    events = (await asyncio.to_thread(requests.get, run_url + "/events", headers=headers, timeout=10)).json()
    assert [event["kind"] for event in events["events"]] == ["invalid_image_frame"]
    counters = await asyncio.to_thread(
        requests.get, f"{emulator.url}/_emulator/counters", headers=headers, timeout=10
    )
    counted = {(row["route"], row["status"]) for row in counters.json()["requests"]}
    assert ("WS /v1/expression/video/realtime", 101) in counted


async def test_the_realtime_settings_come_from_the_emulator_settings() -> None:
    v1 = V1Settings(realtime_idle_seconds=0.5, audio_burst_seconds=10.0, run_event_cap=1)
    with EmulatorServer([KEY], settings=EmulatorSettings(v1=v1)) as server:
        async with open_socket(server, AUDIO) as socket:
            created = await receive(socket)
            for frame in frames_of(
                speech_pcm(6000)
            ):  # 6 s at once: within a 10 s burst, over the default 2 s
                await socket.send(frame)
            await socket.send(b"\x00")  # an odd byte count: invalid_audio_frame, twice
            await socket.send(b"\x00")
            messages = await rest(socket)  # then silence until the idle timeout
            code = socket.close_code
        run_url = f"{server.url}/v1/expression/run/{created['session_id']}"
        run, events = await get_json(run_url), await get_json(run_url + "/events")
    assert [m["code"] for m in messages if m["type"] == "error"] == ["invalid_audio_frame"] * 2
    assert messages[-1]["reason"] == "idle_timeout"
    assert messages[-1]["received"]["frames"] == 60
    assert code == 1000
    assert (run["close_code"], run["close_reason"]) == (1000, "idle_timeout")
    assert (len(events["events"]), events["capped_kinds"]) == (1, ["invalid_audio_frame"])


async def test_the_admin_client_shuts_realtime_sessions_down() -> None:
    with EmulatorServer([KEY]) as server, EmulatorAdmin(server.url, KEY) as admin:
        async with open_socket(server, VIDEO) as socket:
            await receive(socket)
            now = await asyncio.to_thread(admin.shutdown_realtime)
            closed = await rest(socket)
            code = socket.close_code
        armed = await asyncio.to_thread(admin.shutdown_realtime, 2)
        async with open_socket(server, VIDEO) as socket:
            await receive(socket)
            await send_frames(socket, [jpeg_with_faces([[10, 10, 200, 200, 0.99]])] * 2)
            after_two = await rest(socket)
        with pytest.raises(EmulatorAdminError) as refused:
            await asyncio.to_thread(admin.shutdown_realtime, 0)
    assert now == {"sessions": 1}
    assert [(m["type"], m["reason"]) for m in closed] == [("session.closed", "server_shutdown")]
    assert code == 1001
    assert armed == {"armed": 2}
    assert after_two[-1]["reason"] == "server_shutdown"
    assert after_two[-1]["received"] == {"frames": 2}
    assert refused.value.status == 400


async def send_frames(socket: ClientConnection, frames: list[bytes]) -> None:
    for frame in frames:
        await socket.send(frame)
