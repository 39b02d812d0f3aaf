"""Job lifecycle on an injected clock: QUEUED -> IN_PROGRESS -> COMPLETED/FAILED, state shapes of §2.6.1."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from starlette.testclient import TestClient

from airflow_provider_hume.emulator.backend.auth import user_id_for
from airflow_provider_hume.emulator.backend.request import JobRequest
from airflow_provider_hume.emulator.backend.state import EmulatorState
from airflow_provider_hume.emulator.http.app import create_app

if TYPE_CHECKING:
    from .conftest import FakeClock


def test_states_follow_the_clock(client: TestClient, clock: FakeClock, submit: Callable[..., str]) -> None:
    created_ms = int(clock.now * 1000)
    job_id = submit(text=["hello"])

    def state() -> dict[str, object]:
        body: dict[str, object] = client.get(f"/v0/batch/jobs/{job_id}").json()["state"]
        return body

    assert state() == {"status": "QUEUED", "created_timestamp_ms": created_ms}
    clock.advance(0.999)
    assert state()["status"] == "QUEUED"
    clock.advance(0.001)
    assert state() == {
        "status": "IN_PROGRESS",
        "created_timestamp_ms": created_ms,
        "started_timestamp_ms": created_ms + 1000,
    }
    clock.advance(2.0)
    assert state() == {
        "status": "COMPLETED",
        "created_timestamp_ms": created_ms,
        "started_timestamp_ms": created_ms + 1000,
        "ended_timestamp_ms": created_ms + 3000,
        "num_predictions": 1,
        "num_errors": 0,
    }


def test_failure_policy_fails_jobs_with_its_message(clock: FakeClock, api_key: str) -> None:
    def policy(request: JobRequest) -> str | None:
        return "user 'abcde' has exceeded their usage limit" if "fail" in request.text else None

    state = EmulatorState([api_key], queue_seconds=0, run_seconds=1, clock=clock, failure_policy=policy)
    user = user_id_for(api_key)
    failing = state.add_job(user, JobRequest(text=("fail",)), [])
    passing = state.add_job(user, JobRequest(text=("pass",)), [])
    clock.advance(1)
    now = state.now_ms()
    assert failing.status(now) == "FAILED"
    assert failing.failure_message == "user 'abcde' has exceeded their usage limit"
    assert passing.status(now) == "COMPLETED"
    state.close()


def test_failed_state_shape(clock: FakeClock, api_key: str) -> None:
    state = EmulatorState([api_key], clock=clock, failure_policy=lambda request: "boom")
    with TestClient(create_app(state), headers={"X-Hume-Api-Key": api_key}) as client:
        job_id = client.post("/v0/batch/jobs", json={"text": ["x"]}).json()["job_id"]
        clock.advance(3)
        body = client.get(f"/v0/batch/jobs/{job_id}").json()["state"]
        created = int((clock.now - 3) * 1000)
        assert body == {
            "status": "FAILED",
            "created_timestamp_ms": created,
            "started_timestamp_ms": created + 1000,
            "ended_timestamp_ms": created + 3000,
            "message": "boom",
        }
        response = client.get(f"/v0/batch/jobs/{job_id}/predictions")
    assert response.status_code == 400
    assert response.json() == {"message": f"job {job_id} is not completed (status FAILED)"}
    state.close()


def test_job_identity_fields(client: TestClient, submit: Callable[..., str], api_key: str) -> None:
    job_id = submit(text=["hello"])
    body = client.get(f"/v0/batch/jobs/{job_id}").json()
    assert uuid.UUID(job_id).version == 4
    assert len(job_id) == 36
    assert body["job_id"] == job_id
    assert body["type"] == "INFERENCE"
    assert body["user_id"] == user_id_for(api_key)
    assert uuid.UUID(body["user_id"])
    assert user_id_for(api_key) == user_id_for(api_key) != user_id_for("another key")


def test_not_completed_jobs_have_no_predictions_or_artifacts(
    client: TestClient, clock: FakeClock, submit: Callable[..., str]
) -> None:
    job_id = submit(text=["hello"])
    for suffix in ("predictions", "artifacts"):
        response = client.get(f"/v0/batch/jobs/{job_id}/{suffix}")
        assert response.status_code == 400
        assert response.json() == {"message": f"job {job_id} is not completed (status QUEUED)"}
    clock.advance(1.5)
    response = client.get(f"/v0/batch/jobs/{job_id}/predictions")
    assert response.json() == {"message": f"job {job_id} is not completed (status IN_PROGRESS)"}


def test_unknown_job_is_not_found(client: TestClient) -> None:
    for path in ("", "/predictions", "/artifacts"):
        response = client.get(f"/v0/batch/jobs/5b1b6c3e-0000-4000-8000-000000000000{path}")
        assert response.status_code == 404
        assert response.json() == {"message": "job not found"}


def test_job_count(state: EmulatorState, submit: Callable[..., str]) -> None:
    submit(text=["a"])
    submit(text=["b"])
    assert state.job_count() == 2
