"""Hume's published example bodies vs the emulator's answers to the equivalent requests.

Every example body of the reference definitions copied to ``tests/fixtures/reference`` is covered: the
WireMock stubs of Hume's Python SDK, the examples of the Fern definition vendored in the TypeScript SDK
(``ts_mock_batch.yml``) and the default ``models`` of the 2023 OpenAPI document. The emulator answers the
same request (the example's URL served from loopback) and its body must carry the same keys with the same
JSON types, recursively; the only extra key allowed is ``user_id``, which hume-api-v0.md §2.6.1 documents for
real responses though these examples lack it.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from airflow_provider_hume.emulator.media.ingest import Spooled, spool
from tests.support.samples import image_bytes

if TYPE_CHECKING:
    from starlette.testclient import TestClient

REFERENCE = Path(__file__).resolve().parents[3] / "fixtures" / "reference"
LOOPBACK = "http://127.0.0.1:9/"
DOCUMENTED_EXTRAS = frozenset({"user_id"})


@dataclass(frozen=True)
class Example:
    """One example exchange: the endpoint, the request body (if any) and the response body."""

    origin: str
    endpoint: str
    request: Any
    response: Any


def wiremock_examples() -> Iterator[Example]:
    names = {
        "List jobs - default": "list-jobs",
        "Start inference job - default": "start-inference-job",
        "Get job details - default": "get-job-details",
        "Get job predictions - default": "get-job-predictions",
        "Start inference job from local file - default": "start-inference-job-from-local-file",
    }
    for mapping in json.loads((REFERENCE / "wiremock_batch_mappings.json").read_text()):
        yield Example("wiremock", names[mapping["name"]], None, json.loads(mapping["response"]["body"]))


def fern_examples() -> Iterator[Example]:
    definition = yaml.safe_load((REFERENCE / "ts_mock_batch.yml").read_text())
    for endpoint, spec in definition["service"]["endpoints"].items():
        for example in spec.get("examples", []):
            yield Example("fern", endpoint, example.get("request"), example["response"]["body"])


EXAMPLES = [*wiremock_examples(), *fern_examples()]


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return {str: "string", list: "array", dict: "object"}[type(value)]


def assert_same_shape(actual: Any, expected: Any, path: str = "$") -> None:
    """Same JSON types and keys (plus the documented extras) at every level; list items match the first."""
    assert json_type(actual) == json_type(expected), f"{path}: {json_type(actual)} != {json_type(expected)}"
    if isinstance(expected, dict):
        assert expected.keys() <= actual.keys(), f"{path}: missing {sorted(expected.keys() - actual.keys())}"
        extra = actual.keys() - expected.keys()
        assert extra <= DOCUMENTED_EXTRAS, f"{path}: extra {sorted(extra)}"
        for key in expected:
            assert_same_shape(actual[key], expected[key], f"{path}.{key}")
    elif isinstance(expected, list) and expected:
        assert actual, f"{path}: empty list"
        for index, item in enumerate(actual):
            assert_same_shape(item, expected[0], f"{path}[{index}]")


def on_loopback(url: str) -> str:
    """The example's URL as the emulator may fetch it: same file name, on the loopback host."""
    return LOOPBACK + PurePosixPath(url).name


@pytest.fixture(autouse=True)
def faces_zip(monkeypatch: pytest.MonkeyPatch) -> None:
    """Serve ``faces.zip`` (holding ``faces/100.jpg``, like Hume's tutorial archive) without any socket."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("faces/100.jpg", image_bytes(640, 480, image_format="JPEG"))

    def fake_download(url: str, directory: Path) -> Spooled | None:
        return spool([buffer.getvalue()], directory) if url == LOOPBACK + "faces.zip" else None

    monkeypatch.setattr("airflow_provider_hume.emulator.backend.submission.download", fake_download)


@pytest.fixture
def answer(client: TestClient, finish: Callable[[], None]) -> Callable[[Example], Any]:
    """The emulator's body for the request equivalent to an example."""
    default_job = {"urls": ["https://hume-tutorials.s3.amazonaws.com/faces.zip"], "notify": True}

    def start(body: dict[str, Any], files: list[tuple[str, Any]] | None = None) -> str:
        body = {**body, "urls": [on_loopback(url) for url in body.get("urls", [])]}
        if files is None:
            response = client.post("/v0/batch/jobs", json=body)
        else:
            response = client.post("/v0/batch/jobs", files=[("json", (None, json.dumps(body))), *files])
        assert response.status_code == 200, response.text
        job_id: str = response.json()["job_id"]
        return job_id

    def _answer(example: Example) -> Any:
        if example.endpoint == "start-inference-job":
            body = example.request or {"text": ["hi"]}
            return client.post(
                "/v0/batch/jobs", json={**body, "urls": [on_loopback(url) for url in body.get("urls", [])]}
            ).json()
        if example.endpoint == "start-inference-job-from-local-file":
            files = [("file", ("photo.png", image_bytes(300, 300), "image/png"))]
            return client.post("/v0/batch/jobs", files=files).json()
        if example.endpoint == "list-jobs":
            start(default_job, [("file", ("photo.png", image_bytes(300, 300), "image/png"))])
            finish()
            return client.get("/v0/batch/jobs").json()
        job_id = start(default_job)
        finish()
        suffix = "/predictions" if example.endpoint == "get-job-predictions" else ""
        return client.get(f"/v0/batch/jobs/{job_id}{suffix}").json()

    return _answer


def test_every_example_is_covered() -> None:
    covered = {(example.origin, example.endpoint) for example in EXAMPLES}
    endpoints = {"list-jobs", "start-inference-job", "start-inference-job-from-local-file", "get-job-details",
                 "get-job-predictions"}  # fmt: skip
    assert covered == {(origin, endpoint) for origin in ("wiremock", "fern") for endpoint in endpoints}
    predictions = json.loads((REFERENCE / "wiremock_predictions.json").read_text())
    assert [example.response for example in EXAMPLES if example.endpoint == "get-job-predictions"] == [
        predictions,
        predictions,
    ]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda example: f"{example.origin}:{example.endpoint}")
def test_emulator_answers_like_the_example(answer: Callable[[Example], Any], example: Example) -> None:
    assert_same_shape(answer(example), example.response)


def test_fern_start_request_example_is_accepted_and_echoed(client: TestClient) -> None:
    (example,) = [example for example in EXAMPLES if example.origin == "fern" and example.request]
    job_id = client.post("/v0/batch/jobs", json=example.request).json()["job_id"]
    echo = client.get(f"/v0/batch/jobs/{job_id}").json()["request"]
    assert (echo["urls"], echo["notify"]) == (example.request["urls"], True)


def test_default_models_are_the_openapi_default(client: TestClient) -> None:
    document = yaml.safe_load((REFERENCE / "fern_hume_openapi_2023.yaml").read_text())
    default = document["components"]["schemas"]["BaseRequest"]["properties"]["models"]["allOf"][1]["default"]
    job_id = client.post("/v0/batch/jobs", json={"text": ["hi"]}).json()["job_id"]
    assert client.get(f"/v0/batch/jobs/{job_id}").json()["request"]["models"] == default


def test_example_predictions_point_at_the_archive_member(answer: Callable[[Example], Any]) -> None:
    (example,) = [e for e in EXAMPLES if (e.origin, e.endpoint) == ("fern", "get-job-predictions")]
    (source,) = answer(example)
    assert source["source"] == {"type": "url", "url": LOOPBACK + "faces.zip"}
    assert (
        source["results"]["predictions"][0]["file"]
        == example.response[0]["results"]["predictions"][0]["file"]
    )
