"""Batch sources over real HTTP: archives and every audio format by URL, mixed inputs, and the size limits."""

from __future__ import annotations

import http.server
import io
import json
import tarfile
import zipfile
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import requests

from airflow_provider_hume.emulator.media import limits
from tests.support.loopback import serve_in_thread
from tests.support.samples import image_bytes, wav_bytes
from tests.support.samples_audio import flac_bytes, mp3_bytes, ogg_opus_bytes
from tests.support.samples_mp4 import mp4_bytes

if TYPE_CHECKING:
    from tests.conftest import EmulatorHandle

Wait = Callable[[str, dict[str, str], str], dict[str, Any]]
MEMBERS = {
    "faces/1.jpg": image_bytes(320, 240, image_format="JPEG"),
    "faces/sub/2.png": image_bytes(200, 200),
}
MEDIA = {
    "talk.mp3": mp3_bytes(3.0),
    "talk.flac": flac_bytes(3.0),
    "talk.ogg": ogg_opus_bytes(3.0),
    "talk.m4a": mp4_bytes(3.0, video=None),
    "clip.mp4": mp4_bytes(3.0, video=(320, 240, 10.0)),
    "big.wav": wav_bytes(1.0),
}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""


def archive(kind: str) -> bytes:
    buffer = io.BytesIO()
    if kind == "zip":
        with zipfile.ZipFile(buffer, "w") as zipped:
            for name, data in MEMBERS.items():
                zipped.writestr(name, data)
        return buffer.getvalue()
    with tarfile.open(fileobj=buffer, mode=f"w:{kind}") as tarred:  # type: ignore[call-overload]
        for name, data in MEMBERS.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tarred.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a loopback server holding the archives and media files."""
    directory: Path = tmp_path_factory.mktemp("served")
    for name, data in MEDIA.items():
        (directory / name).write_bytes(data)
    for kind, suffix in (("zip", "zip"), ("gz", "tar.gz"), ("bz2", "tar.bz2"), ("xz", "tar.xz")):
        (directory / f"faces.{suffix}").write_bytes(archive(kind))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(directory)))
    with serve_in_thread(server) as url:
        yield url


def run_job(
    emulator: EmulatorHandle, wait: Wait, **kwargs: Any
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Submit (``json=`` or ``files=``), wait for completion; the details and the predictions."""
    headers = {"X-Hume-Api-Key": emulator.api_key}
    response = requests.post(f"{emulator.url}/v0/batch/jobs", headers=headers, timeout=30, **kwargs)
    assert response.status_code == 200, response.text
    job_url = f"{emulator.url}/v0/batch/jobs/{response.json()['job_id']}"
    details = wait(job_url, headers, "COMPLETED")
    predictions: list[dict[str, Any]] = requests.get(
        f"{job_url}/predictions", headers=headers, timeout=10
    ).json()
    return details, predictions


def test_archives_by_url(emulator: EmulatorHandle, served: str, wait_for_status: Wait) -> None:
    urls = [f"{served}/faces.{suffix}" for suffix in ("zip", "tar.gz", "tar.bz2", "tar.xz")]
    details, predictions = run_job(emulator, wait_for_status, json={"models": {"face": {}}, "urls": urls})
    assert (details["state"]["num_predictions"], details["state"]["num_errors"]) == (8, 0)
    for url, result in zip(urls, predictions, strict=True):
        assert result["source"] == {"type": "url", "url": url}
        assert [entry["file"] for entry in result["results"]["predictions"]] == list(MEMBERS)


def test_every_audio_format_by_url(emulator: EmulatorHandle, served: str, wait_for_status: Wait) -> None:
    names = ["talk.mp3", "talk.flac", "talk.ogg", "talk.m4a", "clip.mp4"]
    body = {
        "models": {"prosody": {"window": {"length": 1, "step": 1}}, "face": {}},
        "urls": [f"{served}/{n}" for n in names],
    }
    _, predictions = run_job(emulator, wait_for_status, json=body)
    for name, result in zip(names, predictions, strict=True):
        (entry,) = result["results"]["predictions"]
        prosody = entry["models"]["prosody"]["grouped_predictions"][0]["predictions"]
        assert [p["time"]["begin"] for p in prosody] == [0, 1, 2], name
        assert prosody[-1]["time"]["end"] == pytest.approx(3.0, abs=0.05), name
        assert ("face" in entry["models"]) is (name == "clip.mp4")


def test_urls_files_and_text_together(emulator: EmulatorHandle, served: str, wait_for_status: Wait) -> None:
    config = {
        "models": {"face": {}, "language": {}},
        "urls": [f"{served}/faces.zip"],
        "text": ["One.", "Two."],
    }
    files = [("json", (None, json.dumps(config))), ("file", ("notes.txt", b"Hello Hume.", "text/plain"))]
    details, predictions = run_job(emulator, wait_for_status, files=files)
    assert [result["source"]["type"] for result in predictions] == ["url", "file", "text"]
    assert (details["state"]["num_predictions"], details["state"]["num_errors"]) == (5, 0)
    assert details["request"]["text"] == ["One.", "Two."]
    assert details["request"]["files"][0]["filename"] == "notes.txt"


def test_url_over_the_size_limit_is_a_source_error(
    emulator: EmulatorHandle, served: str, wait_for_status: Wait, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "MAX_URL_BYTES", 16 * 1024)
    urls = [f"{served}/big.wav", f"{served}/faces.zip"]
    details, predictions = run_job(emulator, wait_for_status, json={"models": {"face": {}}, "urls": urls})
    assert predictions[0] == {
        "source": {"type": "url", "url": urls[0]},
        "error": f"could not download {urls[0]}: larger than the 16 KB limit for URLs",
    }
    assert "results" in predictions[1]
    assert (details["state"]["num_predictions"], details["state"]["num_errors"]) == (2, 1)


def test_upload_over_the_size_limit_is_refused_while_it_streams(
    emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "MAX_UPLOAD_BYTES", 1024 * 1024)
    boundary = "limit-test"

    def body() -> Iterator[bytes]:
        disposition = 'Content-Disposition: form-data; name="file"; filename="huge.bin"'
        yield f"--{boundary}\r\n{disposition}\r\n\r\n".encode()
        for _ in range(16):
            yield bytes(512 * 1024)
        yield f"\r\n--{boundary}--\r\n".encode()

    jobs = emulator.server.state.job_count()
    spooled = set(emulator.server.state.spool_dir.iterdir())
    response = requests.post(
        f"{emulator.url}/v0/batch/jobs",
        data=body(),
        headers={
            "X-Hume-Api-Key": emulator.api_key,
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
        timeout=30,
    )
    assert (response.status_code, response.json()) == (
        400,
        {"message": "file 'huge.bin' is larger than the 1 MB upload limit"},
    )
    assert emulator.server.state.job_count() == jobs
    assert set(emulator.server.state.spool_dir.iterdir()) == spooled
