"""AsyncHumeBatchClient against the fault-injecting loopback server."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest

from airflow_provider_hume.client import (
    AsyncHumeBatchClient,
    HumeAuthError,
    HumeConnectionError,
    HumeError,
    HumeNotFoundError,
    HumeServerError,
    JobStatus,
    RetryPolicy,
)

DETAILS = {"job_id": "job-1", "state": {"status": "IN_PROGRESS", "created_timestamp_ms": 1}}


def recorder(sleeps: list[float]) -> Any:
    async def sleep(delay: float) -> None:
        sleeps.append(delay)

    return sleep


@pytest.fixture
async def client(server: Any, api_key: str, sleeps: list[float]) -> AsyncIterator[AsyncHumeBatchClient]:
    async with AsyncHumeBatchClient(
        api_key, server.url, retry_policy=RetryPolicy(max_retries=3), sleep=recorder(sleeps)
    ) as hume:
        yield hume


async def test_get_retries_5xx_and_honours_retry_after(
    client: AsyncHumeBatchClient, server: Any, sleeps: list[float]
) -> None:
    server.reply(503)
    server.reply(429, "", {"Retry-After": "2"})
    server.reply(429, "", {"retry-after-ms": "250"})
    server.reply(200, DETAILS)
    details = await client.get_job_details("job-1")
    assert details.status is JobStatus.IN_PROGRESS
    assert len(server.received) == 4
    assert 0.8 <= sleeps[0] <= 1.2
    assert sleeps[1:] == [2.0, 0.25]


async def test_gives_up_after_max_retries(
    client: AsyncHumeBatchClient, server: Any, sleeps: list[float]
) -> None:
    for _ in range(4):
        server.reply(502, "bad gateway")
    with pytest.raises(HumeServerError, match="HTTP 502: bad gateway"):
        await client.get_job_details("job-1")
    assert len(sleeps) == 3


async def test_dropped_connection_is_retried(
    client: AsyncHumeBatchClient, server: Any, sleeps: list[float]
) -> None:
    """aiohttp itself resends a GET once after a disconnect (RFC 9112 §9.3.1); then the client retries."""
    server.reply(drop=True)
    server.reply(drop=True)
    server.reply(200, DETAILS)
    assert (await client.get_job_details("job-1")).job_id == "job-1"
    assert len(sleeps) == 1


async def test_read_timeout_is_retried(server: Any, api_key: str, sleeps: list[float]) -> None:
    server.reply(hang=True)
    server.reply(200, DETAILS)
    async with AsyncHumeBatchClient(api_key, server.url, timeout=0.3, sleep=recorder(sleeps)) as hume:
        assert (await hume.get_job_details("job-1")).job_id == "job-1"
    assert len(sleeps) == 1


async def test_connection_refused(closed_port_url: str, api_key: str, sleeps: list[float]) -> None:
    async with AsyncHumeBatchClient(
        api_key, closed_port_url, retry_policy=RetryPolicy(max_retries=2), sleep=recorder(sleeps)
    ) as hume:
        with pytest.raises(HumeConnectionError, match="after 3 attempt"):
            await hume.get_job_details("job-1")
    assert len(sleeps) == 2


async def test_list_jobs_query_and_headers(
    client: AsyncHumeBatchClient, server: Any, api_key: str, caplog: pytest.LogCaptureFixture
) -> None:
    server.reply(503)
    server.reply(200, {"jobs": [DETAILS]})
    with caplog.at_level(logging.DEBUG):
        jobs = await client.list_jobs(limit=2, statuses=["QUEUED", JobStatus.IN_PROGRESS], direction="desc")
    assert [job.job_id for job in jobs] == ["job-1"]
    for received in server.received:
        assert received.target == "/v0/batch/jobs?limit=2&status=QUEUED&status=IN_PROGRESS&direction=desc"
        assert received.headers["X-Hume-Api-Key"] == api_key
        assert received.headers["User-Agent"].startswith("airflow-provider-hume/")
    assert api_key not in caplog.text
    assert "retrying in" in caplog.text


async def test_wrong_key(client: AsyncHumeBatchClient, server: Any, api_key: str) -> None:
    server.reply(403, "Forbidden")
    with pytest.raises(HumeAuthError) as info:
        await client.get_job_details("job-1")
    assert info.value.status_code == 403
    assert api_key not in str(info.value)


async def test_job_not_found(client: AsyncHumeBatchClient, server: Any) -> None:
    server.reply(404, {"message": "job not found"})
    with pytest.raises(HumeNotFoundError):
        await client.get_job_details("missing")
    server.reply(200, {"message": "job not found"})
    with pytest.raises(HumeNotFoundError):
        await client.get_job_details("missing")


async def test_redirect_is_refused(client: AsyncHumeBatchClient, server: Any) -> None:
    server.reply(307, "", {"Location": "https://elsewhere.example/"})
    with pytest.raises(HumeError, match="redirects are not followed"):
        await client.list_jobs()
    assert len(server.received) == 1


def test_client_built_outside_a_loop_works_in_one(server: Any, api_key: str) -> None:
    hume = AsyncHumeBatchClient(api_key, server.url)
    server.reply(200, DETAILS)

    async def use() -> str | None:
        try:
            return (await hume.get_job_details("job-1")).job_id
        finally:
            await hume.close()
            await hume.close()

    assert asyncio.run(use()) == "job-1"
