"""Predictions padding: a last, valid face source of at least the size asked, generated while streaming."""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from airflow_provider_hume.emulator.backend.settings import FaultSettings, SettingError
from airflow_provider_hume.emulator.inference.names import EXPRESSIONS_48
from airflow_provider_hume.emulator.inference.predictions_padding import CHUNK_BYTES, padding_source

if TYPE_CHECKING:
    from starlette.testclient import TestClient

PAD = 3 * CHUNK_BYTES + 12_345
FRAME_BYTES_MAX = 2_000


def test_padding_is_a_last_face_source_of_the_size_asked(
    client: TestClient, finish: Callable[[], None], submit: Callable[..., str]
) -> None:
    job_id = submit(models={"language": {}}, text=["Hello there"])
    finish()
    unpadded = client.get(f"/v0/batch/jobs/{job_id}/predictions")
    client.patch("/_emulator/faults", json={"predictions_pad_bytes": PAD})
    with client.stream("GET", f"/v0/batch/jobs/{job_id}/predictions") as response:
        chunks = list(response.iter_raw())
    assert len(chunks) > 3, "padding is sent chunk by chunk"
    assert max(len(chunk) for chunk in chunks) <= CHUNK_BYTES + FRAME_BYTES_MAX
    body = json.loads(b"".join(chunks))
    assert body[:-1] == json.loads(unpadded.content)
    padding = body[-1]
    assert PAD <= len(json.dumps(padding, separators=(",", ":"))) <= PAD + FRAME_BYTES_MAX
    assert padding["source"]["type"] == "file"
    assert padding["source"]["filename"] == "padding.mp4"
    (prediction,) = padding["results"]["predictions"]
    (group,) = prediction["models"]["face"]["grouped_predictions"]
    frames = group["predictions"]
    assert [frame["frame"] for frame in frames] == list(range(len(frames)))
    assert [e["name"] for e in frames[-1]["emotions"]] == list(EXPRESSIONS_48)
    assert all(0 <= e["score"] <= 1 for e in frames[-1]["emotions"])


def test_padding_depends_on_the_seed_only() -> None:
    first = b"".join(padding_source(50_000, seed=0))
    assert first == b"".join(padding_source(50_000, seed=0))
    assert first != b"".join(padding_source(50_000, seed=1))


def test_a_negative_padding_is_refused() -> None:
    with pytest.raises(SettingError, match="predictions_pad_bytes: must not be negative"):
        FaultSettings(predictions_pad_bytes=-1)


def test_memory_stays_flat_while_padding() -> None:
    tracemalloc.start()
    try:
        sent = sum(len(chunk) for chunk in padding_source(48 * 1024 * 1024, seed=5))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sent >= 48 * 1024 * 1024
    assert peak < 8 * CHUNK_BYTES, "a few chunks at most, whatever the size"
