"""HumeBatchClient against a real loopback server that injects faults: retries, errors, key handling."""

from __future__ import annotations

import gzip
import io
import json
import logging
import time
import zipfile
from email.utils import formatdate
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_hume.client import (
    HumeAuthError,
    HumeBatchClient,
    HumeConnectionError,
    HumeError,
    HumeJobNotCompletedError,
    HumeNotFoundError,
    HumeRateLimitError,
    HumeServerError,
    HumeValidationError,
    JobRequest,
    JobStatus,
    RetryPolicy,
)

REFERENCE = Path(__file__).resolve().parents[2] / "fixtures" / "reference"
DETAILS = {"job_id": "job-1", "type": "INFERENCE", "state": {"status": "COMPLETED", "num_predictions": 1}}
INVALID_KEY = {"fault": {"faultstring": "Invalid ApiKey", "detail": {"errorcode": "oauth.v2.InvalidApiKey"}}}


@pytest.fixture
def client(server: Any, api_key: str, sleeps: list[float]) -> Any:
    with HumeBatchClient(
        api_key, server.url, retry_policy=RetryPolicy(max_retries=3), sleep=sleeps.append
    ) as hume:
        yield hume


def test_get_retries_5xx_then_succeeds(client: HumeBatchClient, server: Any, sleeps: list[float]) -> None:
    server.reply(503, "busy")
    server.reply(502)
    server.reply(200, DETAILS)
    details = client.get_job_details("job-1")
    assert details.status is JobStatus.COMPLETED
    assert len(server.received) == 3
    assert len(sleeps) == 2
    assert 0.8 <= sleeps[0] <= 1.2
    assert 1.6 <= sleeps[1] <= 2.4


def test_get_gives_up_after_max_retries(client: HumeBatchClient, server: Any, sleeps: list[float]) -> None:
    for _ in range(4):
        server.reply(500, {"message": "boom"})
    with pytest.raises(HumeServerError, match=r"HTTP 500: boom"):
        client.get_job_details("job-1")
    assert len(server.received) == 4
    assert len(sleeps) == 3


@pytest.mark.parametrize(
    ("headers", "expected"),
    [({"Retry-After": "7"}, 7.0), ({"retry-after-ms": "1500"}, 1.5)],
)
def test_get_honours_retry_after(
    client: HumeBatchClient, server: Any, sleeps: list[float], headers: dict[str, str], expected: float
) -> None:
    server.reply(429, "", headers)
    server.reply(200, DETAILS)
    client.get_job_details("job-1")
    assert sleeps == [expected]


def test_get_honours_retry_after_http_date(client: HumeBatchClient, server: Any, sleeps: list[float]) -> None:
    server.reply(429, "", {"Retry-After": formatdate(time.time() + 20, usegmt=True)})
    server.reply(200, DETAILS)
    client.get_job_details("job-1")
    assert 15 <= sleeps[0] <= 21


def test_get_without_retry_after_backs_off(client: HumeBatchClient, server: Any, sleeps: list[float]) -> None:
    server.reply(429, {"fault": {"faultstring": "Spike arrest violation"}})
    server.reply(200, DETAILS)
    client.get_job_details("job-1")
    assert 0.8 <= sleeps[0] <= 1.2


def test_get_rate_limit_exhausted(server: Any, api_key: str, sleeps: list[float]) -> None:
    spike = {"fault": {"detail": {"errorcode": "policies.ratelimit.SpikeArrestViolation"}}}
    server.reply(429, spike, {"Retry-After": "3"})
    server.reply(429, spike, {"Retry-After": "4"})
    with (
        HumeBatchClient(
            api_key, server.url, retry_policy=RetryPolicy(max_retries=1), sleep=sleeps.append
        ) as hume,
        pytest.raises(HumeRateLimitError) as info,
    ):
        hume.get_job_details("job-1")
    assert info.value.retry_after == 4.0
    assert sleeps == [3.0]


def test_get_retries_a_dropped_connection(client: HumeBatchClient, server: Any, sleeps: list[float]) -> None:
    server.reply(drop=True)
    server.reply(200, DETAILS)
    assert client.get_job_details("job-1").job_id == "job-1"
    assert len(sleeps) == 1


def test_get_retries_a_read_timeout(server: Any, api_key: str, sleeps: list[float]) -> None:
    server.reply(hang=True)
    server.reply(200, DETAILS)
    with HumeBatchClient(api_key, server.url, timeout=0.3, sleep=sleeps.append) as hume:
        assert hume.get_job_details("job-1").job_id == "job-1"
    assert len(sleeps) == 1


def test_get_retries_connection_refused(closed_port_url: str, api_key: str, sleeps: list[float]) -> None:
    with (
        HumeBatchClient(
            api_key, closed_port_url, retry_policy=RetryPolicy(max_retries=2), sleep=sleeps.append
        ) as hume,
        pytest.raises(HumeConnectionError, match="after 3 attempt"),
    ):
        hume.get_job_details("job-1")
    assert len(sleeps) == 2


def test_post_is_not_retried_after_5xx(client: HumeBatchClient, server: Any, sleeps: list[float]) -> None:
    server.reply(503, "busy")
    with pytest.raises(HumeServerError):
        client.submit_job(JobRequest.build(text="hello"))
    assert len(server.received) == 1
    assert sleeps == []


def test_post_is_not_retried_after_429(client: HumeBatchClient, server: Any, sleeps: list[float]) -> None:
    server.reply(429, "", {"Retry-After": "1"})
    with pytest.raises(HumeRateLimitError):
        client.submit_job(JobRequest.build(text="hello"))
    assert len(server.received) == 1
    assert sleeps == []


def test_post_is_not_retried_after_a_dropped_connection(
    client: HumeBatchClient, server: Any, sleeps: list[float]
) -> None:
    server.reply(drop=True)
    server.reply(200, {"job_id": "should-not-be-used"})
    with pytest.raises(HumeConnectionError, match="may have reached Hume: check list_jobs"):
        client.submit_job(JobRequest.build(text="hello"))
    assert len(server.received) == 1
    assert sleeps == []


def test_post_is_not_retried_after_a_read_timeout(server: Any, api_key: str, sleeps: list[float]) -> None:
    server.reply(hang=True)
    with (
        HumeBatchClient(api_key, server.url, timeout=0.3, sleep=sleeps.append) as hume,
        pytest.raises(HumeConnectionError, match="may have reached Hume"),
    ):
        hume.submit_job(JobRequest.build(text="hello"))
    assert len(server.received) == 1
    assert sleeps == []


def test_post_is_retried_when_the_connection_is_refused(
    closed_port_url: str, api_key: str, sleeps: list[float]
) -> None:
    with (
        HumeBatchClient(
            api_key, closed_port_url, retry_policy=RetryPolicy(max_retries=2), sleep=sleeps.append
        ) as hume,
        pytest.raises(HumeConnectionError) as info,
    ):
        hume.submit_job(JobRequest.build(text="hello"))
    assert len(sleeps) == 2
    assert "after 3 attempt(s)" in info.value.message
    assert "may have reached" not in info.value.message


def test_submit_json_body_and_headers(
    client: HumeBatchClient, server: Any, api_key: str, caplog: pytest.LogCaptureFixture
) -> None:
    server.reply(200, {"job_id": "new-job"})
    request = JobRequest.build(text=["I am happy"], models={"language": {"granularity": "sentence"}})
    with caplog.at_level(logging.DEBUG):
        assert client.submit_job(request) == "new-job"
    (received,) = server.received
    assert received.method == "POST"
    assert received.target == "/v0/batch/jobs"
    assert received.headers["Content-Type"] == "application/json"
    assert received.headers["X-Hume-Api-Key"] == api_key
    assert received.headers["User-Agent"].startswith("airflow-provider-hume/")
    assert received.headers["Accept"] == "application/json"
    assert json.loads(received.body) == request.to_api()
    assert api_key not in caplog.text
    assert "Hume job new-job created" in caplog.text


def test_key_travels_only_in_the_header(
    client: HumeBatchClient, server: Any, api_key: str, caplog: pytest.LogCaptureFixture, sleeps: list[float]
) -> None:
    server.reply(503)
    server.reply(200, DETAILS)
    server.reply(200, [DETAILS])
    with caplog.at_level(logging.DEBUG):
        client.get_job_details("job-1")
        client.list_jobs(limit=3)
    for received in server.received:
        assert api_key not in received.target
        assert received.headers.get_all("X-Hume-Api-Key") == [api_key]
        assert [v for k, v in received.headers.items() if api_key in v and k != "X-Hume-Api-Key"] == []
    assert api_key not in caplog.text
    assert "retrying in" in caplog.text


def test_wrong_key_fault(client: HumeBatchClient, server: Any, api_key: str) -> None:
    server.reply(401, INVALID_KEY)
    with pytest.raises(HumeAuthError) as info:
        client.get_job_details("job-1")
    assert info.value.message == (
        "Hume rejected the API key (HTTP 401: Invalid ApiKey). Check the API Key of the connection."
    )
    assert api_key not in repr(info.value)


def test_fault_in_a_200_answer_to_submit(client: HumeBatchClient, server: Any) -> None:
    server.reply(200, INVALID_KEY)
    with pytest.raises(HumeAuthError):
        client.submit_job(JobRequest.build(text="x"))


def test_an_echoed_key_is_redacted(client: HumeBatchClient, server: Any, api_key: str) -> None:
    server.reply(400, f"unknown header value {api_key}")
    with pytest.raises(HumeValidationError) as info:
        client.submit_job(JobRequest.build(text="x"))
    assert api_key not in str(info.value)
    assert "unknown header value ***" in str(info.value)


def test_job_not_found_with_200(client: HumeBatchClient, server: Any) -> None:
    server.reply(200, {"message": "job not found"})
    with pytest.raises(HumeNotFoundError):
        client.get_job_details("nope")


def test_redirects_are_not_followed(client: HumeBatchClient, server: Any) -> None:
    server.reply(302, "", {"Location": "http://elsewhere.example/v0/batch/jobs/job-1"})
    with pytest.raises(HumeError, match="redirects are not followed"):
        client.get_job_details("job-1")
    assert len(server.received) == 1


def test_list_jobs_query_encoding(client: HumeBatchClient, server: Any) -> None:
    server.reply(200, [DETAILS, {**DETAILS, "job_id": "job-2"}])
    jobs = client.list_jobs(
        limit=5,
        statuses=[JobStatus.QUEUED, "FAILED"],
        when="created_before",
        timestamp_ms=1712587158717,
        sort_by="created",
        direction="asc",
    )
    assert [job.job_id for job in jobs] == ["job-1", "job-2"]
    assert server.received[0].target == (
        "/v0/batch/jobs?limit=5&status=QUEUED&status=FAILED&when=created_before"
        "&timestamp_ms=1712587158717&sort_by=created&direction=asc"
    )


def test_list_jobs_old_paginated_shape(client: HumeBatchClient, server: Any) -> None:
    server.reply(200, {"jobs": [DETAILS], "next_page_token": "abc"})
    assert [job.job_id for job in client.list_jobs()] == ["job-1"]
    assert server.received[0].target == "/v0/batch/jobs"


def test_check_connection(client: HumeBatchClient, server: Any) -> None:
    server.reply(200, [])
    client.check_connection()
    assert server.received[0].target == "/v0/batch/jobs?limit=1"


def test_predictions_stream_after_retry_with_gzip(
    client: HumeBatchClient, server: Any, sleeps: list[float]
) -> None:
    predictions = json.loads(REFERENCE.joinpath("wiremock_predictions.json").read_text())
    server.reply(503)
    server.reply(
        200,
        gzip.compress(json.dumps(predictions).encode()),
        {"Content-Type": "application/json", "Content-Encoding": "gzip"},
    )
    with client.open_predictions("job-1") as stream:
        assert json.load(stream) == predictions
    assert server.received[-1].target == "/v0/batch/jobs/job-1/predictions"
    assert len(sleeps) == 1


def test_artifacts_stream(client: HumeBatchClient, server: Any) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("text/language.csv", "id,text\n1,hi\n")
    server.reply(
        200,
        buffer.getvalue(),
        {
            "Content-Type": "application/octet-stream",
            "Content-Disposition": 'attachment; filename="artifacts.zip"',
        },
    )
    with client.open_artifacts("job-1") as stream:
        data = stream.read()
    assert zipfile.ZipFile(io.BytesIO(data)).namelist() == ["text/language.csv"]
    assert server.received[0].target == "/v0/batch/jobs/job-1/artifacts"


def test_empty_predictions_of_an_unfinished_job_are_tolerated(client: HumeBatchClient, server: Any) -> None:
    server.reply(200, [])
    with client.open_predictions("job-1") as stream:
        assert json.load(stream) == []


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (400, {"message": "job job-1 is not completed (status IN_PROGRESS)"}, HumeJobNotCompletedError),
        (404, {"message": "job not found"}, HumeNotFoundError),
        (200, {"message": "job not found"}, HumeNotFoundError),
        (200, INVALID_KEY, HumeAuthError),
        (200, {"unexpected": True}, HumeError),
    ],
)
def test_stream_errors(client: HumeBatchClient, server: Any, status: int, body: Any, error: type) -> None:
    server.reply(status, body)
    with pytest.raises(error), client.open_artifacts("job-1"):
        pytest.fail("the stream must not open")
