"""Fault injection through the app: rate limit, 5xx, latency, dropped bodies, job faults; seeded decisions."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from starlette.testclient import TestClient

from airflow_provider_hume.emulator.backend.counters import Counters
from airflow_provider_hume.emulator.backend.faults import FaultInjector
from airflow_provider_hume.emulator.backend.settings import EmulatorSettings, FaultSettings, SettingError
from airflow_provider_hume.emulator.backend.state import EmulatorState
from airflow_provider_hume.emulator.http.app import create_app
from airflow_provider_hume.emulator.http.fault_middleware import ConnectionDropped

if TYPE_CHECKING:
    from .conftest import FakeClock

KEY = "fault-test-key"
OTHER = "fault-test-other"
JOB_ROUTE = "GET /v0/batch/jobs/{job_id}"
RATE_LIMIT_BODY = {
    "fault": {
        "faultstring": "Spike arrest violation",
        "detail": {"errorcode": "policies.ratelimit.SpikeArrestViolation"},
    }
}


@dataclass
class Emulator:
    state: EmulatorState
    client: TestClient

    def submit(self) -> str:
        response = self.client.post("/v0/batch/jobs", json={"text": ["hi"]})
        assert response.status_code == 200, response.text
        job_id: str = response.json()["job_id"]
        return job_id

    def counters(self) -> dict[str, Any]:
        counters: dict[str, Any] = self.client.get("/_emulator/counters").json()
        return counters


Make = Callable[..., Emulator]


@pytest.fixture
def make(clock: FakeClock) -> Iterator[Make]:
    """``make(seed=0, **faults)``: an app on a fresh state with these start faults, on the fake clock."""
    with ExitStack() as stack:

        def _make(seed: int = 0, **faults: Any) -> Emulator:
            settings = EmulatorSettings(seed=seed, faults=FaultSettings(**faults))
            state = EmulatorState([KEY, OTHER], settings=settings, clock=clock)
            stack.callback(state.close)
            client = TestClient(create_app(state), headers={"X-Hume-Api-Key": KEY})
            return Emulator(state, stack.enter_context(client))

        yield _make


def test_rate_limit_per_key_with_retry_after(make: Make, clock: FakeClock) -> None:
    emulator = make(rate_limit=2)
    statuses = [emulator.client.get("/v0/batch/jobs").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    limited = emulator.client.get("/v0/batch/jobs")
    assert limited.json() == RATE_LIMIT_BODY
    assert limited.headers["Retry-After"] == "1"
    assert emulator.client.get("/v0/batch/jobs", headers={"X-Hume-Api-Key": OTHER}).status_code == 200
    clock.advance(0.5)
    assert emulator.client.get("/v0/batch/jobs").status_code == 200
    assert emulator.client.get("/v0/batch/jobs").status_code == 429
    counters = emulator.counters()
    assert counters["faults_injected"]["rate_limit"] == 3
    assert {"route": "GET /v0/batch/jobs", "status": 429, "count": 3} in counters["requests"]


def test_slow_rate_limit_asks_for_a_longer_wait(make: Make) -> None:
    emulator = make(rate_limit=0.25)
    assert emulator.client.get("/v0/batch/jobs").status_code == 200
    assert emulator.client.get("/v0/batch/jobs").headers["Retry-After"] == "4"


def test_errors_scoped_to_a_route_for_a_number_of_times(make: Make) -> None:
    emulator = make(error_rate=1, error_statuses=(503,), routes=(JOB_ROUTE,), times=2)
    job_id = emulator.submit()
    assert emulator.client.get("/v0/batch/jobs").status_code == 200
    first, second, third = (emulator.client.get(f"/v0/batch/jobs/{job_id}") for _ in range(3))
    assert (first.status_code, second.status_code, third.status_code) == (503, 503, 200)
    assert first.json()["fault"]["detail"]["errorcode"] == "messaging.adaptors.http.flow.ServiceUnavailable"
    assert emulator.client.get("/_emulator/faults").json()["times"] == 0
    assert emulator.counters()["faults_injected"]["error"] == 2


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (500, {"message": "internal server error"}),
        (502, {"fault": {"faultstring": "Unexpected EOF at target",
                         "detail": {"errorcode": "messaging.adaptors.http.flow.UnexpectedEOFAtTarget"}}}),
    ],
)  # fmt: skip
def test_server_error_bodies(make: Make, status: int, body: dict[str, Any]) -> None:
    response = make(error_rate=1, error_statuses=(status,)).client.get("/v0/batch/jobs")
    assert response.status_code == status
    assert response.json() == body


def test_the_same_seed_makes_the_same_decisions(make: Make) -> None:
    def statuses(seed: int) -> list[int]:
        client = make(seed=seed, error_rate=0.5).client
        return [client.get("/v0/batch/jobs").status_code for _ in range(24)]

    first = statuses(0)
    assert first == statuses(0)
    assert {200, 500, 502, 503} <= set(first)
    assert first != statuses(1)


def test_job_failures_are_seeded(make: Make, clock: FakeClock) -> None:
    def outcomes(seed: int) -> list[str]:
        emulator = make(seed=seed, job_failure_rate=0.5, job_failure_message="out of credits")
        job_ids = [emulator.submit() for _ in range(16)]
        clock.advance(10)
        return [emulator.state.job_status(job_id) for job_id in job_ids]

    first = outcomes(7)
    assert first == outcomes(7)
    assert set(first) == {"COMPLETED", "FAILED"}
    emulator = make(job_failure_rate=1, job_failure_message="out of credits")
    job_id = emulator.submit()
    clock.advance(10)
    assert emulator.client.get(f"/v0/batch/jobs/{job_id}").json()["state"]["message"] == "out of credits"
    assert emulator.counters()["faults_injected"]["job_failure"] == 1


def test_queue_delay_keeps_new_jobs_queued_longer(make: Make, clock: FakeClock) -> None:
    emulator = make(queue_delay_seconds=5)
    job_id = emulator.submit()
    clock.advance(5.9)
    assert emulator.state.job_status(job_id) == "QUEUED"
    clock.advance(0.1)
    assert emulator.state.job_status(job_id) == "IN_PROGRESS"


def test_latency_delays_requests_but_not_admin_ones(make: Make) -> None:
    emulator = make(latency_ms=60)
    started = time.monotonic()
    assert emulator.client.get("/v0/batch/jobs").status_code == 200
    assert time.monotonic() - started >= 0.06
    assert emulator.counters()["faults_injected"]["latency"] == 1


def test_dropped_downloads_raise_after_part_of_the_body(make: Make, clock: FakeClock) -> None:
    emulator = make(drop_rate=1, times=1)
    job_id = emulator.submit()
    clock.advance(10)
    assert emulator.client.get(f"/v0/batch/jobs/{job_id}").status_code == 200, "only downloads are dropped"
    with pytest.raises(ConnectionDropped):
        emulator.client.get(f"/v0/batch/jobs/{job_id}/predictions")
    assert emulator.client.get(f"/v0/batch/jobs/{job_id}/artifacts").status_code == 200
    counters = emulator.counters()
    assert counters["faults_injected"]["drop"] == 1
    assert {"route": "GET /v0/batch/jobs/{job_id}/predictions", "status": 200, "count": 1} in counters[
        "requests"
    ]


def test_admin_requests_are_neither_faulted_nor_counted(make: Make) -> None:
    emulator = make(error_rate=1, latency_ms=1)
    for _ in range(3):
        assert emulator.client.get("/_emulator/counters").status_code == 200
    counters = emulator.counters()
    assert counters["requests"] == []
    assert counters["faults_injected"]["latency"] == 0


def test_unanswered_paths_are_counted_by_raw_path(make: Make) -> None:
    emulator = make()
    assert emulator.client.get("/v1/nothing").status_code == 404
    assert emulator.client.delete("/v0/batch/jobs").status_code == 405
    routes = {(entry["route"], entry["status"]) for entry in emulator.counters()["requests"]}
    assert routes == {("GET /v1/nothing", 404), ("DELETE /v0/batch/jobs", 405)}


def test_start_faults_must_name_served_routes(clock: FakeClock) -> None:
    settings = EmulatorSettings(faults=FaultSettings(routes=("GET /v0/batch/job",)))
    state = EmulatorState([KEY], settings=settings, clock=clock)
    with pytest.raises(SettingError, match=re.escape("GET /v0/batch/jobs/{job_id}/artifacts")):
        create_app(state)
    state.close()


def test_injector_reset_restarts_the_sequence(clock: FakeClock) -> None:
    injector = FaultInjector(FaultSettings(error_rate=0.5), seed=3, clock=clock, counters=Counters())
    first = [injector.decide("GET /v0/batch/jobs", KEY).rejection for _ in range(10)]
    injector.set(FaultSettings())
    assert injector.decide("GET /v0/batch/jobs", KEY).rejection is None
    injector.reset()
    assert [injector.decide("GET /v0/batch/jobs", KEY).rejection for _ in range(10)] == first


def test_websockets_pass_through_with_the_stream_settings(clock: FakeClock) -> None:
    settings = EmulatorSettings(stream_idle_seconds=0.05, faults=FaultSettings(error_rate=1))
    state = EmulatorState([KEY], settings=settings, clock=clock)
    with (
        TestClient(create_app(state)) as client,
        client.websocket_connect("/v0/stream/models", headers={"X-Hume-Api-Key": KEY}) as socket,
    ):
        closed = socket.receive()
    state.close()
    assert closed["type"] == "websocket.close"
    assert "0.05 seconds" in closed["reason"]
    assert state.counters.snapshot()["requests"] == []
