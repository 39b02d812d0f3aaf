"""Turn uploaded files, downloaded URLs and raw text into :class:`Source` objects.

Bytes are copied in 1 MiB chunks to a temporary file in the spool directory while their MD5 and size are
computed; the file is probed and deleted unless predictions need it later (text files, and images when faces
are saved).
Archives (``.zip``, ``.tar[.gz|.bz2|.xz]``) are expanded member by member the same way.
"""

from __future__ import annotations

import hashlib
import tarfile
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Final
from urllib.parse import unquote, urlsplit

from airflow_provider_hume.emulator.media import MediaInfo, probe
from airflow_provider_hume.emulator.sources import Item, Source

CHUNK_SIZE: Final = 1024 * 1024


@dataclass(frozen=True)
class Spooled:
    """A file copied to disk, with the digest and size of its bytes."""

    path: Path
    md5sum: str
    size: int


def read_chunks(handle: IO[bytes]) -> Iterator[bytes]:
    """Read a binary file object in 1 MiB chunks."""
    while chunk := handle.read(CHUNK_SIZE):
        yield chunk


def spool(chunks: Iterable[bytes], directory: Path) -> Spooled:
    """Write ``chunks`` to a new file in ``directory``, hashing them on the way."""
    md5 = hashlib.md5(usedforsecurity=False)
    size = 0
    with tempfile.NamedTemporaryFile(dir=directory, delete=False, prefix="spool-") as handle:
        try:
            for chunk in chunks:
                md5.update(chunk)
                size += len(chunk)
                handle.write(chunk)
        except BaseException:
            Path(handle.name).unlink(missing_ok=True)
            raise
    return Spooled(Path(handle.name), md5.hexdigest(), size)


class Ingestor:
    """Builds sources from spooled files; ``keep_images`` keeps images on disk for saved faces."""

    def __init__(self, spool_dir: Path, *, keep_images: bool) -> None:
        self._spool_dir = spool_dir
        self._keep_images = keep_images

    def file_source(self, spooled: Spooled, filename: str, content_type: str | None) -> Source:
        """An uploaded file; ``content_type`` falls back to the sniffed one."""
        media, items = self._expand(spooled, filename)
        descriptor = {
            "type": "file",
            "filename": filename,
            "content_type": content_type or media.content_type,
            "md5sum": spooled.md5sum,
        }
        return Source("file", descriptor, filename, items)

    def url_source(self, url: str, spooled: Spooled | None) -> Source:
        """A URL; ``spooled`` is ``None`` when it could not be downloaded."""
        descriptor = {"type": "url", "url": url}
        name = url_file_name(url)
        if spooled is None:
            return Source("url", descriptor, name, error=f"could not download {url}")
        _, items = self._expand(spooled, name)
        return Source("url", descriptor, name, items)

    def _expand(self, spooled: Spooled, name: str) -> tuple[MediaInfo, tuple[Item, ...]]:
        media = probe(spooled.path, name)
        if media.kind != "archive":
            return media, (self._item(spooled, name, media),)
        try:
            members = list(self._members(spooled.path))
        except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError):
            broken = MediaInfo("unsupported", media.content_type, problem="could not read archive")
            members = [Item(name, spooled.md5sum, broken)]
        spooled.path.unlink()
        return media, tuple(members)

    def _members(self, path: Path) -> Iterator[Item]:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                for info in archive.infolist():
                    if not info.is_dir():
                        with archive.open(info) as member:
                            yield self._member(member, info.filename)
            return
        with tarfile.open(path, "r:*") as archive:
            for entry in archive:
                extracted = archive.extractfile(entry) if entry.isfile() else None
                if extracted is not None:
                    with extracted:
                        yield self._member(extracted, entry.name)

    def _member(self, handle: IO[bytes], name: str) -> Item:
        spooled = spool(read_chunks(handle), self._spool_dir)
        media = probe(spooled.path, name)
        if media.kind == "archive":
            media = MediaInfo("unsupported", media.content_type, problem="nested archives are not supported")
        return self._item(spooled, name, media)

    def _item(self, spooled: Spooled, name: str, media: MediaInfo) -> Item:
        keep = media.kind == "text" or (media.kind == "image" and self._keep_images)
        if not keep:
            spooled.path.unlink()
        return Item(name, spooled.md5sum, media, kept_path=spooled.path if keep else None)


def text_source(texts: Iterable[str]) -> Source:
    """The single source holding every ``request.text`` string, one item each (file ``text_<index>``)."""
    media = MediaInfo("text", "text/plain")
    items = tuple(
        Item(f"text_{index}", hashlib.sha256(text.encode()).hexdigest(), media, text)
        for index, text in enumerate(texts)
    )
    return Source("text", {"type": "text"}, "text", items)


def url_file_name(url: str) -> str:
    """The last path segment of a URL (``download`` when the path has none)."""
    segment = PurePosixPath(unquote(urlsplit(url).path)).name
    return segment or "download"
