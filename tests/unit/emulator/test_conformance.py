"""The emulator's bodies carry the same keys with the same JSON types as Hume's published examples.

The examples are the WireMock stubs from Hume's Python SDK, copied to ``tests/fixtures/reference``. A
documented field the examples lack (``user_id``, hume-api.md §2.6.1) is the only extra key allowed.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from airflow_provider_hume.emulator.ingest import Spooled, spool
from airflow_provider_hume.emulator.samples import image_bytes

if TYPE_CHECKING:
    from starlette.testclient import TestClient

REFERENCE = Path(__file__).resolve().parents[2] / "fixtures" / "reference"
FACES_URL = "http://127.0.0.1:9/faces.zip"


def wiremock_body(name: str) -> Any:
    mappings = json.loads((REFERENCE / "wiremock_batch_mappings.json").read_text())
    (mapping,) = [mapping for mapping in mappings if mapping["name"] == name]
    return json.loads(mapping["response"]["body"])


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return {str: "string", list: "array", dict: "object"}[type(value)]


def assert_same_shape(
    actual: Any, expected: Any, path: str = "$", extra: frozenset[str] = frozenset()
) -> None:
    assert json_type(actual) == json_type(expected), f"{path}: {json_type(actual)} != {json_type(expected)}"
    if isinstance(expected, dict):
        assert expected.keys() <= actual.keys(), f"{path}: missing {sorted(expected.keys() - actual.keys())}"
        assert actual.keys() - expected.keys() <= extra, (
            f"{path}: extra {sorted(actual.keys() - expected.keys())}"
        )
        for key in expected:
            assert_same_shape(actual[key], expected[key], f"{path}.{key}")
    elif isinstance(expected, list) and expected:
        assert actual, f"{path}: empty list"
        for index, item in enumerate(actual):
            assert_same_shape(item, expected[0], f"{path}[{index}]", extra)


@pytest.fixture
def faces_zip(monkeypatch: pytest.MonkeyPatch) -> None:
    """Serve the URL of Hume's example (an archive holding faces/100.jpg) without any socket."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("faces/100.jpg", image_bytes(640, 480, image_format="JPEG"))

    def fake_download(url: str, directory: Path) -> Spooled:
        assert url == FACES_URL
        return spool([buffer.getvalue()], directory)

    monkeypatch.setattr("airflow_provider_hume.emulator.submission.download", fake_download)


def test_start_job_response(client: TestClient) -> None:
    response = client.post("/v0/batch/jobs", json={"text": ["hi"]})
    assert_same_shape(response.json(), wiremock_body("Start inference job - default"))


@pytest.mark.usefixtures("faces_zip")
def test_completed_job_details(
    client: TestClient, submit: Callable[..., str], finish: Callable[[], None]
) -> None:
    job_id = submit(urls=[FACES_URL], notify=True)
    finish()
    actual = client.get(f"/v0/batch/jobs/{job_id}").json()
    assert_same_shape(actual, wiremock_body("Get job details - default"), extra=frozenset({"user_id"}))


@pytest.mark.usefixtures("faces_zip")
def test_list_jobs_with_a_file(client: TestClient, finish: Callable[[], None]) -> None:
    config = json.dumps({"urls": [FACES_URL], "notify": True})
    files = [("json", (None, config)), ("file", ("photo.png", image_bytes(300, 300), "image/png"))]
    client.post("/v0/batch/jobs", files=files)
    finish()
    actual = client.get("/v0/batch/jobs").json()
    assert_same_shape(actual, wiremock_body("List jobs - default"), extra=frozenset({"user_id"}))


@pytest.mark.usefixtures("faces_zip")
def test_predictions(client: TestClient, submit: Callable[..., str], finish: Callable[[], None]) -> None:
    job_id = submit(urls=[FACES_URL], notify=True)
    finish()
    actual = client.get(f"/v0/batch/jobs/{job_id}/predictions").json()
    expected = json.loads((REFERENCE / "wiremock_predictions.json").read_text())
    assert expected == wiremock_body("Get job predictions - default")
    assert_same_shape(actual, expected)
    assert actual[0]["source"] == {"type": "url", "url": FACES_URL}
    assert actual[0]["results"]["predictions"][0]["file"] == "faces/100.jpg"
