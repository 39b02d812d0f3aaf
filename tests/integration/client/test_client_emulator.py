"""The sync and async clients against the real Hume emulator (the shared ``emulator`` fixture)."""

from __future__ import annotations

import asyncio
import io
import json
import secrets
import time
import uuid
import wave
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_hume.client import (
    AsyncHumeBatchClient,
    HumeAuthError,
    HumeBatchClient,
    HumeJobNotCompletedError,
    HumeNotFoundError,
    JobDetails,
    JobRequest,
    JobStatus,
)
from airflow_provider_hume.emulator.server import EmulatorServer

DEADLINE_SECONDS = 30.0
POLL_SECONDS = 0.05


@pytest.fixture
def hume(emulator: Any) -> Iterator[HumeBatchClient]:
    with HumeBatchClient(emulator.api_key, emulator.url) as client:
        yield client


def wait_until_terminal(client: HumeBatchClient, job_id: str) -> JobDetails:
    """Poll the job until it ends, failing the test at the deadline."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        details = client.get_job_details(job_id)
        if details.status.is_terminal:
            return details
        if time.monotonic() > deadline:
            pytest.fail(f"job {job_id} still {details.status.value} after {DEADLINE_SECONDS} s")
        time.sleep(POLL_SECONDS)


def make_wav(path: Path, seconds: float = 1.0, rate: int = 16000) -> Path:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(b"\x10\x00\xf0\xff" * int(seconds * rate / 2))
    return path


def test_text_job_end_to_end(hume: HumeBatchClient) -> None:
    request = JobRequest.build(
        text=["I am so happy today!", "This is awful."], models={"language": {"granularity": "sentence"}}
    )
    job_id = hume.submit_job(request)
    assert len(job_id) == 36
    details = wait_until_terminal(hume, job_id)
    assert details.status is JobStatus.COMPLETED
    assert details.job_id == job_id
    assert details.state.created_timestamp_ms is not None
    assert details.state.ended_timestamp_ms is not None
    assert details.request["text"] == ["I am so happy today!", "This is awful."]
    with hume.open_predictions(job_id) as stream:
        predictions = json.load(stream)
    assert isinstance(predictions, list)
    assert predictions
    assert predictions[0]["source"]["type"] == "text"
    first = predictions[0]["results"]["predictions"][0]
    assert "language" in first["models"]
    with hume.open_artifacts(job_id) as stream:
        archive = zipfile.ZipFile(io.BytesIO(stream.read()))
    assert archive.testzip() is None
    assert archive.namelist()


def test_file_job_keeps_file_names(hume: HumeBatchClient, tmp_path: Path) -> None:
    wav = make_wav(tmp_path / "speech.wav")
    notes = tmp_path / "notes.txt"
    notes.write_text("Hello there. I really love this product.")
    job_id = hume.submit_job(JobRequest.build(models={"prosody": {}, "language": {}}), [wav, notes])
    details = wait_until_terminal(hume, job_id)
    assert details.status is JobStatus.COMPLETED
    assert [f["filename"] for f in details.request["files"]] == ["speech.wav", "notes.txt"]
    with hume.open_predictions(job_id) as stream:
        predictions = json.load(stream)
    assert {p["source"].get("filename") for p in predictions} == {"speech.wav", "notes.txt"}


def test_results_before_completion() -> None:
    """A job that is still queued has no predictions or artifacts yet."""
    api_key = secrets.token_hex(24)
    with (
        EmulatorServer(api_keys=[api_key], queue_seconds=600, run_seconds=600) as server,
        HumeBatchClient(api_key, server.url) as client,
    ):
        job_id = client.submit_job(JobRequest.build(text="too early"))
        assert client.get_job_details(job_id).status is JobStatus.QUEUED
        with pytest.raises(HumeJobNotCompletedError, match=job_id), client.open_predictions(job_id):
            pass
        with pytest.raises(HumeJobNotCompletedError), client.open_artifacts(job_id):
            pass


def test_wrong_key_is_rejected_without_echo(emulator: Any) -> None:
    wrong = secrets.token_hex(24)
    with HumeBatchClient(wrong, emulator.url) as client:
        with pytest.raises(HumeAuthError) as info:
            client.check_connection()
        with pytest.raises(HumeAuthError):
            client.submit_job(JobRequest.build(text="x"))
    assert wrong not in str(info.value)
    assert wrong not in repr(info.value)
    assert "Check the API Key of the connection" in info.value.message


def test_unknown_job(hume: HumeBatchClient) -> None:
    missing = str(uuid.uuid4())
    with pytest.raises(HumeNotFoundError):
        hume.get_job_details(missing)
    with pytest.raises(HumeNotFoundError), hume.open_artifacts(missing):
        pass


def test_list_jobs(hume: HumeBatchClient) -> None:
    job_id = hume.submit_job(JobRequest.build(text="listed"))
    wait_until_terminal(hume, job_id)
    hume.check_connection()
    completed = hume.list_jobs(statuses=[JobStatus.COMPLETED], limit=100)
    assert job_id in {job.job_id for job in completed}
    assert all(job.status is JobStatus.COMPLETED for job in completed)
    assert len(hume.list_jobs(limit=1)) == 1


async def test_async_client(emulator: Any) -> None:
    with HumeBatchClient(emulator.api_key, emulator.url) as sync:
        job_id = sync.submit_job(JobRequest.build(text="async"))
    async with AsyncHumeBatchClient(emulator.api_key, emulator.url) as client:
        deadline = time.monotonic() + DEADLINE_SECONDS
        details = await client.get_job_details(job_id)
        while not details.status.is_terminal:
            assert time.monotonic() < deadline, "job did not finish"
            await asyncio.sleep(POLL_SECONDS)
            details = await client.get_job_details(job_id)
        assert details.status is JobStatus.COMPLETED
        jobs = await client.list_jobs(statuses=["COMPLETED"], sort_by="created", direction="desc")
        assert job_id in {job.job_id for job in jobs}
        with pytest.raises(HumeNotFoundError):
            await client.get_job_details(str(uuid.uuid4()))
    async with AsyncHumeBatchClient(secrets.token_hex(24), emulator.url) as wrong:
        with pytest.raises(HumeAuthError):
            await wrong.list_jobs(limit=1)


def test_failed_job_surfaces_hume_message() -> None:
    api_key = secrets.token_hex(24)
    reason = "user 'abcde' has exceeded their usage limit"
    with (
        EmulatorServer(
            api_keys=[api_key], queue_seconds=0.05, run_seconds=0.05, failure_policy=lambda request: reason
        ) as server,
        HumeBatchClient(api_key, server.url) as client,
    ):
        job_id = client.submit_job(JobRequest.build(text="doomed"))
        details = wait_until_terminal(client, job_id)
    assert details.status is JobStatus.FAILED
    assert details.state.message == reason
