"""GET /artifacts: headers, ZIP layout ``<source>/<model>.csv`` and CSV contents (hume-api-v0.md §8)."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PIL import Image

from tests.support.samples import image_bytes, wav_bytes

if TYPE_CHECKING:
    from starlette.testclient import TestClient


def artifacts(client: TestClient, finish: Callable[[], None], job_id: str) -> zipfile.ZipFile:
    finish()
    response = client.get(f"/v0/batch/jobs/{job_id}/artifacts")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["content-disposition"] == 'attachment; filename="artifacts.zip"'
    return zipfile.ZipFile(io.BytesIO(response.content))


def rows(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8"))))


def post_files(client: TestClient, config: dict[str, Any], *files: tuple[str, bytes]) -> str:
    parts: list[tuple[str, Any]] = [("json", (None, json.dumps(config)))]
    parts += [("file", (name, data)) for name, data in files]
    job_id: str = client.post("/v0/batch/jobs", files=parts).json()["job_id"]
    return job_id


def test_text_job_layout_and_csv(
    client: TestClient, finish: Callable[[], None], submit: Callable[..., str]
) -> None:
    job_id = submit(
        models={"language": {"sentiment": {}}, "ner": {}}, text=["Hello Barack Obama.", "Bye now"]
    )
    archive = artifacts(client, finish, job_id)
    assert archive.namelist() == ["text/language.csv", "text/ner.csv"]
    words = rows(archive, "text/language.csv")
    assert [(row["file"], row["text"]) for row in words] == [
        ("text_0", "Hello"), ("text_0", "Barack"), ("text_0", "Obama."), ("text_1", "Bye"), ("text_1", "now"),
    ]  # fmt: skip
    assert {"id", "begin", "end", "Annoyance", "Triumph", "sentiment_1", "sentiment_9"} <= words[0].keys()
    predictions = client.get(f"/v0/batch/jobs/{job_id}/predictions").json()
    first = predictions[0]["results"]["predictions"][0]["models"]["language"]["grouped_predictions"][0]
    assert float(words[0]["Admiration"]) == first["predictions"][0]["emotions"][0]["score"]
    entities = rows(archive, "text/ner.csv")
    assert [(row["entity"], row["link_word"]) for row in entities] == [("Barack Obama", "Obama")]


def test_media_job_layout_and_saved_faces(client: TestClient, finish: Callable[[], None]) -> None:
    config = {"models": {"face": {"save_faces": True, "prob_threshold": 0.5}, "prosody": {}, "burst": {}}}
    files = [
        ("voice.wav", wav_bytes(2.0)),
        ("photo.png", image_bytes(640, 480)),
        ("photo.png", image_bytes(320, 320)),
    ]
    archive = artifacts(client, finish, post_files(client, config, *files))
    names = archive.namelist()
    assert names[:4] == [
        "voice.wav/prosody.csv",
        "voice.wav/burst.csv",
        "photo.png/face.csv",
        "photo.png/faces/0_0.png",
    ]
    assert "photo_2.png/face.csv" in names
    faces = rows(archive, "photo.png/face.csv")
    assert list(faces[0])[:9] == ["file", "id", "frame", "time", "prob", "x", "y", "w", "h"]
    assert len(faces) == len([name for name in names if name.startswith("photo.png/faces/")])
    crop = Image.open(io.BytesIO(archive.read("photo.png/faces/0_0.png")))
    assert abs(crop.width - float(faces[0]["w"])) <= 1
    prosody = rows(archive, "voice.wav/prosody.csv")
    assert 0 < float(prosody[-1]["end"]) <= 2.0
    assert "Laugh" in rows(archive, "voice.wav/burst.csv")[0]


def test_sources_without_predictions_have_no_entries(client: TestClient, finish: Callable[[], None]) -> None:
    archive = artifacts(
        client, finish, post_files(client, {"models": {"face": {}}}, ("voice.wav", wav_bytes(1)))
    )
    assert archive.namelist() == []


def test_large_artifacts_stream_in_chunks(
    client: TestClient, finish: Callable[[], None], submit: Callable[..., str]
) -> None:
    job_id = submit(models={"language": {}}, text=[" ".join(["word"] * 500)] * 3)
    finish()
    with client.stream("GET", f"/v0/batch/jobs/{job_id}/artifacts") as response:
        chunks = list(response.iter_raw())
    assert len(chunks) > 1
    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    assert len(rows(archive, "text/language.csv")) == 1500
