"""``UploadSource``: file parts streamed from any readable stream, reopened for every attempt."""

from __future__ import annotations

import io
import json

import pytest

from airflow_provider_hume.client import HumeValidationError, UploadSource
from airflow_provider_hume.client._upload import MultipartUpload, check_files


def _source(data: bytes, opened: list[int], size: int | None = None) -> UploadSource:
    def open_stream() -> io.BytesIO:
        opened.append(1)
        return io.BytesIO(data)

    return UploadSource(name="clip.wav", size=len(data) if size is None else size, open=open_stream)


def test_sources_are_streamed_and_reopened_per_attempt() -> None:
    opened: list[int] = []
    data = b"RIFF" + bytes(range(256)) * 1000
    upload = MultipartUpload(json.dumps({"models": {"prosody": {}}}), check_files([_source(data, opened)]))
    for _ in range(2):
        with upload.open() as (monitor, content_type):
            body = monitor.read()
            assert content_type.startswith("multipart/form-data")
            assert data in body
            assert b'filename="clip.wav"' in body
    assert len(opened) == 2


def test_a_stream_shorter_than_announced_fails_instead_of_hanging() -> None:
    upload = MultipartUpload("{}", [_source(b"abc", [], size=10)])
    with pytest.raises(OSError, match="ended 7 byte"), upload.open() as (monitor, _):
        monitor.read()


@pytest.mark.parametrize(("name", "size"), [("", 1), ("a/b.wav", 1), ("a.wav", -1), ("a.wav", True)])
def test_invalid_sources_are_rejected(name: str, size: int) -> None:
    with pytest.raises(HumeValidationError):
        UploadSource(name=name, size=size, open=lambda: io.BytesIO(b""))
