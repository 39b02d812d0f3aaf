"""A real emulator on a loopback port, driven over HTTP with requests."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
import requests

from airflow_provider_hume.emulator.server import EmulatorServer
from tests.support.samples import image_bytes, wav_bytes

if TYPE_CHECKING:
    from tests.conftest import EmulatorHandle

Wait = Callable[[str, dict[str, str], str], dict[str, Any]]


def headers(emulator: EmulatorHandle) -> dict[str, str]:
    return {"X-Hume-Api-Key": emulator.api_key}


def test_server_binds_an_ephemeral_loopback_port(emulator: EmulatorHandle) -> None:
    assert emulator.url.startswith("http://127.0.0.1:")
    assert not emulator.url.endswith(":0")
    response = requests.get(f"{emulator.url}/v0/batch/jobs", headers=headers(emulator), timeout=10)
    assert response.status_code == 200


def test_url_job_from_a_loopback_server(
    emulator: EmulatorHandle, media_url: str, wait_for_status: Wait
) -> None:
    urls = [f"{media_url}/tone.wav", f"{media_url}/face.png", f"{media_url}/redirect/face.jpg"]
    body = {"models": {"face": {}, "prosody": {}, "burst": {}}, "urls": urls}
    before = emulator.server.state.job_count()
    response = requests.post(
        f"{emulator.url}/v0/batch/jobs", json=body, headers=headers(emulator), timeout=30
    )
    assert response.status_code == 200, response.text
    assert emulator.server.state.job_count() == before + 1
    job_url = f"{emulator.url}/v0/batch/jobs/{response.json()['job_id']}"
    details = wait_for_status(job_url, headers(emulator), "COMPLETED")
    assert details["state"]["num_predictions"] == 3
    assert details["state"]["num_errors"] == 0
    predictions = requests.get(f"{job_url}/predictions", headers=headers(emulator), timeout=10).json()
    assert [result["source"] for result in predictions] == [{"type": "url", "url": url} for url in urls]
    files = [result["results"]["predictions"][0]["file"] for result in predictions]
    assert files == ["tone.wav", "face.png", "face.jpg"]
    models = [sorted(result["results"]["predictions"][0]["models"]) for result in predictions]
    assert models == [["burst", "prosody"], ["face"], ["face"]]
    prosody = predictions[0]["results"]["predictions"][0]["models"]["prosody"]["grouped_predictions"][0]
    assert 2.0 < prosody["predictions"][-1]["time"]["end"] <= 3.0


def test_unreachable_and_foreign_urls_get_a_source_error(
    emulator: EmulatorHandle, media_url: str, wait_for_status: Wait
) -> None:
    urls = [
        f"{media_url}/missing.wav",
        "https://hume-tutorials.s3.amazonaws.com/faces.zip",
        f"{media_url}/redirect-out",
    ]
    response = requests.post(
        f"{emulator.url}/v0/batch/jobs", json={"urls": urls}, headers=headers(emulator), timeout=30
    )
    job_url = f"{emulator.url}/v0/batch/jobs/{response.json()['job_id']}"
    details = wait_for_status(job_url, headers(emulator), "COMPLETED")
    assert (details["state"]["num_predictions"], details["state"]["num_errors"]) == (0, 3)
    predictions = requests.get(f"{job_url}/predictions", headers=headers(emulator), timeout=10).json()
    assert predictions == [
        {"source": {"type": "url", "url": url}, "error": f"could not download {url}"} for url in urls
    ]


def test_multipart_upload_predictions_and_streamed_artifacts(
    emulator: EmulatorHandle, wait_for_status: Wait
) -> None:
    wav = wav_bytes(2.0)
    files = [
        (
            "json",
            (
                None,
                json.dumps(
                    {
                        "models": {"prosody": {}, "face": {"prob_threshold": 0.5}, "language": {}},
                        "text": ["Hi Hume."],
                    }
                ),
            ),
        ),
        ("file", ("voice.wav", wav, "audio/wav")),
        ("file[]", ("photo.jpg", image_bytes(640, 480, image_format="JPEG"), "image/jpeg")),
    ]
    response = requests.post(
        f"{emulator.url}/v0/batch/jobs", files=files, headers=headers(emulator), timeout=30
    )
    job_url = f"{emulator.url}/v0/batch/jobs/{response.json()['job_id']}"
    details = wait_for_status(job_url, headers(emulator), "COMPLETED")
    assert details["request"]["files"][0] == {
        "filename": "voice.wav",
        "content_type": "audio/wav",
        "md5sum": hashlib.md5(wav).hexdigest(),
    }
    predictions = requests.get(f"{job_url}/predictions", headers=headers(emulator), timeout=10).json()
    assert [result["source"]["type"] for result in predictions] == ["file", "file", "text"]
    assert predictions[0]["source"]["filename"] == "voice.wav"
    with requests.get(
        f"{job_url}/artifacts", headers=headers(emulator), stream=True, timeout=10
    ) as artifacts:
        assert artifacts.headers["Content-Type"] == "application/octet-stream"
        assert artifacts.headers["Content-Disposition"] == 'attachment; filename="artifacts.zip"'
        assert artifacts.headers.get("Transfer-Encoding") == "chunked"
        data = b"".join(artifacts.iter_content(64 * 1024))
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert names == [
        "voice.wav/prosody.csv",
        "voice.wav/language.csv",
        "photo.jpg/face.csv",
        "text/language.csv",
    ]


def test_repeated_jobs_give_identical_predictions(
    emulator: EmulatorHandle, media_url: str, wait_for_status: Wait
) -> None:
    body = {"urls": [f"{media_url}/tone.wav", f"{media_url}/face.jpg"], "text": ["Same words."]}
    results = []
    for _ in range(2):
        response = requests.post(
            f"{emulator.url}/v0/batch/jobs", json=body, headers=headers(emulator), timeout=30
        )
        job_url = f"{emulator.url}/v0/batch/jobs/{response.json()['job_id']}"
        wait_for_status(job_url, headers(emulator), "COMPLETED")
        results.append(requests.get(f"{job_url}/predictions", headers=headers(emulator), timeout=10).json())
    assert results[0] == results[1]


def test_lifecycle_follows_the_configured_durations(emulator: EmulatorHandle, wait_for_status: Wait) -> None:
    response = requests.post(
        f"{emulator.url}/v0/batch/jobs", json={"text": ["x"]}, headers=headers(emulator), timeout=10
    )
    job_url = f"{emulator.url}/v0/batch/jobs/{response.json()['job_id']}"
    completed = wait_for_status(job_url, headers(emulator), "COMPLETED")["state"]
    assert completed["started_timestamp_ms"] - completed["created_timestamp_ms"] == 200
    assert completed["ended_timestamp_ms"] - completed["started_timestamp_ms"] == 300


def test_server_refuses_non_loopback_hosts() -> None:
    with pytest.raises(ValueError, match="loopback"):
        EmulatorServer(api_keys=["k"], host="0.0.0.0")


def test_stop_frees_the_port_and_the_spool() -> None:
    with EmulatorServer(api_keys=["k"], queue_seconds=0, run_seconds=0) as server:
        spool = server.state.spool_dir
        assert spool.is_dir()
        url = server.url
    assert not spool.exists()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/v0/batch/jobs", timeout=2)
