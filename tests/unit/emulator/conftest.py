"""Fixtures for emulator unit tests: a fake clock, a state driven by it and an in-memory ASGI client."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest

with warnings.catch_warnings():  # starlette asks for httpx2; plain httpx works fine for these tests
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

from airflow_provider_hume.emulator.backend.state import EmulatorState
from airflow_provider_hume.emulator.http.app import create_app

API_KEY = "unit-test-key"
OTHER_KEY = "other-user-key"
QUEUE_SECONDS = 1.0
RUN_SECONDS = 2.0


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: float = 1_712_590_457.884) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def state(clock: FakeClock) -> Iterator[EmulatorState]:
    emulator_state = EmulatorState(
        [API_KEY, OTHER_KEY], queue_seconds=QUEUE_SECONDS, run_seconds=RUN_SECONDS, clock=clock
    )
    yield emulator_state
    emulator_state.close()


@pytest.fixture
def client(state: EmulatorState) -> Iterator[TestClient]:
    with TestClient(create_app(state), headers={"X-Hume-Api-Key": API_KEY}) as test_client:
        yield test_client


@pytest.fixture
def anonymous(state: EmulatorState) -> Iterator[TestClient]:
    """A client that sends no API key."""
    with TestClient(create_app(state)) as test_client:
        yield test_client


@pytest.fixture
def submit(client: TestClient) -> Callable[..., str]:
    """POST a JSON job (keyword arguments are the body) and return its id."""

    def _submit(**body: Any) -> str:
        response = client.post("/v0/batch/jobs", json=body)
        assert response.status_code == 200, response.text
        job_id: str = response.json()["job_id"]
        return job_id

    return _submit


@pytest.fixture
def finish(clock: FakeClock) -> Callable[[], None]:
    """Move the clock past the end of every job submitted so far."""
    return lambda: clock.advance(QUEUE_SECONDS + RUN_SECONDS)


@pytest.fixture
def predictions(client: TestClient, finish: Callable[[], None]) -> Callable[[str], list[dict[str, Any]]]:
    """Finish the jobs and return the predictions of one."""

    def _predictions(job_id: str) -> list[dict[str, Any]]:
        finish()
        response = client.get(f"/v0/batch/jobs/{job_id}/predictions")
        assert response.status_code == 200, response.text
        body: list[dict[str, Any]] = response.json()
        return body

    return _predictions


@pytest.fixture
def api_key() -> str:
    return API_KEY


@pytest.fixture
def other_key() -> str:
    return OTHER_KEY
