"""Faults on a real server, seen by ``requests``: dropped bodies, 429s, padded artifacts; the admin client."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Iterator

import pytest
import requests

from airflow_provider_hume.emulator.admin_client import EmulatorAdmin, EmulatorAdminError
from airflow_provider_hume.emulator.backend.settings import EmulatorSettings
from airflow_provider_hume.emulator.server import EmulatorServer

KEY = "faults-key"
HEADERS = {"X-Hume-Api-Key": KEY}
PREDICTIONS = "GET /v0/batch/jobs/{job_id}/predictions"
ARTIFACTS = "GET /v0/batch/jobs/{job_id}/artifacts"


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer([KEY], settings=EmulatorSettings(queue_seconds=0, run_seconds=0)) as emulator:
        yield emulator


@pytest.fixture
def admin(server: EmulatorServer) -> Iterator[EmulatorAdmin]:
    with EmulatorAdmin(server.url, KEY) as client:
        client.reset()
        yield client
        client.reset()


@pytest.fixture
def job_url(server: EmulatorServer, admin: EmulatorAdmin) -> str:
    """A completed text job."""
    response = requests.post(
        f"{server.url}/v0/batch/jobs", json={"text": ["Hello " * 400]}, headers=HEADERS, timeout=10
    )
    url = f"{server.url}/v0/batch/jobs/{response.json()['job_id']}"
    deadline = time.monotonic() + 10
    while requests.get(url, headers=HEADERS, timeout=10).json()["state"]["status"] != "COMPLETED":
        assert time.monotonic() < deadline
        time.sleep(0.01)
    return url


def drain(response: requests.Response, into: bytearray) -> None:
    for chunk in response.iter_content(64 * 1024):
        into += chunk


def test_dropped_predictions_are_a_truncated_body(
    job_url: str, admin: EmulatorAdmin, capfd: pytest.CaptureFixture[str]
) -> None:
    admin.set_faults(drop_rate=1, routes=[PREDICTIONS], times=1)
    # The body is streamed in chunks, so the client sees the chunked encoding break off.
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        requests.get(f"{job_url}/predictions", headers=HEADERS, timeout=10)
    assert requests.get(f"{job_url}/predictions", headers=HEADERS, timeout=10).status_code == 200
    assert admin.counters()["faults_injected"]["drop"] == 1
    assert "Exception in ASGI application" not in capfd.readouterr().err


def test_dropped_artifacts_stream_breaks_mid_way(job_url: str, admin: EmulatorAdmin) -> None:
    with admin.faults_injected(drop_rate=1, artifacts_pad_bytes=1_000_000):
        with requests.get(f"{job_url}/artifacts", headers=HEADERS, stream=True, timeout=10) as response:
            assert response.status_code == 200
            received = bytearray()
            with pytest.raises(requests.exceptions.ChunkedEncodingError):
                drain(response, received)
        assert 0 < len(received) < 1_000_000
    assert admin.faults()["drop_rate"] == 0, "the context manager restores the faults"


def test_padded_artifacts_download_in_chunks(job_url: str, admin: EmulatorAdmin) -> None:
    admin.update_faults(artifacts_pad_bytes=3_000_000)
    with requests.get(f"{job_url}/artifacts", headers=HEADERS, stream=True, timeout=10) as response:
        assert response.headers["Transfer-Encoding"] == "chunked"
        data = b"".join(response.iter_content(256 * 1024))
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    assert archive.getinfo("padding.bin").file_size == 3_000_000


def test_rate_limit_answers_429_with_retry_after(server: EmulatorServer, admin: EmulatorAdmin) -> None:
    admin.set_faults(rate_limit=0.01, routes=["GET /v0/batch/jobs"])
    responses = [requests.get(f"{server.url}/v0/batch/jobs", headers=HEADERS, timeout=10) for _ in range(3)]
    assert [response.status_code for response in responses] == [200, 429, 429]
    assert 90 <= int(responses[1].headers["Retry-After"]) <= 100, "a token every 100 s"
    assert admin.request_count("GET /v0/batch/jobs", 429) == 2
    other_route = requests.post(f"{server.url}/v0/batch/jobs", json={}, headers=HEADERS, timeout=10)
    assert other_route.status_code != 429


def test_exactly_one_job_created(server: EmulatorServer, admin: EmulatorAdmin) -> None:
    requests.post(f"{server.url}/v0/batch/jobs", json={"text": ["x"]}, headers=HEADERS, timeout=10)
    assert admin.jobs_created() == 1
    assert admin.request_count() == 1
    [job] = admin.jobs()
    assert job["status"] == "COMPLETED"
    assert admin.hold_job(job["job_id"]) == {"job_id": job["job_id"], "status": "IN_PROGRESS"}


def test_admin_errors_are_raised(server: EmulatorServer, admin: EmulatorAdmin) -> None:
    with pytest.raises(EmulatorAdminError, match="error_rate") as raised:
        admin.set_faults(error_rate=3)
    assert raised.value.status == 400
    with EmulatorAdmin(server.url, "wrong") as stranger, pytest.raises(EmulatorAdminError) as refused:
        stranger.counters()
    assert refused.value.status == 401
