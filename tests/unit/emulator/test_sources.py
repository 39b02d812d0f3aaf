"""Sources: archives expanded per file, mixed URLs + files + text, per-file and per-source errors (§2.7)."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from airflow_provider_hume.emulator.media.ingest import Spooled, spool
from tests.support.samples import image_bytes, wav_bytes
from tests.support.samples_audio import mp3_bytes

if TYPE_CHECKING:
    from starlette.testclient import TestClient

Predict = Callable[[str], list[dict[str, Any]]]
MEMBERS = {
    "faces/100.jpg": image_bytes(640, 480, image_format="JPEG"),
    "faces/deep/101.png": image_bytes(320, 320),
    "audio/hello.mp3": mp3_bytes(2.0),
    "notes/readme.txt": b"Hello from Lisbon.",
    "faces/thumbs.db": b"\x00\x01\x02",
}
MODELS = {"face": {}, "burst": {}, "language": {}}


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("faces/", b"")
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def tar_bytes(members: dict[str, bytes], mode: str, prefix: str = "") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as archive:  # type: ignore[call-overload]
        directory = tarfile.TarInfo(prefix + "faces")
        directory.type = tarfile.DIRTYPE
        archive.addfile(directory)
        for name, data in members.items():
            info = tarfile.TarInfo(prefix + name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def post(client: TestClient, config: dict[str, Any], *files: tuple[str, bytes]) -> str:
    parts: list[tuple[str, Any]] = [("json", (None, json.dumps(config)))]
    parts += [("file", file) for file in files]
    response = client.post("/v0/batch/jobs", files=parts)
    assert response.status_code == 200, response.text
    job_id: str = response.json()["job_id"]
    return job_id


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("faces.zip", zip_bytes(MEMBERS)),
        ("faces.tar", tar_bytes(MEMBERS, "w")),
        ("faces.tar.gz", tar_bytes(MEMBERS, "w:gz", prefix="./")),
        ("faces.tar.bz2", tar_bytes(MEMBERS, "w:bz2")),
        ("faces.tar.xz", tar_bytes(MEMBERS, "w:xz")),
    ],
)
def test_archives_expand_into_one_entry_per_file(
    client: TestClient, predictions: Predict, filename: str, data: bytes
) -> None:
    job_id = post(client, {"models": MODELS}, (filename, data))
    (source,) = predictions(job_id)
    assert source["source"]["filename"] == filename
    assert source["source"]["md5sum"] == hashlib.md5(data).hexdigest()
    entries = {entry["file"]: sorted(entry["models"]) for entry in source["results"]["predictions"]}
    assert entries == {
        "faces/100.jpg": ["face"],
        "faces/deep/101.png": ["face"],
        "audio/hello.mp3": ["burst", "language"],
        "notes/readme.txt": ["language"],
    }
    assert source["results"]["errors"] == [{"message": "unsupported file type", "file": "faces/thumbs.db"}]
    state = client.get(f"/v0/batch/jobs/{job_id}").json()["state"]
    assert (state["num_predictions"], state["num_errors"]) == (4, 1)


def test_archive_members_are_predicted_like_the_same_files_uploaded_alone(
    client: TestClient, predictions: Predict
) -> None:
    archived = predictions(post(client, {"models": MODELS}, ("faces.zip", zip_bytes(MEMBERS))))
    alone = predictions(post(client, {"models": MODELS}, ("100.jpg", MEMBERS["faces/100.jpg"])))
    first = archived[0]["results"]["predictions"][0]
    assert first["models"] == alone[0]["results"]["predictions"][0]["models"]


def test_broken_archive_keeps_the_members_read_before_the_break(
    client: TestClient, predictions: Predict
) -> None:
    members = {"a.txt": b"First file.", "b.bin": bytes(range(256)) * 400}
    data = tar_bytes(members, "w:gz")
    cut = data[: len(data) - 200]
    (source,) = predictions(post(client, {"models": {"language": {}}}, ("cut.tar.gz", cut)))
    assert [entry["file"] for entry in source["results"]["predictions"]] == ["a.txt"]
    assert source["results"]["errors"][-1] == {"message": "could not read archive", "file": "cut.tar.gz"}


def test_urls_files_and_text_in_one_job(
    client: TestClient, predictions: Predict, monkeypatch: pytest.MonkeyPatch
) -> None:
    served = {
        "http://127.0.0.1:9/tone.wav": wav_bytes(2.0),
        "http://127.0.0.1:9/faces.zip": zip_bytes(MEMBERS),
    }

    def fake_download(url: str, directory: Path) -> Spooled | None:
        return spool([served[url]], directory) if url in served else None

    monkeypatch.setattr("airflow_provider_hume.emulator.backend.submission.download", fake_download)
    urls = [*served, "http://127.0.0.1:9/missing.png"]
    config = {"models": MODELS, "urls": urls, "text": ["Text one.", "Text two."]}
    job_id = post(client, config, ("photo.png", image_bytes(300, 300)), ("notes.txt", b"Uploaded words."))
    results = predictions(job_id)
    assert [result["source"] for result in results] == [
        {"type": "url", "url": urls[0]},
        {"type": "url", "url": urls[1]},
        {"type": "url", "url": urls[2]},
        {"type": "file", "filename": "photo.png", "content_type": "image/png",
         "md5sum": hashlib.md5(image_bytes(300, 300)).hexdigest()},
        {"type": "file", "filename": "notes.txt", "content_type": "text/plain",
         "md5sum": hashlib.md5(b"Uploaded words.").hexdigest()},
        {"type": "text"},
    ]  # fmt: skip
    assert results[2] == {"source": {"type": "url", "url": urls[2]}, "error": f"could not download {urls[2]}"}
    files = [
        [entry["file"] for entry in result["results"]["predictions"]]
        for result in results
        if "results" in result
    ]
    assert files == [["tone.wav"], [*list(MEMBERS)[:4]], ["photo.png"], ["notes.txt"], ["text_0", "text_1"]]
    state = client.get(f"/v0/batch/jobs/{job_id}").json()["state"]
    assert (state["num_predictions"], state["num_errors"]) == (9, 2)
