"""Fakes for the transfers: an S3 hook that keeps objects in memory, a client with canned bodies, a body."""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, BinaryIO

import pytest

from airflow_provider_hume.client import HumeBatchClient
from airflow_provider_hume.client.body_framing import Verification
from tests.unit.airflow.stubs import API_KEY, BASE_URL, StubClient

CONN_ID = "hume_unit"
JOB = "job-7"


def _face(frame: int) -> dict[str, Any]:
    return {
        "frame": frame,
        "time": frame / 30,
        "prob": 0.99,
        "box": {"x": 1.0, "y": 2.0, "w": 30.0, "h": 40.0},
        "emotions": [{"name": "Joy", "score": 0.5}, {"name": "Calmness", "score": 0.25}],
    }


def _source(source: dict[str, Any], file: str, models: dict[str, Any]) -> dict[str, Any]:
    grouped = {
        model: {"metadata": None, "grouped_predictions": [{"id": "unknown", "predictions": predictions}]}
        for model, predictions in models.items()
    }
    return {"source": source, "results": {"predictions": [{"file": file, "models": grouped}], "errors": []}}


#: A predictions body: two face frames of a URL, one language prediction of a text, and a failed URL.
PREDICTIONS = json.dumps(
    [
        _source({"type": "url", "url": "https://m.example/a.mp4"}, "a.mp4", {"face": [_face(0), _face(1)]}),
        _source(
            {"type": "text"},
            "text",
            {
                "language": [
                    {
                        "text": "Hi",
                        "position": {"begin": 0, "end": 2},
                        "emotions": [{"name": "Joy", "score": 0.75}],
                    }
                ]
            },
        ),
        {
            "source": {"type": "url", "url": "https://m.example/bad.mp3"},
            "error": "Failed to download the URL",
        },
    ]
).encode()
ARTIFACTS = b"PK\x03\x04 artifacts zip"


class FakeS3Hook:
    """The part of ``S3Hook`` the transfers use, keeping objects in ``objects[(bucket, key)]`` and their user
    metadata (set through ``upload_metadata``, as the provider's ``S3Hook`` does) in ``metadata``."""

    def __init__(self, *existing: tuple[str, str]) -> None:
        self.objects: dict[tuple[str, str], bytes] = dict.fromkeys(existing, b"old")
        self.metadata: dict[tuple[str, str], dict[str, str]] = {}
        self.upload_metadata: dict[str, str] = {}
        self.checked: list[tuple[str, str]] = []
        self.reads: list[int] = []
        self.uploads: list[tuple[str, str]] = []

    def put(self, bucket: str, key: str, data: bytes, metadata: dict[str, str]) -> None:
        """An object written by someone, with this user metadata."""
        self.objects[(bucket, key)] = data
        self.metadata[(bucket, key)] = dict(metadata)

    def head_object(self, key: str, bucket_name: str) -> dict[str, Any] | None:
        self.checked.append((bucket_name, key))
        if (bucket_name, key) not in self.objects:
            return None
        return {
            "ContentLength": len(self.objects[(bucket_name, key)]),
            "Metadata": self.metadata.get((bucket_name, key), {}),
        }

    def _store(self, bucket: str, key: str, data: bytes) -> None:
        self.uploads.append((bucket, key))
        self.put(bucket, key, data, self.upload_metadata)

    def load_file_obj(self, file_obj: BinaryIO, key: str, bucket_name: str, replace: bool) -> None:
        assert replace, "the transfer checked for an existing key itself"
        data = bytearray()
        while chunk := file_obj.read(64):  # small reads, as a multipart upload does
            self.reads.append(len(chunk))
            data += chunk
        self._store(bucket_name, key, bytes(data))

    def load_file(self, filename: str | Path, key: str, bucket_name: str, replace: bool) -> None:
        assert replace, "the transfer checked for an existing key itself"
        self._store(bucket_name, key, Path(filename).read_bytes())


class BodyClient(StubClient):
    """A stub client whose predictions and artifacts are canned bodies; remembers what it opened."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.opened: list[tuple[str, str]] = []
        self.verified: list[Verification] = []

    def open_predictions(
        self, job_id: str, *, verify: Verification = "unframed"
    ) -> AbstractContextManager[BinaryIO]:
        self.opened.append(("predictions", job_id))
        self.verified.append(verify)
        return contextlib.nullcontext(io.BytesIO(PREDICTIONS))

    def open_artifacts(
        self, job_id: str, *, verify: Verification = "unframed"
    ) -> AbstractContextManager[BinaryIO]:
        self.opened.append(("artifacts", job_id))
        self.verified.append(verify)
        return contextlib.nullcontext(io.BytesIO(ARTIFACTS))


def read_through(op: Any, client: HumeBatchClient) -> list[HumeBatchClient]:
    """Make ``op`` read its body from ``client``; returns the clients it built from its connection.

    The transfers build their Hume client inline from ``hume_conn_id`` (they have no ``hook`` attribute to
    inject a stub through), so the swap happens where the client is used: the operator's own ``open_body``
    still runs, with ``client`` instead of the one built from the connection (which makes no request).
    """
    built: list[HumeBatchClient] = []
    own_open_body: Callable[[Any, HumeBatchClient], AbstractContextManager[BinaryIO]] = type(op).open_body

    def open_body(connection_client: HumeBatchClient) -> AbstractContextManager[BinaryIO]:
        built.append(connection_client)
        return own_open_body(op, client)

    op.open_body = open_body
    return built


@pytest.fixture
def hume_connection(monkeypatch: pytest.MonkeyPatch) -> str:
    """An Airflow connection ``hume_unit`` (from the environment) pointing at the stub base URL."""
    conn = {"conn_type": "hume", "host": BASE_URL, "password": API_KEY}
    monkeypatch.setenv(f"AIRFLOW_CONN_{CONN_ID.upper()}", json.dumps(conn))
    return CONN_ID
