"""Multipart uploads of local files to a loopback server: parts, file names, streaming, retry rebuild."""

from __future__ import annotations

import json
import logging
import tracemalloc
import wave
from pathlib import Path
from typing import Any

import pytest
import requests

from airflow_provider_hume.client import HumeBatchClient, HumeConnectionError, JobRequest, RetryPolicy


def make_wav(path: Path, seconds: float = 0.5, rate: int = 16000) -> Path:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(b"\x01\x00" * int(seconds * rate))
    return path


def test_files_and_json_config_arrive_as_parts(
    server: Any, api_key: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    wav = make_wav(tmp_path / "speech sample.wav")
    text = tmp_path / "notes.txt"
    text.write_text("I love this, it is wonderful.")
    request = JobRequest.build(models={"prosody": {}, "language": {}}, transcription={"language": "en"})
    server.reply(200, {"job_id": "uploaded"})
    with HumeBatchClient(api_key, server.url) as client, caplog.at_level(logging.INFO):
        assert client.submit_job(request, [wav, str(text)]) == "uploaded"
    (received,) = server.received
    assert received.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert received.headers["X-Hume-Api-Key"] == api_key
    assert int(received.headers["Content-Length"]) == len(received.body)
    parts = received.multipart()
    names = [part.get_param("name", header="content-disposition") for part in parts]
    assert names == ["json", "file", "file"]
    assert json.loads(parts[0].get_payload(decode=True)) == request.to_api()
    assert [part.get_filename() for part in parts[1:]] == ["speech sample.wav", "notes.txt"]
    assert parts[1].get_payload(decode=True) == wav.read_bytes()
    assert parts[2].get_payload(decode=True) == text.read_bytes()
    assert "Hume upload: sending 2 file(s)" in caplog.text
    assert "(100%)" in caplog.text


def test_upload_memory_stays_flat(server: Any, api_key: str, tmp_path: Path) -> None:
    """A 64 MiB upload must not be buffered: the traced peak stays far below the file size."""
    size = 64 * 1024 * 1024
    big = tmp_path / "big.mp4"
    with big.open("wb") as handle:
        handle.truncate(size)
    server.reply(200, {"job_id": "big"})
    with HumeBatchClient(api_key, server.url) as client:
        tracemalloc.start()
        try:
            client.submit_job(JobRequest(), [big])
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert server.received[0].body_path.stat().st_size > size
    assert peak < 8 * 1024 * 1024, f"peak {peak} bytes"


class RefusesFirst(requests.Session):
    """A session whose first request fails to connect, as when the server is briefly unreachable."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def request(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        if self.calls == 1:
            raise requests.exceptions.ConnectTimeout("connect timed out")
        return super().request(*args, **kwargs)


def test_a_never_sent_upload_is_retried_with_a_fresh_body(
    server: Any, api_key: str, tmp_path: Path, sleeps: list[float]
) -> None:
    wav = make_wav(tmp_path / "a.wav")
    server.reply(200, {"job_id": "second-try"})
    session = RefusesFirst()
    with HumeBatchClient(api_key, server.url, session=session, sleep=sleeps.append) as client:
        assert client.submit_job(JobRequest(), [wav]) == "second-try"
    assert session.calls == 2
    assert len(sleeps) == 1
    parts = server.received[0].multipart()
    assert parts[1].get_filename() == "a.wav"
    assert parts[1].get_payload(decode=True) == wav.read_bytes()


def test_upload_to_a_refused_port_is_retried_then_fails(
    closed_port_url: str, api_key: str, tmp_path: Path, sleeps: list[float]
) -> None:
    wav = make_wav(tmp_path / "a.wav")
    with (
        HumeBatchClient(
            api_key, closed_port_url, retry_policy=RetryPolicy(max_retries=1), sleep=sleeps.append
        ) as client,
        pytest.raises(HumeConnectionError),
    ):
        client.submit_job(JobRequest(), [wav])
    assert len(sleeps) == 1
