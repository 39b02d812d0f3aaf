"""``ProgressReader``: reads pass through unchanged, and long copies log how far they have got."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest

from airflow_provider_hume.transfers import progress
from airflow_provider_hume.transfers.progress import ProgressReader, format_bytes


class Lines:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def info(self, event: str, *args: object) -> None:
        self.lines.append(event % args)


@pytest.mark.parametrize(
    ("count", "text"),
    [(0, "0 B"), (1023, "1023 B"), (1536, "1.5 KiB"), (5 * 1024**2, "5.0 MiB"), (3 * 1024**4, "3072.0 GiB")],
)
def test_format_bytes(count: int, text: str) -> None:
    assert format_bytes(count) == text


def test_reads_pass_through_and_progress_is_logged_every_30_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [100.0]
    monkeypatch.setattr(progress, "time", SimpleNamespace(monotonic=lambda: now[0]))
    log = Lines()
    reader = ProgressReader(io.BytesIO(b"x" * 3000), label="predictions of job j", log=log)
    assert reader.read(1000) == b"x" * 1000
    assert log.lines == []
    now[0] += 31
    assert reader.read(1024) == b"x" * 1024
    assert log.lines == ["Copied 2.0 KiB of the predictions of job j so far"]
    now[0] += 10
    assert reader.read() == b"x" * 976
    assert reader.read() == b""
    assert len(log.lines) == 1
    assert (reader.bytes_read, reader.describe()) == (3000, "2.9 KiB in 41.0s")


class Zeros(io.RawIOBase):
    """``size`` zero bytes, made as they are read."""

    def __init__(self, size: int) -> None:
        self.left = size

    def read(self, size: int = -1) -> bytes:
        count = self.left if size < 0 else min(size, self.left)
        self.left -= count
        return bytes(count)


def test_progress_is_logged_every_64_mib(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "time", SimpleNamespace(monotonic=lambda: 0.0))
    log = Lines()
    reader = ProgressReader(Zeros(150 * 1024**2), label="artifacts of job j", log=log)  # type: ignore[arg-type]
    while reader.read(8 * 1024**2):
        pass
    assert log.lines == [
        "Copied 64.0 MiB of the artifacts of job j so far",
        "Copied 128.0 MiB of the artifacts of job j so far",
    ]
