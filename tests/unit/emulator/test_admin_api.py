"""The admin API under /_emulator/: auth, faults (GET/PUT/PATCH), counters, reset, job control."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest
from starlette.testclient import TestClient

from airflow_provider_hume.emulator.backend.settings import EmulatorSettings, FaultSettings
from airflow_provider_hume.emulator.backend.state import EmulatorState
from airflow_provider_hume.emulator.http.app import create_app

if TYPE_CHECKING:
    from .conftest import FakeClock

KEY = "admin-test-key"
START_FAULTS = FaultSettings(latency_ms=1, job_failure_message="start message")


@pytest.fixture
def state(clock: FakeClock) -> Iterator[EmulatorState]:
    emulator_state = EmulatorState(
        [KEY, "second-key"], settings=EmulatorSettings(faults=START_FAULTS), clock=clock
    )
    yield emulator_state
    emulator_state.close()


@pytest.fixture
def client(state: EmulatorState) -> Iterator[TestClient]:
    with TestClient(create_app(state), headers={"X-Hume-Api-Key": KEY}) as test_client:
        yield test_client


@pytest.fixture
def submit(client: TestClient) -> Callable[[], str]:
    def _submit() -> str:
        job_id: str = client.post("/v0/batch/jobs", json={"text": ["hi"]}).json()["job_id"]
        return job_id

    return _submit


@pytest.mark.parametrize(
    ("headers", "errorcode"),
    [
        ({"X-Hume-Api-Key": ""}, "steps.oauth.v2.FailedToResolveAPIKey"),
        ({"X-Hume-Api-Key": "wrong"}, "oauth.v2.InvalidApiKey"),
    ],
)
@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/_emulator/faults"), ("PUT", "/_emulator/faults"), ("POST", "/_emulator/reset"),
     ("GET", "/_emulator/counters"), ("GET", "/_emulator/jobs"), ("POST", "/_emulator/jobs/x/hold"),
     ("POST", "/_emulator/jobs/x/release")],
)  # fmt: skip
def test_every_admin_route_needs_a_valid_key(
    client: TestClient, headers: dict[str, str], errorcode: str, method: str, path: str
) -> None:
    response = client.request(method, path, headers=headers, json={})
    assert response.status_code == 401
    assert response.json()["fault"]["detail"]["errorcode"] == errorcode


def test_any_accepted_key_may_administer(client: TestClient) -> None:
    response = client.get(
        "/_emulator/faults", params={"apikey": "second-key"}, headers={"X-Hume-Api-Key": ""}
    )
    assert response.status_code == 200


def test_get_put_and_patch_faults(client: TestClient) -> None:
    assert client.get("/_emulator/faults").json() == START_FAULTS.to_json()
    put = client.put("/_emulator/faults", json={"error_rate": 0.25, "routes": ["GET /v0/batch/jobs"]})
    assert put.status_code == 200
    expected = FaultSettings(error_rate=0.25, routes=("GET /v0/batch/jobs",)).to_json()
    assert put.json() == expected, "PUT turns every field it leaves out off"
    patched = client.patch("/_emulator/faults", json={"times": 3})
    assert patched.json() == {**expected, "times": 3}
    assert client.get("/_emulator/faults").json() == {**expected, "times": 3}
    assert client.put("/_emulator/faults", json={}).json() == FaultSettings().to_json()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"error_rate": 2}, "error_rate: must be a probability between 0 and 1 (got 2.0)"),
        ({"eror_rate": 1}, "eror_rate: is not a fault setting"),
        ({"routes": ["GET /v0/batch/job"]}, "routes: 'GET /v0/batch/job' is not served here"),
        ([1], "faults: must be a JSON object"),
    ],
)
def test_invalid_faults_are_refused_and_change_nothing(
    client: TestClient, body: object, message: str
) -> None:
    response = client.put("/_emulator/faults", json=body)
    assert response.status_code == 400
    assert response.json()["message"].startswith(message)
    assert client.get("/_emulator/faults").json() == START_FAULTS.to_json()


def test_non_json_body_is_refused(client: TestClient) -> None:
    response = client.patch("/_emulator/faults", content=b"{not json")
    assert response.status_code == 400
    assert response.json()["message"].startswith("request body is not valid JSON: Expecting property name")


def test_counters_report_routes_statuses_and_jobs(client: TestClient, submit: Callable[[], str]) -> None:
    job_id = submit()
    client.get(f"/v0/batch/jobs/{job_id}")
    client.get(f"/v0/batch/jobs/{job_id}")
    client.get("/v0/batch/jobs/unknown")
    client.get("/v0/batch/jobs", headers={"X-Hume-Api-Key": "wrong"})
    counters = client.get("/_emulator/counters").json()
    assert counters["requests"] == [
        {"route": "GET /v0/batch/jobs", "status": 401, "count": 1},
        {"route": "GET /v0/batch/jobs/{job_id}", "status": 200, "count": 2},
        {"route": "GET /v0/batch/jobs/{job_id}", "status": 404, "count": 1},
        {"route": "POST /v0/batch/jobs", "status": 200, "count": 1},
    ]
    assert counters["jobs_created"] == 1
    assert counters["faults_injected"] == {
        "rate_limit": 0,
        "error": 0,
        "latency": 5,
        "drop": 0,
        "job_failure": 0,
    }
    assert counters["callbacks"] == []


def test_reset_forgets_jobs_and_counters_and_restores_faults(
    client: TestClient, state: EmulatorState, submit: Callable[[], str]
) -> None:
    job_id = submit()
    client.put("/_emulator/faults", json={"rate_limit": 100})
    assert client.post("/_emulator/reset").status_code == 204
    assert client.get(f"/v0/batch/jobs/{job_id}").status_code == 404
    assert state.job_count() == 0
    assert client.get("/_emulator/faults").json() == START_FAULTS.to_json()
    counters = client.get("/_emulator/counters").json()
    assert counters["jobs_created"] == 0
    assert counters["requests"] == [{"route": "GET /v0/batch/jobs/{job_id}", "status": 404, "count": 1}]


def test_jobs_fail_and_hold(client: TestClient, clock: FakeClock, submit: Callable[[], str]) -> None:
    failed, held, default = submit(), submit(), submit()
    listed = client.get("/_emulator/jobs").json()
    assert [job["job_id"] for job in listed] == [failed, held, default]
    assert {job["status"] for job in listed} == {"QUEUED"}
    response = client.post(f"/_emulator/jobs/{failed}/fail", json={"message": "out of credits"})
    assert response.json() == {"job_id": failed, "status": "QUEUED"}
    assert client.post(f"/_emulator/jobs/{held}/hold").json() == {"job_id": held, "status": "QUEUED"}
    assert client.post(f"/_emulator/jobs/{default}/fail").status_code == 200
    clock.advance(60)
    states = [client.get(f"/v0/batch/jobs/{job_id}").json()["state"] for job_id in (failed, held, default)]
    assert [state["status"] for state in states] == ["FAILED", "IN_PROGRESS", "FAILED"]
    assert (states[0]["message"], states[2]["message"]) == ("out of credits", "start message")


def test_a_released_job_ends_now_held_or_failed_or_not(
    client: TestClient, clock: FakeClock, submit: Callable[[], str]
) -> None:
    held, failed, queued = submit(), submit(), submit()
    client.post(f"/_emulator/jobs/{held}/hold")
    client.post(f"/_emulator/jobs/{failed}/fail", json={"message": "out of credits"})
    clock.advance(0.5)
    released = [client.post(f"/_emulator/jobs/{job_id}/release").json() for job_id in (held, failed, queued)]
    assert released == [
        {"job_id": held, "status": "COMPLETED"},
        {"job_id": failed, "status": "FAILED"},
        {"job_id": queued, "status": "COMPLETED"},
    ]
    details = client.get(f"/v0/batch/jobs/{held}").json()["state"]
    assert details["started_timestamp_ms"] <= details["ended_timestamp_ms"] == int(clock.now * 1000)
    clock.advance(60)
    assert (
        client.get(f"/v0/batch/jobs/{held}").json()["state"]["ended_timestamp_ms"]
        == details["ended_timestamp_ms"]
    ), "a job that ended stays ended where it was"
    assert client.post("/_emulator/jobs/nope/release").status_code == 404


def test_job_control_errors(client: TestClient, submit: Callable[[], str]) -> None:
    assert client.post("/_emulator/jobs/nope/hold").json() == {"message": "job not found"}
    assert client.post("/_emulator/jobs/nope/fail").status_code == 404
    response = client.post(f"/_emulator/jobs/{submit()}/fail", json={"message": ""})
    assert response.status_code == 400
    assert response.json() == {"message": "message: must be a non-empty string"}
