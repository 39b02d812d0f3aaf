"""Batch limits (hume-api-v0.md §2.11) and how the emulator enforces each one.

The documented sizes say "MB"/"GB" without a base; the emulator reads them as binary units (100 MiB, 1 GiB),
the more forgiving reading. What breaks a limit decides where the error shows:

* more than 100 ``urls``, ``text`` strings or uploaded files, or one upload larger than 100 MiB: the whole
  request is refused with ``400`` (the upload is counted while it streams in, never buffered);
* a URL whose download passes 1 GiB: that source gets a source-level ``error``;
* an archive member larger than the limit of the source holding it, or audio/video longer than one hour:
  that file gets an entry in ``results.errors``.

Modules read these values at call time (``limits.MAX_UPLOAD_BYTES``), so tests can lower them.
"""

from __future__ import annotations

from typing import Final

MAX_ITEMS: Final = 100
MAX_UPLOAD_BYTES: int = 100 * 1024**2
MAX_URL_BYTES: int = 1024**3
MAX_MEDIA_SECONDS: float = 3600.0


def size_label(limit: int) -> str:
    """A byte count as the documentation would say it (``100 MB``, ``1 GB``), binary units."""
    for unit, size in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if limit >= size and limit % size == 0:
            return f"{limit // size} {unit}"
    return f"{limit} bytes"
