"""GET /v0/batch/jobs: status, when/timestamp_ms, sort_by, direction and limit (hume-api-v0.md §2.5)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from starlette.testclient import TestClient

    from .conftest import FakeClock


@pytest.fixture
def jobs(clock: FakeClock, submit: Callable[..., str]) -> list[str]:
    """Four jobs created 1.5 s apart; 0.5 s after the last: COMPLETED, COMPLETED, IN_PROGRESS, QUEUED."""
    ids = []
    for index in range(4):
        ids.append(submit(text=[f"job {index}"]))
        clock.advance(1.5)
    clock.advance(-1.0)
    return ids


def listed(client: TestClient, **params: Any) -> list[str]:
    response = client.get("/v0/batch/jobs", params=params)
    assert response.status_code == 200, response.text
    return [job["job_id"] for job in response.json()]


def test_default_is_newest_first(client: TestClient, jobs: list[str]) -> None:
    assert listed(client) == jobs[::-1]
    assert listed(client, direction="asc") == jobs


def test_list_items_are_full_job_objects(client: TestClient, jobs: list[str]) -> None:
    first = client.get("/v0/batch/jobs").json()[0]
    assert first == client.get(f"/v0/batch/jobs/{first['job_id']}").json()


def test_limit(client: TestClient, jobs: list[str]) -> None:
    assert listed(client, limit=2) == jobs[:1:-1]
    assert listed(client, limit=0) == []


def test_repeated_status_filter(client: TestClient, jobs: list[str]) -> None:
    assert listed(client, status="QUEUED") == [jobs[3]]
    assert listed(client, status=["COMPLETED", "QUEUED"], direction="asc") == [jobs[0], jobs[1], jobs[3]]
    assert listed(client, status="FAILED") == []


def test_when_and_timestamp(client: TestClient, jobs: list[str], clock: FakeClock) -> None:
    second_created = client.get(f"/v0/batch/jobs/{jobs[1]}").json()["state"]["created_timestamp_ms"]
    assert listed(client, timestamp_ms=second_created) == [jobs[0]]
    assert listed(client, when="created_before", timestamp_ms=second_created + 1) == [jobs[1], jobs[0]]
    assert listed(client, when="created_after", timestamp_ms=second_created) == [jobs[3], jobs[2]]
    assert listed(client, when="created_after") == []


def test_sort_by_started_and_ended_puts_missing_timestamps_last(client: TestClient, jobs: list[str]) -> None:
    assert listed(client, sort_by="started") == [jobs[2], jobs[1], jobs[0], jobs[3]]
    assert listed(client, sort_by="started", direction="asc") == [jobs[0], jobs[1], jobs[2], jobs[3]]
    assert listed(client, sort_by="ended") == [jobs[1], jobs[0], jobs[3], jobs[2]]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"limit": "many"}, "limit must be an integer (got 'many')"),
        ({"limit": -1}, "limit must be between 0 and 65535 (got -1)"),
        (
            {"status": ["QUEUED", "DONE"]},
            "status must be one of QUEUED, IN_PROGRESS, COMPLETED, FAILED (got 'DONE')",
        ),
        ({"when": "before"}, "when must be one of created_before, created_after (got 'before')"),
        ({"timestamp_ms": "now"}, "timestamp_ms must be an integer (got 'now')"),
        ({"sort_by": "name"}, "sort_by must be one of created, started, ended (got 'name')"),
        ({"direction": "up"}, "direction must be one of asc, desc (got 'up')"),
    ],
)
def test_invalid_parameters(client: TestClient, params: dict[str, Any], message: str) -> None:
    response = client.get("/v0/batch/jobs", params=params)
    assert response.status_code == 400
    assert response.json() == {"message": message}


def test_type_filter(client: TestClient, jobs: list[str]) -> None:
    assert listed(client, type="INFERENCE") == jobs[::-1]
    assert listed(client, type=["TRAINING", "INFERENCE"], limit=1) == [jobs[3]]
    assert listed(client, type="TRAINING") == []
    response = client.get("/v0/batch/jobs", params={"type": "BATCH"})
    assert response.json() == {
        "message": "type must be one of INFERENCE, EMBEDDING_GENERATION, TL_INFERENCE, TRAINING (got 'BATCH')"
    }


def test_filters_sort_and_direction_combine(client: TestClient, jobs: list[str]) -> None:
    first_created = client.get(f"/v0/batch/jobs/{jobs[0]}").json()["state"]["created_timestamp_ms"]
    params = {"status": ["COMPLETED", "IN_PROGRESS"], "when": "created_after", "timestamp_ms": first_created}
    assert listed(client, **params, sort_by="started", direction="asc") == [jobs[1], jobs[2]]
    assert listed(client, **params, sort_by="ended", direction="asc") == [jobs[1], jobs[2]]
    assert listed(client, **params, sort_by="ended", direction="desc") == [jobs[1], jobs[2]]
    assert listed(client, **params, sort_by="created", limit=1) == [jobs[2]]


def test_paging_with_timestamp_ms(client: TestClient, jobs: list[str]) -> None:
    seen: list[str] = []
    timestamp = None
    while True:
        params: dict[str, Any] = (
            {"limit": 1} if timestamp is None else {"limit": 1, "timestamp_ms": timestamp}
        )
        page = client.get("/v0/batch/jobs", params=params).json()
        if not page:
            break
        seen.append(page[0]["job_id"])
        timestamp = page[0]["state"]["created_timestamp_ms"]
    assert seen == jobs[::-1]
