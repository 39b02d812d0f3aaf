"""POST /v0/batch/jobs with JSON and multipart bodies, and the request echo of the job details."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from airflow_provider_hume.emulator.backend import submission
from tests.support.samples import image_bytes, wav_bytes

if TYPE_CHECKING:
    from starlette.testclient import TestClient

DEFAULT_MODELS = {
    "burst": {},
    "face": {
        "descriptions": None,
        "facs": None,
        "fps_pred": 3.0,
        "identify_faces": False,
        "min_face_size": 60,
        "prob_threshold": 0.99,
        "save_faces": False,
    },
    "facemesh": {},
    "language": {"granularity": "word", "identify_speakers": False, "sentiment": None, "toxicity": None},
    "ner": {"identify_speakers": False},
    "prosody": {"granularity": "utterance", "identify_speakers": False, "window": None},
}


def details(client: TestClient, job_id: str) -> dict[str, Any]:
    body: dict[str, Any] = client.get(f"/v0/batch/jobs/{job_id}").json()
    return body


def test_json_text_job_echo_with_all_default_models(client: TestClient, submit: Callable[..., str]) -> None:
    job_id = submit(text=["Mary had a little lamb"], notify=True)
    assert details(client, job_id)["request"] == {
        "callback_url": None,
        "files": [],
        "models": DEFAULT_MODELS,
        "notify": True,
        "text": ["Mary had a little lamb"],
        "urls": [],
    }


def test_echo_fills_defaults_for_requested_models_and_nulls_the_rest(
    client: TestClient, submit: Callable[..., str]
) -> None:
    job_id = submit(
        models={"face": {"identify_faces": True}, "language": {"sentiment": {}}},
        text=["hi"],
        callback_url="http://127.0.0.1:1/callback",
    )
    request = details(client, job_id)["request"]
    assert request["models"] == {
        "burst": None,
        "face": {**DEFAULT_MODELS["face"], "identify_faces": True},
        "facemesh": None,
        "language": {**DEFAULT_MODELS["language"], "sentiment": {}},
        "ner": None,
        "prosody": None,
    }
    assert request["callback_url"] == "http://127.0.0.1:1/callback"
    assert request["notify"] is False
    assert "transcription" not in request


def test_transcription_is_echoed_with_defaults_when_given(
    client: TestClient, submit: Callable[..., str]
) -> None:
    given = details(client, submit(transcription={"language": "en"}, text=["hi"]))["request"]
    assert given["transcription"] == {
        "confidence_threshold": 0.5,
        "identify_speakers": False,
        "language": "en",
    }
    disabled = details(client, submit(transcription=None, text=["hi"]))["request"]
    assert disabled["transcription"] is None


def test_prosody_window_echo(client: TestClient, submit: Callable[..., str]) -> None:
    job_id = submit(models={"prosody": {"window": {"length": 5}}}, text=["x"])
    prosody = details(client, job_id)["request"]["models"]["prosody"]
    assert prosody == {
        "granularity": "utterance",
        "identify_speakers": False,
        "window": {"length": 5, "step": 1.0},
    }


def test_multipart_keeps_filenames_of_file_and_file_array_parts(client: TestClient) -> None:
    wav, png = wav_bytes(1.0), image_bytes(320, 240)
    files = [
        ("json", (None, json.dumps({"models": {"face": {}, "prosody": {}}}))),
        ("file", ("voice.wav", wav, "audio/wav")),
        ("file[]", ("portrait.png", png, "image/png")),
    ]
    response = client.post("/v0/batch/jobs", files=files)
    assert response.status_code == 200, response.text
    request = details(client, response.json()["job_id"])["request"]
    assert request["files"] == [
        {"filename": "voice.wav", "content_type": "audio/wav", "md5sum": hashlib.md5(wav).hexdigest()},
        {"filename": "portrait.png", "content_type": "image/png", "md5sum": hashlib.md5(png).hexdigest()},
    ]
    assert request["models"]["face"] is not None
    assert request["models"]["language"] is None


def raw_multipart(parts: list[tuple[str, str, bytes]]) -> tuple[bytes, dict[str, str]]:
    """A multipart body whose parts carry a filename but no Content-Type, as the old SDK sent them."""
    boundary = "emulator-test-boundary"
    chunks = []
    for name, filename, data in parts:
        disposition = f'Content-Disposition: form-data; name="{name}"; filename="{filename}"'
        chunks.append(f"--{boundary}\r\n{disposition}\r\n\r\n".encode() + data + b"\r\n")
    body = b"".join(chunks) + f"--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def test_multipart_json_part_as_file_without_content_type(client: TestClient) -> None:
    config = json.dumps({"models": {"burst": {}}, "notify": True}).encode()
    body, headers = raw_multipart([("json", "json", config), ("file", "a.wav", wav_bytes(0.5))])
    response = client.post("/v0/batch/jobs", content=body, headers=headers)
    assert response.status_code == 200, response.text
    request = details(client, response.json()["job_id"])["request"]
    assert request["notify"] is True
    assert request["models"]["burst"] == {}
    assert request["files"][0]["content_type"] == "audio/wav"


def test_multipart_without_json_part_runs_all_models(client: TestClient) -> None:
    response = client.post("/v0/batch/jobs", files=[("file", ("a.png", image_bytes(300, 300)))])
    assert response.status_code == 200
    assert details(client, response.json()["job_id"])["request"]["models"] == DEFAULT_MODELS


def test_multipart_with_urls_only(client: TestClient, monkeypatch: Any) -> None:
    monkeypatch.setattr(submission, "download", lambda url, directory: None)
    response = client.post(
        "/v0/batch/jobs", files=[("json", (None, '{"urls": ["http://127.0.0.1:9/a.png"]}'))]
    )
    assert response.status_code == 200, response.text
    assert details(client, response.json()["job_id"])["request"]["urls"] == ["http://127.0.0.1:9/a.png"]


def test_multipart_validation_counts_files(client: TestClient) -> None:
    files = [("file", (f"{index}.txt", b"hi")) for index in range(101)]
    response = client.post("/v0/batch/jobs", files=files)
    assert response.status_code == 400
    assert response.json() == {"message": "files must have at most 100 items (got 101)"}


def test_multipart_rejects_unexpected_parts(client: TestClient) -> None:
    response = client.post("/v0/batch/jobs", files=[("media", ("a.txt", b"hi"))])
    assert response.json() == {"message": "unexpected form part 'media' (expected json and file)"}
    response = client.post("/v0/batch/jobs", files=[("file", (None, "not a file"))])
    assert response.json() == {"message": "file parts must be files"}
    response = client.post("/v0/batch/jobs", files=[("json", (None, "{")), ("file", ("a.txt", b"hi"))])
    message = (
        "json part is not valid JSON: Expecting property name enclosed in double quotes: line 1 column 2"
    )
    assert response.json()["message"].startswith(message)


def test_json_body_errors(client: TestClient) -> None:
    response = client.post("/v0/batch/jobs", content=b"{nope", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["message"].startswith("request body is not valid JSON: Expecting property name")
    response = client.post(
        "/v0/batch/jobs", json={"models": {"face": {"prob_threshold": 1.5}}, "text": ["x"]}
    )
    assert response.json() == {"message": "models.face.prob_threshold must be between 0 and 1 (got 1.5)"}
    response = client.post("/v0/batch/jobs", content=b"text", headers={"Content-Type": "text/plain"})
    assert response.status_code == 400
    assert response.json()["message"].startswith("unsupported content type 'text/plain'")


def test_rejected_requests_create_no_job(client: TestClient, state: Any) -> None:
    client.post("/v0/batch/jobs", json={"models": {"nope": {}}, "text": ["x"]})
    client.post("/v0/batch/jobs", json={})
    assert state.job_count() == 0
