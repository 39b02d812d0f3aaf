"""The inputs of a job as predictions see them: sources (a URL, an upload, the raw-text block) made of items.

An item is one file inside a source (an archive member, or the file itself) or one raw-text string. Only what
predictions need is kept: digests, probed media facts, and on-disk copies of text files (and of images whose
faces must be saved), never file contents in memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from airflow_provider_hume.emulator.media.probe import MediaInfo

SourceKind = Literal["url", "file", "text"]


@dataclass(frozen=True)
class Item:
    """One predictable unit of a source.

    ``file`` is the name predictions report: the upload's filename, the URL's last path segment, the member
    path inside an archive, or ``text_<index>`` for the raw-text string at that index of ``request.text``.
    """

    file: str
    digest: str
    media: MediaInfo
    text: str | None = None
    kept_path: Path | None = None

    def read_text(self) -> str:
        """The text of a raw-text item or of a kept text file (undecodable bytes replaced)."""
        if self.text is not None:
            return self.text
        if self.kept_path is None:
            return ""
        return self.kept_path.read_text(encoding="utf-8", errors="replace")


@dataclass(frozen=True)
class Source:
    """One element of the predictions array; ``name`` is its folder in the artifacts ZIP."""

    kind: SourceKind
    descriptor: dict[str, Any]
    name: str
    items: tuple[Item, ...] = ()
    error: str | None = None

    def kept_paths(self) -> list[Path]:
        """On-disk copies owned by this source."""
        return [item.kept_path for item in self.items if item.kept_path is not None]
