"""``--job-details-shape``: the mid-2023 (§2.6.2) and 2022 (§2.6.3) job details, in details and lists."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

import pytest
from starlette.testclient import TestClient

from airflow_provider_hume.emulator.backend.settings import DetailsShape, EmulatorSettings
from airflow_provider_hume.emulator.backend.state import EmulatorState
from airflow_provider_hume.emulator.http.app import create_app

if TYPE_CHECKING:
    from .conftest import FakeClock

KEY = "legacy-key"
URL = "https://example.com/obama.png"
BODY = {"models": {"face": {}}, "urls": [URL], "callback_url": "https://example.com/cb"}
FACE = {
    "fps_pred": 3.0,
    "identify_faces": False,
    "min_face_size": 60,
    "prob_threshold": 0.99,
    "save_faces": False,
}
MESSAGE = "user 'abcde' has exceeded their usage limit"
Client = Callable[[DetailsShape], TestClient]


@pytest.fixture
def client_for(clock: FakeClock) -> Iterator[Client]:
    with ExitStack() as stack:

        def _client(shape: DetailsShape) -> TestClient:
            state = EmulatorState([KEY], settings=EmulatorSettings(job_details_shape=shape), clock=clock)
            stack.callback(state.close)
            return stack.enter_context(TestClient(create_app(state), headers={"X-Hume-Api-Key": KEY}))

        yield _client


def lifecycle(client: TestClient, clock: FakeClock, fail: bool) -> tuple[int, str, list[dict[str, Any]]]:
    """Created ms, job id and the job's details while QUEUED, IN_PROGRESS and ended (FAILED when ``fail``)."""
    created = int(clock.now * 1000)
    job_id: str = client.post("/v0/batch/jobs", json=BODY).json()["job_id"]
    if fail:
        client.post(f"/_emulator/jobs/{job_id}/fail", json={"message": MESSAGE})
    seen = []
    for step in (0, 1, 2):
        clock.advance(step)
        seen.append(client.get(f"/v0/batch/jobs/{job_id}").json())
    return created, job_id, seen


@pytest.mark.parametrize("fail", [False, True])
def test_mid_2023_shape(client_for: Client, clock: FakeClock, fail: bool) -> None:
    client = client_for("mid-2023")
    created, _, (queued, running, ended) = lifecycle(client, clock, fail)
    request = {
        "models": {"face": FACE},
        "urls": [URL],
        "files": [],
        "text": [],
        "callback_url": "https://example.com/cb",
        "notify": False,
    }
    assert queued == {"request": request, "state": {"status": "QUEUED", "created_timestamp_ms": created}}
    assert running["state"] == {
        "status": "IN_PROGRESS",
        "created_timestamp_ms": created,
        "started_timestamp_ms": created + 1000,
    }
    assert ended["state"] == {
        "status": "FAILED" if fail else "COMPLETED",
        "created_timestamp_ms": created,
        "started_timestamp_ms": created + 1000,
        "ended_timestamp_ms": created + 3000,
    }
    assert client.get("/v0/batch/jobs").json() == [ended]


def test_2022_shape_completed(client_for: Client, clock: FakeClock) -> None:
    client = client_for("2022")
    created, job_id, (queued, running, ended) = lifecycle(client, clock, fail=False)
    request = {"models": {"face": FACE}, "urls": [URL]}
    assert queued == {"creation_timestamp": created // 1000, "request": request, "status": "QUEUED"}
    assert running == {**queued, "status": "IN_PROGRESS"}
    results = f"http://testserver/v0/batch/jobs/{job_id}"
    assert ended == {
        "creation_timestamp": created // 1000,
        "request": request,
        "status": "COMPLETED",
        "completion_timestamp": (created + 3000) // 1000,
        "completed": {
            "num_errors": 1,
            "num_predictions": 0,
            "artifacts_url": f"{results}/artifacts",
            "errors_url": f"{results}/predictions",
            "predictions_url": f"{results}/predictions",
        },
    }
    assert client.get("/v0/batch/jobs").json() == [ended]


def test_2022_shape_failed(client_for: Client, clock: FakeClock) -> None:
    created, _, (*_, ended) = lifecycle(client_for("2022"), clock, fail=True)
    assert ended["status"] == "FAILED"
    assert ended["failed"] == {"message": MESSAGE}
    assert ended["completion_timestamp"] == (created + 3000) // 1000
    assert "completed" not in ended


def test_current_shape_is_the_default(client_for: Client, clock: FakeClock) -> None:
    _, job_id, (queued, *_) = lifecycle(client_for("current"), clock, fail=False)
    assert queued["job_id"] == job_id
    assert queued["type"] == "INFERENCE"
    assert queued["request"]["models"]["burst"] is None
