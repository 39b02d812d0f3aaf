"""Writes to fsspec stores: whole bodies only, marked, in bounded pieces (the local filesystem is real,
``tmp_path``; GCS and Azure are in ``tests/integration/airflow/test_transfers_cloud_stores.py``)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from airflow_provider_hume.transfers.output_marks import OutputMark
from airflow_provider_hume.transfers.storage import CHUNK_BYTES, StorageDestination
from tests.support.transfer_bodies import BrokenBody

JOB = "job-7"
MARK = OutputMark(JOB, "artifacts", "zip")


class Recorded(io.BytesIO):
    """A body that remembers the largest piece read from it."""

    largest = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.largest = max(self.largest, len(chunk))
        return chunk


def local(tmp_path: Path) -> StorageDestination:
    from fsspec.implementations.local import LocalFileSystem

    return StorageDestination(LocalFileSystem(), str(tmp_path / "out" / "a.zip"), "file")


def test_a_local_body_goes_in_whole_marked_and_in_pieces_of_a_mebibyte(tmp_path: Path) -> None:
    destination = local(tmp_path)
    body = Recorded(os.urandom(5 * CHUNK_BYTES + 17))
    destination.write_stream(body, destination.location, MARK)

    assert Path(destination.location).read_bytes() == body.getvalue()
    assert body.largest == CHUNK_BYTES
    assert destination.read_mark(destination.location) == MARK
    assert os.listdir(tmp_path / "out") == ["a.zip"], "no temporary file left"
    assert destination.uri(destination.location) == f"file://{tmp_path}/out/a.zip"


def test_a_broken_local_body_leaves_the_earlier_file_and_no_temporary(tmp_path: Path) -> None:
    destination = local(tmp_path)
    Path(destination.location).parent.mkdir()
    Path(destination.location).write_bytes(b"earlier")
    with pytest.raises(ConnectionError):
        destination.write_stream(BrokenBody(3 * CHUNK_BYTES), destination.location, MARK)
    assert Path(destination.location).read_bytes() == b"earlier"
    assert os.listdir(tmp_path / "out") == ["a.zip"]


def test_a_broken_local_body_leaves_nothing_where_there_was_nothing(tmp_path: Path) -> None:
    destination = local(tmp_path)
    with pytest.raises(ConnectionError):
        destination.write_stream(BrokenBody(CHUNK_BYTES + 1), destination.location, MARK)
    assert os.listdir(tmp_path / "out") == []


def test_a_local_retry_recognises_its_own_file_and_refuses_any_other(tmp_path: Path) -> None:
    destination = local(tmp_path)
    assert destination.earlier_output(destination.location, MARK) is None
    destination.write_stream(io.BytesIO(b"zip"), destination.location, MARK)
    assert destination.earlier_output(destination.location, MARK) == MARK

    other = OutputMark("another-job", "artifacts", "zip")
    with pytest.raises(
        FileExistsError,
        match=rf"^file://{tmp_path}/out/a.zip already exists and was not written by this transfer for the "
        r"artifacts of Hume job another-job \(zip\); set replace=True to overwrite it, "
        r"or choose another path\.$",
    ):
        destination.earlier_output(destination.location, other)
    unmarked = tmp_path / "out" / "b.zip"
    unmarked.write_bytes(b"someone's")
    with pytest.raises(FileExistsError, match="already exists"):
        destination.earlier_output(str(unmarked), MARK)


def test_an_unknown_store_is_written_without_a_mark_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from fsspec.implementations.memory import MemoryFileSystem

    fs = MemoryFileSystem(skip_instance_cache=True)
    destination = StorageDestination(fs, "/hume/a.zip", "memory")
    caplog.set_level("WARNING")
    destination.write_stream(io.BytesIO(b"zip"), destination.location, MARK)
    assert fs.cat_file("/hume/a.zip") == b"zip"
    assert "fsspec.implementations.memory.MemoryFileSystem is not a store this transfer knows" in caplog.text
    assert destination.read_mark("/hume/a.zip") is None
    with pytest.raises(FileExistsError):
        destination.earlier_output("/hume/a.zip", MARK)
