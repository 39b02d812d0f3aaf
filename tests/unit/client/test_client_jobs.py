"""JobDetails parsing of every documented job-details shape (hume-api-v0.md §2.6), from Hume's fixtures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_hume.client.errors import HumeError
from airflow_provider_hume.client.jobs import JobDetails, JobState, JobStatus

REFERENCE = Path(__file__).resolve().parents[2] / "fixtures" / "reference"


def load(name: str) -> Any:
    return json.loads((REFERENCE / name).read_text())


def wiremock_body(name: str) -> Any:
    mappings = load("wiremock_batch_mappings.json")
    return json.loads(next(m for m in mappings if m["name"] == name)["response"]["body"])


def test_status_enum() -> None:
    assert [s.value for s in JobStatus] == ["QUEUED", "IN_PROGRESS", "COMPLETED", "FAILED"]
    assert JobStatus.COMPLETED.is_terminal
    assert JobStatus.FAILED.is_terminal
    assert not JobStatus.QUEUED.is_terminal
    assert not JobStatus.IN_PROGRESS.is_terminal
    assert JobStatus.parse("in_progress") is JobStatus.IN_PROGRESS
    assert JobStatus.COMPLETED == "COMPLETED"


def test_unknown_status_is_a_clear_error() -> None:
    with pytest.raises(
        HumeError, match="unknown status 'CANCELLED' for job j1; expected QUEUED, IN_PROGRESS"
    ):
        JobDetails.from_api({"job_id": "j1", "state": {"status": "CANCELLED"}})
    with pytest.raises(HumeError, match="unknown status None"):
        JobDetails.from_api({"state": {}})


def test_current_shape_wiremock_details() -> None:
    details = JobDetails.from_api(wiremock_body("Get job details - default"))
    assert details.job_id == "job_id"
    assert details.type == "INFERENCE"
    assert details.user_id is None
    assert details.status is JobStatus.COMPLETED
    assert details.state == JobState(
        status=JobStatus.COMPLETED,
        created_timestamp_ms=1712590457884,
        started_timestamp_ms=1712590457995,
        ended_timestamp_ms=1712590462252,
        num_predictions=10,
        num_errors=0,
    )
    assert details.state.run_time_ms == 1712590462252 - 1712590457995
    assert details.request["urls"] == ["https://hume-tutorials.s3.amazonaws.com/faces.zip"]


def test_wiremock_list_entry() -> None:
    (entry,) = wiremock_body("List jobs - default")
    details = JobDetails.from_api(entry)
    assert details.status is JobStatus.COMPLETED
    assert details.request["files"][0]["filename"] == "filename"


def test_issue_48_production_body_with_null_models() -> None:
    body = {
        "job_id": "23834180-3d0e-4eb2-9913-99abc1f48cd2",
        "request": {
            "callback_url": None,
            "files": [],
            "models": {"burst": None, "face": {"fps_pred": 3.0}, "facemesh": None, "language": None},
            "notify": False,
            "urls": ["https://tinyurl.com/hume-img"],
        },
        "state": {
            "created_timestamp_ms": 1682984712107,
            "ended_timestamp_ms": 1682984714480,
            "num_errors": 0,
            "num_predictions": 1,
            "started_timestamp_ms": 1682984712172,
            "status": "COMPLETED",
        },
        "user_id": "373da3c2-a422-43fd-8192-7ddf08a05b64",
    }
    details = JobDetails.from_api(body)
    assert details.job_id == "23834180-3d0e-4eb2-9913-99abc1f48cd2"
    assert details.user_id == "373da3c2-a422-43fd-8192-7ddf08a05b64"
    assert details.type is None
    assert details.state.num_predictions == 1


def test_failed_state_message() -> None:
    state = {
        "status": "FAILED",
        "created_timestamp_ms": 1,
        "started_timestamp_ms": 2,
        "ended_timestamp_ms": 3,
        "message": "user 'abcde' has exceeded their usage limit",
    }
    details = JobDetails.from_api({"state": state}, job_id="abc")
    assert details.job_id == "abc"
    assert details.state.message == "user 'abcde' has exceeded their usage limit"


@pytest.mark.parametrize(
    ("name", "status", "created", "started", "ended"),
    [
        (
            "oldsdk_v0.4.2_details-response-completed.json",
            "COMPLETED",
            1660594810000,
            1660594812000,
            1660594815000,
        ),
        ("oldsdk_v0.4.2_details-response-failed.json", "FAILED", 1660594811000, 1660594814000, 1660594816000),
        ("oldsdk_v0.4.2_details-response-queued.json", "QUEUED", 1660594815000, None, None),
    ],
)
def test_mid_2023_shape_without_job_id(
    name: str, status: str, created: int, started: int | None, ended: int | None
) -> None:
    details = JobDetails.from_api(load(name), job_id="given-id")
    assert details.job_id == "given-id"
    assert details.status is JobStatus(status)
    assert details.state.created_timestamp_ms == created
    assert details.state.started_timestamp_ms == started
    assert details.state.ended_timestamp_ms == ended
    assert details.state.num_predictions is None
    assert details.state.message is None
    assert details.request["models"]["face"]["min_face_size"] == 60.0
    assert details.type is None


def test_2022_shape_completed() -> None:
    details = JobDetails.from_api(load("oldsdk_v0.1.7_result-response-completed.json"), job_id="old")
    assert details.job_id == "old"
    assert details.state == JobState(
        status=JobStatus.COMPLETED,
        created_timestamp_ms=1660594810000,
        ended_timestamp_ms=1660594813000,
        num_predictions=20,
        num_errors=0,
    )
    assert details.state.run_time_ms is None
    assert details.request["urls"] == [
        "https://storage.googleapis.com/hume-test-data/video/royal-opera-house.mp4"
    ]


def test_2022_shape_failed() -> None:
    details = JobDetails.from_api(load("oldsdk_v0.1.7_result-response-failed.json"))
    assert details.job_id is None
    assert details.status is JobStatus.FAILED
    assert details.state.message == "user 'abcde' has exceeded their usage limit"
    assert details.state.created_timestamp_ms == 1663790199000
    assert details.state.ended_timestamp_ms == 1663790201000


def test_2022_shape_queued() -> None:
    details = JobDetails.from_api(load("oldsdk_v0.1.7_result-response-queued.json"))
    assert details.status is JobStatus.QUEUED
    assert details.state.created_timestamp_ms == 1660594810000
    assert details.state.ended_timestamp_ms is None


def test_missing_and_odd_fields_are_tolerated() -> None:
    details = JobDetails.from_api(
        {
            "job_id": "",
            "state": {
                "status": "IN_PROGRESS",
                "created_timestamp_ms": "yesterday",
                "started_timestamp_ms": True,
                "num_errors": -1,
                "message": 5,
            },
            "request": None,
            "type": 7,
        },
        job_id="fallback",
    )
    assert details.job_id == "fallback"
    assert details.state == JobState(status=JobStatus.IN_PROGRESS)
    assert details.request == {}
    assert details.type is None


def test_body_without_state_or_status() -> None:
    with pytest.raises(HumeError, match="without a state"):
        JobDetails.from_api({"job_id": "x", "request": {}})
    with pytest.raises(HumeError, match="not a JSON object"):
        JobDetails.from_api(["not", "a", "dict"])  # type: ignore[arg-type]
