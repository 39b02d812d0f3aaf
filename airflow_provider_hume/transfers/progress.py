"""A read-through wrapper that logs how far a long stream has got."""

from __future__ import annotations

import time
from typing import Any, BinaryIO, Protocol

LOG_EVERY_BYTES = 64 * 1024 * 1024
LOG_EVERY_SECONDS = 30.0


def format_bytes(count: int) -> str:
    """Render a byte count for humans, e.g. ``1.5 GiB``."""
    size = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


class InfoLogger(Protocol):
    """Anything with ``info``: a stdlib logger or Airflow's task logger."""

    def info(self, event: Any, /, *args: Any) -> Any: ...


class ProgressReader:
    """Pass reads through to ``stream`` and log progress every 64 MiB or 30 s, whichever comes first."""

    def __init__(self, stream: BinaryIO, *, label: str, log: InfoLogger) -> None:
        self._stream = stream
        self._label = label
        self._log = log
        self._started = time.monotonic()
        self._next_bytes = LOG_EVERY_BYTES
        self._next_time = self._started + LOG_EVERY_SECONDS
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self._stream.read(size)
        self.bytes_read += len(chunk)
        now = time.monotonic()
        if self.bytes_read >= self._next_bytes or now >= self._next_time:
            self._log.info("Copied %s of the %s so far", format_bytes(self.bytes_read), self._label)
            self._next_bytes = self.bytes_read + LOG_EVERY_BYTES
            self._next_time = now + LOG_EVERY_SECONDS
        return chunk

    def readable(self) -> bool:
        return True

    def describe(self) -> str:
        """Total size and throughput so far."""
        elapsed = max(time.monotonic() - self._started, 1e-6)
        return f"{format_bytes(self.bytes_read)} in {elapsed:.1f}s"
