"""Turn uploaded files, downloaded URLs and raw text into :class:`Source` objects.

Bytes are copied in 1 MiB chunks to a temporary file in the spool directory while their MD5 and size are
computed; the file is probed and deleted unless predictions need it later (text files, and images when faces
are saved).
Archives (``.zip``, ``.tar[.gz|.bz2|.xz]``) are expanded member by member the same way, each member named by
its path inside the archive; a member larger than the size limit of its source (:mod:`limits`) becomes an
item with a problem, and an archive that breaks part-way keeps the members read before the break.
"""

from __future__ import annotations

import hashlib
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Final
from urllib.parse import unquote, urlsplit

from airflow_provider_hume.emulator.media import limits
from airflow_provider_hume.emulator.media.probe import MediaInfo, probe
from airflow_provider_hume.emulator.media.sources import Item, Source

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


class TooLarge(Exception):
    """More bytes than the limit; the partial copy is already deleted."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"larger than {limits.size_label(limit)}")
        self.limit = limit


def spool(chunks: Iterable[bytes], directory: Path, *, limit: int | None = None) -> Spooled:
    """Copy ``chunks`` to a new file in ``directory`` with their MD5; :class:`TooLarge` past ``limit``."""
    md5 = hashlib.md5(usedforsecurity=False)
    size = 0
    with tempfile.NamedTemporaryFile(dir=directory, delete=False, prefix="spool-") as handle:
        try:
            for chunk in chunks:
                md5.update(chunk)
                size += len(chunk)
                if limit is not None and size > limit:
                    raise TooLarge(limit)
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
        media, items = self._expand(spooled, filename, limits.MAX_UPLOAD_BYTES)
        descriptor = {
            "type": "file",
            "filename": filename,
            "content_type": content_type or media.content_type,
            "md5sum": spooled.md5sum,
        }
        return Source("file", descriptor, filename, items)

    def url_source(self, url: str, spooled: Spooled | None, error: str | None = None) -> Source:
        """A URL; ``spooled`` is ``None`` when it could not be downloaded (``error`` says why)."""
        descriptor = {"type": "url", "url": url}
        name = url_file_name(url)
        if spooled is None:
            return Source("url", descriptor, name, error=error or f"could not download {url}")
        _, items = self._expand(spooled, name, limits.MAX_URL_BYTES)
        return Source("url", descriptor, name, items)

    def _expand(self, spooled: Spooled, name: str, limit: int) -> tuple[MediaInfo, tuple[Item, ...]]:
        media = probe(spooled.path, name)
        if media.kind != "archive":
            return media, (self._item(spooled, name, media),)
        members: list[Item] = []
        try:
            self._members(spooled.path, limit, members)
        except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError, zlib.error):
            broken = MediaInfo("unsupported", media.content_type, problem="could not read archive")
            members.append(Item(name, spooled.md5sum, broken))
        spooled.path.unlink()
        return media, tuple(members)

    def _members(self, path: Path, limit: int, members: list[Item]) -> None:
        """Append an item per file of the archive at ``path`` (ZIP or tar, compressed or not)."""
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                for info in archive.infolist():
                    if not info.is_dir():
                        with archive.open(info) as member:
                            members.append(self._member(member, info.filename, limit))
            return
        with tarfile.open(path, "r:*") as archive:
            for entry in archive:
                extracted = archive.extractfile(entry) if entry.isfile() else None
                if extracted is not None:
                    with extracted:
                        members.append(self._member(extracted, entry.name, limit))

    def _member(self, handle: IO[bytes], name: str, limit: int) -> Item:
        path = member_path(name)
        try:
            spooled = spool(read_chunks(handle), self._spool_dir, limit=limit)
        except TooLarge as exc:
            problem = f"file is larger than the {limits.size_label(exc.limit)} limit"
            return Item(path, "", MediaInfo("unsupported", "application/octet-stream", problem=problem))
        media = probe(spooled.path, path)
        if media.kind == "archive":
            media = MediaInfo("unsupported", media.content_type, problem="nested archives are not supported")
        return self._item(spooled, path, media)

    def _item(self, spooled: Spooled, name: str, media: MediaInfo) -> Item:
        keep = media.kind == "text" or (media.kind == "image" and self._keep_images)
        if not keep:
            spooled.path.unlink()
        return Item(name, spooled.md5sum, media, kept_path=spooled.path if keep else None)


def member_path(name: str) -> str:
    """An archive member's path as predictions report it: relative, ``/``-separated, without ``./``."""
    parts = [part for part in PurePosixPath(name.replace("\\", "/")).parts if part not in ("/", ".")]
    return "/".join(parts) or name


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
