"""Limits of hume-api-v0.md §2.11: counts and upload size refuse the request (400); archive members and long
media fail per file; URL downloads over the limit fail per source (see the integration tests)."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from airflow_provider_hume.emulator.media import limits
from tests.support.samples_audio import flac_bytes

if TYPE_CHECKING:
    from starlette.testclient import TestClient

    from airflow_provider_hume.emulator.backend.state import EmulatorState

Predict = Callable[[str], list[dict[str, Any]]]


def multipart(config: dict[str, Any], *files: tuple[str, bytes]) -> list[tuple[str, Any]]:
    return [("json", (None, json.dumps(config))), *(("file", file) for file in files)]


def test_the_documented_limits() -> None:
    assert limits.MAX_ITEMS == 100
    assert limits.MAX_UPLOAD_BYTES == 100 * 1024 * 1024
    assert limits.MAX_URL_BYTES == 1024**3
    assert limits.MAX_MEDIA_SECONDS == 3600
    assert [limits.size_label(size) for size in (100 * 1024**2, 1024**3, 1000)] == [
        "100 MB",
        "1 GB",
        "1000 bytes",
    ]


@pytest.mark.parametrize("field", ["urls", "text"])
def test_at_most_100_urls_or_texts(client: TestClient, field: str) -> None:
    values = [f"http://127.0.0.1:9/{index}.wav" for index in range(101)]
    response = client.post("/v0/batch/jobs", json={field: values})
    assert (response.status_code, response.json()) == (
        400,
        {"message": f"{field} must have at most 100 items (got 101)"},
    )


def test_100_texts_are_fine(client: TestClient) -> None:
    assert client.post("/v0/batch/jobs", json={"text": ["x"] * 100}).status_code == 200


def test_upload_over_the_size_limit_is_refused(
    client: TestClient, state: EmulatorState, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "MAX_UPLOAD_BYTES", 1024)
    fine = client.post("/v0/batch/jobs", files=multipart({}, ("small.bin", bytes(1024))))
    assert fine.status_code == 200
    response = client.post("/v0/batch/jobs", files=multipart({}, ("a.txt", b"ok"), ("big.bin", bytes(1025))))
    assert (response.status_code, response.json()) == (
        400,
        {"message": "file 'big.bin' is larger than the 1 KB upload limit"},
    )
    assert state.job_count() == 1


def test_archive_member_over_the_limit_is_a_file_error(
    client: TestClient, predictions: Predict, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "MAX_UPLOAD_BYTES", 4096)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("small.txt", "Small words.")
        archive.writestr("huge.txt", "word " * 2000)
    assert len(buffer.getvalue()) < 4096
    response = client.post(
        "/v0/batch/jobs", files=multipart({"models": {"language": {}}}, ("a.zip", buffer.getvalue()))
    )
    (source,) = predictions(response.json()["job_id"])
    assert [entry["file"] for entry in source["results"]["predictions"]] == ["small.txt"]
    assert source["results"]["errors"] == [
        {"message": "file is larger than the 4 KB limit", "file": "huge.txt"}
    ]


def test_media_longer_than_an_hour_is_a_file_error(
    client: TestClient, predictions: Predict, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "MAX_MEDIA_SECONDS", 5.0)
    files = [("short.flac", flac_bytes(5.0)), ("long.flac", flac_bytes(5.5))]
    response = client.post("/v0/batch/jobs", files=multipart({"models": {"burst": {}}}, *files))
    job_id = response.json()["job_id"]
    short, long = predictions(job_id)
    assert short["results"]["errors"] == []
    assert long["results"] == {
        "predictions": [],
        "errors": [{"message": "audio is longer than the 5 s limit (5.5 s)", "file": "long.flac"}],
    }
    state = client.get(f"/v0/batch/jobs/{job_id}").json()["state"]
    assert (state["num_predictions"], state["num_errors"]) == (1, 1)
