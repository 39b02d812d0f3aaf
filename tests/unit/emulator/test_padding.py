"""Artifacts padding: an exact-size, stored, deterministic ``padding.bin``, generated while streaming."""

from __future__ import annotations

import io
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from airflow_provider_hume.emulator.backend.auth import user_id_for
from airflow_provider_hume.emulator.backend.request import JobRequest
from airflow_provider_hume.emulator.backend.state import EmulatorState
from airflow_provider_hume.emulator.inference.artifacts import stream_artifacts
from airflow_provider_hume.emulator.inference.padding import CHUNK_BYTES, padding_chunks

if TYPE_CHECKING:
    from starlette.testclient import TestClient

PAD = 2 * CHUNK_BYTES + 12_345


def test_padding_is_exact_stored_and_last(
    client: TestClient, finish: Callable[[], None], submit: Callable[..., str]
) -> None:
    job_id = submit(models={"language": {}}, text=["Hello there"])
    client.patch("/_emulator/faults", json={"artifacts_pad_bytes": PAD})
    finish()
    with client.stream("GET", f"/v0/batch/jobs/{job_id}/artifacts") as response:
        chunks = list(response.iter_raw())
    assert len(chunks) > 3, "padding is sent chunk by chunk"
    assert max(len(chunk) for chunk in chunks) <= CHUNK_BYTES + 1024
    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    assert archive.testzip() is None
    assert archive.namelist() == ["text/language.csv", "padding.bin"]
    info = archive.getinfo("padding.bin")
    assert (info.file_size, info.compress_size, info.compress_type) == (PAD, PAD, zipfile.ZIP_STORED)
    assert archive.read("padding.bin") == b"".join(padding_chunks(PAD, seed=0))


def test_padding_is_deterministic_and_incompressible() -> None:
    data = b"".join(padding_chunks(100_000, seed=0))
    assert len(data) == 100_000
    assert data == b"".join(padding_chunks(100_000, seed=0))
    assert data != b"".join(padding_chunks(100_000, seed=1))
    assert len(zlib.compress(data, 9)) > 99_000
    assert data[:50_000] == b"".join(padding_chunks(50_000, seed=0)), "a byte depends on its offset only"


def test_no_padding_without_the_fault(
    client: TestClient, finish: Callable[[], None], submit: Callable[..., str]
) -> None:
    job_id = submit(models={"language": {}}, text=["Hello"])
    finish()
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/v0/batch/jobs/{job_id}/artifacts").content))
    assert archive.namelist() == ["text/language.csv"]


def test_memory_stays_flat_while_padding(state: EmulatorState, api_key: str) -> None:
    job = state.add_job(user_id_for(api_key), JobRequest(text=()), [])
    size = 48 * 1024 * 1024
    tracemalloc.start()
    try:
        sent = sum(len(chunk) for chunk in stream_artifacts(job, pad_bytes=size, seed=5))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sent > size
    assert peak < 8 * CHUNK_BYTES, "a few chunks at most, whatever the size"
