"""The ``v1`` HTTP room on a real server, through ``requests``: uploads, runs, faults, counters, latency."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from airflow_provider_hume.emulator.admin_client import EmulatorAdmin
from airflow_provider_hume.emulator.backend.settings import EmulatorSettings, FaultSettings, V1Settings
from airflow_provider_hume.emulator.server import EmulatorServer
from tests.support.v1_media import documented_flow_pcm, jpeg, silence, tone, wav

KEY = "v1-http-key"
HEADERS = {"X-Hume-Api-Key": KEY}
AUDIO = "/v1/expression/audio/file"
VIDEO = "/v1/expression/video/file"
RUNS = "/v1/expression/run"


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer([KEY]) as emulator:
        yield emulator


@pytest.fixture
def admin(server: EmulatorServer) -> Iterator[EmulatorAdmin]:
    with EmulatorAdmin(server.url, KEY) as client:
        client.reset()
        yield client
        client.reset()


def post_audio(
    url: str, data: bytes | io.BufferedIOBase, config: dict[str, Any] | None = None
) -> requests.Response:
    files: dict[str, Any] = {"file": ("call.wav", data, "audio/wav")}
    if config is not None:
        files["config"] = (None, json.dumps(config), "application/json")
    return requests.post(url + AUDIO, files=files, headers=HEADERS, timeout=60)


def list_runs(url: str, **params: Any) -> dict[str, Any]:
    response = requests.get(url + RUNS, params=params, headers=HEADERS, timeout=10)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_wav_upload_is_measured_and_recorded(server: EmulatorServer, admin: EmulatorAdmin) -> None:
    data = wav(documented_flow_pcm())
    response = post_audio(server.url, io.BytesIO(data), {"measurement_timer_ms": 3000})
    assert response.status_code == 200, response.text
    body = response.json()
    assert [m["trigger"] for m in body["measurements"]] == ["interval"] * 8 + ["speech_ended"]
    run = requests.get(f"{server.url}{RUNS}/{body['run_id']}", headers=HEADERS, timeout=10).json()
    assert (run["status"], run["metered_seconds"], run["bytes_received"]) == ("ended", 26.0, len(data))
    assert admin.request_count(f"POST {AUDIO}", 200) == 1


def test_five_minutes_of_speech_and_pauses(server: EmulatorServer, admin: EmulatorAdmin) -> None:
    pcm = (tone(20_000) + silence(10_000)) * 10
    body = post_audio(server.url, wav(pcm)).json()
    assert body["received"] == {"audio_duration_ms": 300_000}
    assert [u["audio_start_ms"] for u in body["utterances"]] == list(range(0, 300_000, 30_000))
    assert {u["audio_end_ms"] - u["audio_start_ms"] for u in body["utterances"]} == {20_000}


def test_images_with_face_state_across_requests(server: EmulatorServer, admin: EmulatorAdmin) -> None:
    face, other = (40, 40, 240, 260, 0.97), (400, 200, 560, 380, 0.99)

    def post(images: list[bytes], config: dict[str, Any]) -> dict[str, Any]:
        files: list[Any] = [("file", (f"{i}.jpg", data, "image/jpeg")) for i, data in enumerate(images)]
        files.append(("config", (None, json.dumps(config), "application/json")))
        response = requests.post(server.url + VIDEO, files=files, headers=HEADERS, timeout=30)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    first = post([jpeg(faces=[face]), jpeg(faces=[face, other])], {"face": {"return_face_state": True}})
    assert [[f["face_id"] for f in m["faces"]] for m in first["measurements"]] == [[0], [0, 1]]
    later = post([jpeg(faces=[other])], {"face_state": first["face_state"]})
    assert later["measurements"][0]["faces"][0]["face_id"] == 1
    assert list_runs(server.url, endpoint="video")["runs"][0]["metered_seconds"] == 10.0


def test_run_pages_and_filters_on_the_wire(server: EmulatorServer, admin: EmulatorAdmin) -> None:
    made = [post_audio(server.url, tone(200)).json()["run_id"] for _ in range(5)]
    first = list_runs(server.url, page_size=3)
    rest = list_runs(server.url, page_size=3, cursor=first["next_cursor"])
    assert [run["run_id"] for run in first["runs"] + rest["runs"]] == made[::-1]
    assert "next_cursor" not in rest
    boundary = first["runs"][0]["started_at"]
    before = list_runs(server.url, started_before=boundary)["runs"]
    after = list_runs(server.url, started_after=boundary)["runs"]
    assert sorted(run["run_id"] for run in before + after) == sorted(made)
    events = requests.get(f"{server.url}{RUNS}/{made[0]}/events", headers=HEADERS, timeout=10).json()
    assert events["events"] == []


def test_an_injected_503_on_the_runs_list(server: EmulatorServer, admin: EmulatorAdmin) -> None:
    admin.set_faults(error_rate=1.0, error_statuses=[503], routes=[f"GET {RUNS}"], times=1)
    response = requests.get(server.url + RUNS, headers=HEADERS, timeout=10)
    assert response.status_code == 503
    assert response.json()["code"] == "server_busy"
    assert requests.get(server.url + RUNS, headers=HEADERS, timeout=10).status_code == 200
    assert admin.request_count(f"GET {RUNS}", 503) == 1
    assert admin.counters()["faults_injected"]["error"] == 1


def test_a_dropped_upload_response_still_leaves_its_run(server: EmulatorServer, admin: EmulatorAdmin) -> None:
    admin.set_faults(drop_rate=1.0, routes=[f"POST {AUDIO}"])
    with pytest.raises(requests.exceptions.RequestException):
        post_audio(server.url, tone(2000)).json()
    admin.set_faults()
    [run] = list_runs(server.url, mode="file", endpoint="audio")["runs"]
    assert (run["status"], run["bytes_received"]) == ("ended", 64_000)
    assert admin.counters()["faults_injected"]["drop"] == 1


def test_a_25_mb_body_is_refused_and_the_refusal_can_be_read(
    server: EmulatorServer, admin: EmulatorAdmin
) -> None:
    response = post_audio(server.url, io.BytesIO(bytes(25_000_001)))
    assert (response.status_code, response.json()["code"]) == (413, "audio_too_long")
    assert list_runs(server.url)["runs"] == []


def test_start_faults_may_name_v1_routes() -> None:
    faults = FaultSettings(error_rate=1.0, error_statuses=(500,), routes=(f"POST {VIDEO}",))
    with EmulatorServer([KEY], settings=EmulatorSettings(faults=faults)) as emulator:
        files = {"file": ("a.jpg", jpeg(), "image/jpeg")}
        response = requests.post(emulator.url + VIDEO, files=files, headers=HEADERS, timeout=10)
        assert (response.status_code, response.json()["code"]) == (500, "internal_error")


def test_the_upload_latency_setting_delays_each_upload_and_uploads_overlap() -> None:
    settings = EmulatorSettings(v1=V1Settings(upload_latency_ms=400))
    with EmulatorServer([KEY], settings=settings) as emulator:
        started = time.monotonic()
        assert post_audio(emulator.url, tone(500)).status_code == 200
        single = time.monotonic() - started
        started = time.monotonic()
        with ThreadPoolExecutor(4) as pool:
            statuses = list(pool.map(lambda _: post_audio(emulator.url, tone(500)).status_code, range(4)))
        together = time.monotonic() - started
    assert statuses == [200] * 4
    assert single >= 0.4
    assert together < 4 * 0.4
