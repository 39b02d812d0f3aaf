"""Predictions bodies for the tabular tests: real emulator output (in process, no socket) and a lazy giant."""

from __future__ import annotations

import io
import json
import warnings
from collections.abc import Iterator
from functools import cache
from typing import Any

from airflow_provider_hume.emulator.backend.state import EmulatorState
from airflow_provider_hume.emulator.http.app import create_app
from tests.support.samples import image_bytes, wav_bytes

with warnings.catch_warnings():  # starlette asks for httpx2; plain httpx works fine here
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

ALL_MODELS: dict[str, Any] = {
    "face": {},
    "burst": {},
    "prosody": {},
    "language": {"sentiment": {}, "toxicity": {}},
    "ner": {},
    "facemesh": {},
}
BAD_URL = "https://example.invalid/call.mp3"


@cache
def emulator_body(text: str = "Barack Obama visited New York. It was great!") -> bytes:
    """Predictions of one job with every model: a WAV, a PNG, landmarks, bad landmarks, a bad URL, text."""
    now = [1_712_590_457.0]
    state = EmulatorState(["key"], queue_seconds=1, run_seconds=1, clock=lambda: now[0])
    config = {"models": ALL_MODELS, "text": [text], "urls": [BAD_URL]}
    mesh = json.dumps([[[0.1, 0.2, 0.3]] * 478] * 2).encode()
    files = [
        ("json", (None, json.dumps(config))),
        ("file", ("voice.wav", wav_bytes(4.0))),
        ("file", ("photo.png", image_bytes(640, 480))),
        ("file", ("mesh.json", mesh)),
        ("file", ("bad.json", b"{}")),
    ]
    try:
        with TestClient(create_app(state), headers={"X-Hume-Api-Key": "key"}) as client:
            response = client.post("/v0/batch/jobs", files=files)
            assert response.status_code == 200, response.text
            now[0] += 5
            predictions = client.get(f"/v0/batch/jobs/{response.json()['job_id']}/predictions")
            assert predictions.status_code == 200, predictions.text
            return predictions.content
    finally:
        state.close()


def face_prediction(index: int, names: tuple[str, ...]) -> dict[str, Any]:
    """A face prediction of frame ``index`` with deterministic scores."""
    return {
        "frame": index,
        "time": index / 30,
        "prob": 0.99,
        "box": {"x": 1.5, "y": 2.5, "w": 100.0, "h": 120.0},
        "emotions": [{"name": name, "score": (index * 31 + k) % 1000 / 1000} for k, name in enumerate(names)],
        "facs": None,
        "descriptions": None,
    }


class LazyFaceBody(io.RawIOBase):
    """One source, one file, one group of ``count`` face predictions, generated as it is read.

    The worst case for a per-source parser: the whole body is one source.
    """

    def __init__(self, count: int, names: tuple[str, ...]) -> None:
        self._chunks = self._generate(count, names)
        self._pending = b""
        self.size = 0

    @staticmethod
    def _generate(count: int, names: tuple[str, ...]) -> Iterator[bytes]:
        yield (
            b'[{"source":{"type":"url","url":"https://example.com/v.mp4"},"results":{"predictions":'
            b'[{"file":"v.mp4","models":{"face":{"metadata":null,"grouped_predictions":'
            b'[{"id":"unknown","predictions":['
        )
        for index in range(count):
            encoded = json.dumps(face_prediction(index, names), separators=(",", ":")).encode()
            yield (b"," if index else b"") + encoded
        yield b']}]}}}],"errors":[]}}]'

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while len(self._pending) < len(buffer):
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._pending += chunk
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        self.size += size
        return size
