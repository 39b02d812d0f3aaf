"""Auth, the runs routes, faults, counters, reset and the console on the ``v1`` room (hume-api-v1.md §3,
§4.1, §8)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from airflow_provider_hume.emulator.backend.settings import FaultSettings
from airflow_provider_hume.emulator.backend.state import EmulatorState
from tests.support.v1_media import jpeg, tone
from tests.unit.emulator.v1.conftest import Upload

Runs = Callable[..., list[dict[str, Any]]]
V1_ROUTES = [
    ("post", "/v1/expression/audio/file"),
    ("post", "/v1/expression/video/file"),
    ("get", "/v1/expression/run"),
    ("get", f"/v1/expression/run/{uuid.uuid4()}"),
    ("get", f"/v1/expression/run/{uuid.uuid4()}/events"),
]


@pytest.mark.parametrize(("method", "path"), V1_ROUTES)
def test_without_a_valid_key_the_gateway_answers_401(anonymous: TestClient, method: str, path: str) -> None:
    missing = anonymous.request(method, path)
    assert missing.status_code == 401
    assert list(missing.json()) == ["message"]
    bearer = anonymous.request(method, path, headers={"Authorization": "Bearer token"})
    assert (bearer.status_code, list(bearer.json())) == (401, ["message"])
    wrong = anonymous.request(method, path, headers={"X-Hume-Api-Key": "wrong"})
    assert wrong.status_code == 401
    assert set(wrong.json()) == {"message", "request_id"}


def test_the_key_is_a_header_only(anonymous: TestClient, api_key: str) -> None:
    assert anonymous.get("/v1/expression/run", params={"apikey": api_key}).status_code == 401


def test_run_lookups(client: TestClient, upload_audio: Upload, other_key: str) -> None:
    run_id = upload_audio(tone(500)).json()["run_id"]
    run = client.get(f"/v1/expression/run/{run_id}").json()
    assert set(run) == {
        "run_id", "user_id", "status", "endpoint", "mode", "started_at", "ended_at", "bytes_received",
        "bytes_recorded", "metered_seconds", "close_code", "close_reason", "config",
    }  # fmt: skip
    assert run["started_at"].endswith("Z")
    assert run["status"] == "ended"
    for missing in (str(uuid.uuid4()), "not-a-uuid", run_id.upper() + "0"):
        response = client.get(f"/v1/expression/run/{missing}")
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    foreign = client.get(f"/v1/expression/run/{run_id}", headers={"X-Hume-Api-Key": other_key})
    assert foreign.status_code == 404
    events = client.get(f"/v1/expression/run/{run_id}/events")
    assert events.json() == {"events": [], "at_cap": False, "capped_kinds": [], "gaps": False}
    assert client.get(f"/v1/expression/run/{uuid.uuid4()}/events").status_code == 404


def test_pages_follow_the_cursor_newest_first(client: TestClient, upload_audio: Upload, clock: Any) -> None:
    made = []
    for _ in range(5):
        made.append(upload_audio(tone(300)).json()["run_id"])
        clock.advance(1)
    seen, cursor, pages = [], None, 0
    while True:
        params: dict[str, Any] = {"page_size": 2, **({"cursor": cursor} if cursor else {})}
        body = client.get("/v1/expression/run", params=params).json()
        seen += [run["run_id"] for run in body["runs"]]
        pages += 1
        cursor = body.get("next_cursor")
        if cursor is None:
            assert "next_cursor" not in body
            break
    assert (seen, pages) == (made[::-1], 3)


def test_filters_and_time_boundaries_over_http(
    client: TestClient, upload_audio: Upload, upload_images: Upload, runs: Runs, clock: Any
) -> None:
    audio = upload_audio(tone(300)).json()["run_id"]
    clock.advance(10)
    video = upload_images([jpeg()]).json()["run_id"]
    started = {run["run_id"]: run["started_at"] for run in runs()}
    assert [run["run_id"] for run in runs(endpoint="video")] == [video]
    assert [run["run_id"] for run in runs(started_after=started[video])] == [video]
    assert [run["run_id"] for run in runs(started_before=started[video])] == [audio]
    assert [run["run_id"] for run in runs(mode="realtime")] == []
    assert [run["run_id"] for run in runs(status="ended", endpoint="audio", mode="file")] == [audio]
    user_id = runs()[0]["user_id"]
    assert len(runs(user_id=user_id)) == 2
    assert runs(user_id="someone-else") == []


@pytest.mark.parametrize(
    "params",
    [
        {"page_size": 0},
        {"page_size": 201},
        {"status": "done"},
        {"started_after": "2026-12-01"},
        {"cursor": "bad!"},
    ],
)
def test_bad_list_queries_are_invalid_requests(client: TestClient, params: dict[str, Any]) -> None:
    response = client.get("/v1/expression/run", params=params)
    assert (response.status_code, response.json()["code"]) == (400, "invalid_request")


def test_event_pages_are_1_to_200(client: TestClient, upload_audio: Upload) -> None:
    run_id = upload_audio(tone(300)).json()["run_id"]
    assert client.get(f"/v1/expression/run/{run_id}/events", params={"page_size": 200}).status_code == 200
    for size in (0, 201):
        response = client.get(f"/v1/expression/run/{run_id}/events", params={"page_size": size})
        assert (response.status_code, response.json()["code"]) == (400, "invalid_request")


def test_the_page_size_limit_of_the_list_is_a_setting(clock: Any) -> None:
    from airflow_provider_hume.emulator.backend.settings import EmulatorSettings, V1Settings
    from airflow_provider_hume.emulator.http.app import create_app

    settings = EmulatorSettings(v1=V1Settings(runs_page_size_max=10))
    state = EmulatorState(["k"], settings=settings, clock=clock)
    with TestClient(create_app(state), headers={"X-Hume-Api-Key": "k"}) as client:
        assert client.get("/v1/expression/run", params={"page_size": 10}).status_code == 200
        assert client.get("/v1/expression/run", params={"page_size": 11}).status_code == 400
    state.close()


def test_a_wrong_method_on_a_v1_path_is_method_not_allowed_and_v0_is_unchanged(client: TestClient) -> None:
    response = client.delete("/v1/expression/run")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert client.put("/v1/expression/audio/file").json()["type"] == "error"
    assert client.delete("/v0/batch/jobs").json() == {"detail": "Method Not Allowed"}


def test_an_injected_503_on_the_runs_list_has_the_v1_body(client: TestClient, state: EmulatorState) -> None:
    state.faults.set(FaultSettings(error_rate=1.0, error_statuses=(503,), routes=("GET /v1/expression/run",)))
    response = client.get("/v1/expression/run")
    assert response.status_code == 503
    body = response.json()
    assert (body["type"], body["code"]) == ("error", "server_busy")
    assert client.get(f"/v1/expression/run/{uuid.uuid4()}").status_code == 404  # another route: untouched
    counts = state.request_counts()
    assert counts[("GET /v1/expression/run", 503)] == 1
    assert counts[("GET /v1/expression/run/{run_id}", 404)] == 1
    assert state.counters.snapshot()["faults_injected"]["error"] == 1


def test_an_injected_500_and_429_on_uploads(client: TestClient, state: EmulatorState, runs: Runs) -> None:
    state.faults.set(
        FaultSettings(error_rate=1.0, error_statuses=(500,), routes=("POST /v1/expression/audio/file",))
    )
    response = client.post("/v1/expression/audio/file", files={"file": ("a.wav", tone(100), "audio/wav")})
    assert (response.status_code, response.json()["code"]) == (500, "internal_error")
    state.faults.set(FaultSettings(rate_limit=0.001, routes=("POST /v1/expression/video/file",)))
    files = {"file": ("a.jpg", jpeg(), "image/jpeg")}
    assert client.post("/v1/expression/video/file", files=files).status_code == 200
    limited = client.post("/v1/expression/video/file", files=files)
    assert limited.status_code == 429
    assert limited.json() == {"message": "API rate limit exceeded"}
    assert int(limited.headers["Retry-After"]) >= 1
    assert len(runs()) == 1  # rejected requests never reach the service


def test_v0_faults_keep_their_bodies(client: TestClient, state: EmulatorState) -> None:
    state.faults.set(FaultSettings(error_rate=1.0, error_statuses=(503,)))
    assert "fault" in client.get("/v0/batch/jobs").json()


def test_reset_forgets_the_runs(client: TestClient, upload_audio: Upload, runs: Runs) -> None:
    upload_audio(tone(300))
    assert client.post("/_emulator/reset").status_code == 204
    assert runs() == []


def test_the_console_lists_the_callers_runs(client: TestClient, upload_audio: Upload, other_key: str) -> None:
    page = client.get("/_emulator/console/")
    assert "No runs yet." in page.text
    run_id = upload_audio(tone(300)).json()["run_id"]
    page = client.get("/_emulator/console/")
    assert "<h2>Runs (v1)</h2>" in page.text
    assert run_id in page.text
    assert ">10.0<" in page.text
    assert run_id not in client.get("/_emulator/console/", headers={"X-Hume-Api-Key": other_key}).text
