"""The bodies the conformance tests check: jobs using every model, option, kind of source and job state.

One emulator state serves the whole directory: a URL archive, an MP3 and a missing URL (served without
sockets), uploads of every media kind and an unsupported file, raw text, every model with every option on, a
job with the defaults, a windowed untranscribed one, a failed one, one in progress and one queued.
"""

from __future__ import annotations

import io
import json
import warnings
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from airflow_provider_hume.emulator.backend.state import EmulatorState
from airflow_provider_hume.emulator.http.app import create_app
from airflow_provider_hume.emulator.media.ingest import Spooled, spool
from tests.support.samples import image_bytes, wav_bytes
from tests.support.samples_audio import mp3_bytes, ogg_opus_bytes
from tests.support.samples_mp4 import mp4_bytes

with warnings.catch_warnings():  # starlette asks for httpx2; plain httpx works fine for these tests
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

API_KEY = "conformance-key"
REFERENCE = Path(__file__).resolve().parents[3] / "fixtures" / "reference"
ENDPOINTS = tuple(yaml.safe_load((REFERENCE / "ts_mock_batch.yml").read_text())["service"]["endpoints"])
SERVED = {
    "http://127.0.0.1:9/faces.zip": "archive",
    "http://127.0.0.1:9/speech.mp3": "mp3",
    "http://127.0.0.1:9/missing.wav": None,
}
EVERY_OPTION = {
    "models": {
        "face": {"fps_pred": 2, "prob_threshold": 0.5, "identify_faces": True, "min_face_size": 30,
                 "facs": {}, "descriptions": {}, "save_faces": True},
        "burst": {},
        "prosody": {"granularity": "sentence", "identify_speakers": True},
        "language": {"granularity": "word", "identify_speakers": True, "sentiment": {}, "toxicity": {}},
        "ner": {"identify_speakers": True},
        "facemesh": {},
    },
    "transcription": {"language": "en", "identify_speakers": True, "confidence_threshold": 0.3},
    "urls": list(SERVED),
    "text": ["Maria flew to Tokyo. She loved it!", "Hi"],
    "notify": True,
}  # fmt: skip
UPLOADS = [
    ("clip.mp4", mp4_bytes(3.0, video=(320, 240, 10.0))),
    ("voice.m4a", mp4_bytes(2.0, video=None)),
    ("silence.ogg", ogg_opus_bytes(4.0)),
    ("photo.png", image_bytes(400, 300)),
    ("photo.jpg", image_bytes(500, 400, image_format="JPEG")),
    ("mesh.json", json.dumps([[[0.5, 0.5, 0.0]] * 478] * 2).encode()),
    ("notes.txt", b"Hello from Lisbon. Alice says hi."),
    ("blob.bin", b"\x00\x01"),
]


def archive_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("faces/100.jpg", image_bytes(640, 480, image_format="JPEG"))
        archive.writestr("audio/tone.wav", wav_bytes(1.5))
    return buffer.getvalue()


class Clock:
    """A clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1_712_590_457.884

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="session")
def bodies() -> dict[str, list[Any]]:
    """Response bodies by endpoint (Fern endpoint names) for jobs that use every model and option.

    The emulator, and the patch that serves its URLs, are gone before any test runs: only the bodies stay.
    """
    clock = Clock()
    state = EmulatorState([API_KEY], queue_seconds=1.0, run_seconds=2.0, clock=clock)
    try:
        with (
            pytest.MonkeyPatch.context() as monkeypatch,
            TestClient(create_app(state), headers={"X-Hume-Api-Key": API_KEY}) as client,
        ):
            return collect_bodies(client, state, clock, monkeypatch)
    finally:
        state.close()


def collect_bodies(
    client: TestClient, state: EmulatorState, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> dict[str, list[Any]]:
    """Start the jobs, move the clock and gather every kind of body."""
    data = {"archive": archive_bytes(), "mp3": mp3_bytes(6.0)}

    def fake_download(url: str, directory: Path) -> Spooled | None:
        kind = SERVED.get(url)
        return None if kind is None else spool([data[kind]], directory)

    monkeypatch.setattr("airflow_provider_hume.emulator.backend.submission.download", fake_download)
    found: dict[str, list[Any]] = {name: [] for name in ENDPOINTS}

    def start(body: dict[str, Any], files: list[tuple[str, bytes]] | None = None) -> str:
        if files is None:
            response = client.post("/v0/batch/jobs", json=body)
            found["start-inference-job"].append(response.json())
        else:
            parts = [("json", (None, json.dumps(body))), *(("file", file) for file in files)]
            response = client.post("/v0/batch/jobs", files=parts)
            found["start-inference-job-from-local-file"].append(response.json())
        assert response.status_code == 200, response.text
        job_id: str = response.json()["job_id"]
        return job_id

    windowed = {
        "models": {"prosody": {"window": {"length": 2, "step": 1}}, "language": {}},
        "transcription": None,
    }
    ended = [
        start(EVERY_OPTION, UPLOADS),
        start({"urls": ["http://127.0.0.1:9/faces.zip"], "text": ["Plain defaults."]}),
        start(windowed, [("voice.wav", wav_bytes(3.0))]),
    ]
    failed = start({"text": ["doomed"]})
    state.fail_job(failed, "user 'abcde' has exceeded their usage limit")
    clock.now += 3.0
    running = start({"text": ["running"]})
    clock.now += 1.5
    start({"text": ["queued"]})
    found["get-job-details"] = [client.get(f"/v0/batch/jobs/{job_id}").json() for job_id in state.job_ids()]
    assert [job["state"]["status"] for job in found["get-job-details"]] == [
        "COMPLETED", "COMPLETED", "COMPLETED", "FAILED", "IN_PROGRESS", "QUEUED",
    ]  # fmt: skip
    assert running in state.job_ids()
    found["list-jobs"] = [client.get("/v0/batch/jobs").json()]
    found["get-job-predictions"] = [
        client.get(f"/v0/batch/jobs/{job_id}/predictions").json() for job_id in ended
    ]
    return found
