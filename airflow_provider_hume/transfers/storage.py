"""Writing to any fsspec store Airflow's object storage knows, atomically and marked.

How each store keeps a broken body out and where it keeps the mark (see ``output_marks``):

* the local filesystem (``file://``): the body goes to a hidden temporary file beside the target, which is
  renamed over it (``os.replace``) only once the body arrived whole; the mark is the file's extended
  attributes (``user.hume-job-id``, ...), set before the rename. Where the filesystem has no user xattrs
  the file is written unmarked, and the log says so.
* Google Cloud Storage (gcsfs), Azure Blob Storage / ADLS (adlfs): the file is opened with
  ``autocommit=False``; a whole body is committed, a broken one discarded (gcsfs cancels the resumable upload;
  adlfs never commits the staged block list, which Azure drops). The mark is the object's custom metadata
  (with ``_`` for ``-`` on Azure, whose metadata names are identifiers).
* any other fsspec implementation: the same ``autocommit=False`` protocol, which fsspec defines but not every
  implementation honours, and no mark: the log says both.

A stream is copied in pieces of :data:`CHUNK_BYTES`, and buffering files upload blocks of :data:`BLOCK_BYTES`,
so memory stays bounded whatever the size of the body.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from airflow_provider_hume.client import ByteStream
from airflow_provider_hume.transfers.output_marks import OutputMark, judge_existing

log = logging.getLogger(__name__)

MIB: Final = 1024 * 1024
#: The largest piece read from a body and written at once.
CHUNK_BYTES: Final = MIB
#: The block size of files that buffer writes and upload them in blocks (gcsfs, adlfs, ...).
BLOCK_BYTES: Final = 8 * MIB
XATTR_PREFIX: Final = "user."
#: fsspec protocols whose files keep a body out until ``commit()``, and whose objects keep custom metadata.
GCS_PROTOCOLS: Final = frozenset({"gs", "gcs"})
AZURE_PROTOCOLS: Final = frozenset({"abfs", "abfss", "az", "adl"})


def copy_stream(stream: ByteStream, sink: Any) -> None:
    """Copy ``stream`` into ``sink`` in pieces of at most :data:`CHUNK_BYTES`."""
    while chunk := stream.read(CHUNK_BYTES):
        sink.write(chunk)


def _protocols(fs: Any) -> set[str]:
    protocol = fs.protocol
    return {protocol} if isinstance(protocol, str) else set(protocol)


def _is_local(fs: Any) -> bool:
    from fsspec.implementations.local import LocalFileSystem

    return isinstance(fs, LocalFileSystem)


class StorageDestination:
    """A place in an fsspec filesystem ``fs`` (as Airflow's ``ObjectStoragePath`` resolves it).

    ``location`` is the target's path in ``fs`` (``bucket/key``, or an absolute local path); ``scheme``
    makes the URIs reported (``gs://bucket/key``, ``file:///path``).
    """

    def __init__(self, fs: Any, location: str, scheme: str, *, field: str = "path") -> None:
        self.fs = fs
        self.location = location
        self.scheme = scheme
        self.field = field
        self.local = _is_local(fs)
        protocols = _protocols(fs)
        self.metadata_style = (
            "gcs" if protocols & GCS_PROTOCOLS else "azure" if protocols & AZURE_PROTOCOLS else None
        )

    @property
    def implementation(self) -> str:
        """The fsspec class that does the writing, e.g. ``gcsfs.core.GCSFileSystem``."""
        cls = type(self.fs)
        return f"{cls.__module__}.{cls.__qualname__}"

    def uri(self, location: str) -> str:
        if self.local:
            return f"file://{location}"
        return f"{self.scheme}://{location}"

    def earlier_output(self, location: str, mark: OutputMark) -> OutputMark | None:
        if not self.fs.exists(location):
            return None
        return judge_existing(self.read_mark(location), mark, uri=self.uri(location), field=self.field)

    def read_mark(self, location: str) -> OutputMark | None:
        """The mark of the object at ``location``, or ``None`` if it has none (or the store keeps none)."""
        if self.local:
            return OutputMark.from_metadata(_read_xattrs(location))
        if self.metadata_style is None:
            return None
        found = self.fs.info(location).get("metadata") or {}
        return OutputMark.from_metadata({str(key).replace("_", "-"): value for key, value in found.items()})

    def write_stream(self, stream: ByteStream, location: str, mark: OutputMark) -> None:
        if self.local:
            _write_local(stream, location, mark)
        else:
            self._write_committed(stream, location, mark)

    def write_file(self, path: Path, location: str, mark: OutputMark) -> None:
        with path.open("rb") as stream:
            self.write_stream(stream, location, mark)

    def _write_committed(self, stream: ByteStream, location: str, mark: OutputMark) -> None:
        """Write through an ``autocommit=False`` file: committed once the body arrived whole, else discarded
        and closed without its final flush (which would store what arrived)."""
        options: dict[str, Any] = {"autocommit": False, "block_size": BLOCK_BYTES}
        if self.metadata_style == "gcs":
            options["metadata"] = mark.metadata()
        elif self.metadata_style == "azure":
            options["metadata"] = {key.replace("-", "_"): value for key, value in mark.metadata().items()}
        else:
            log.warning(
                "%s is not a store this transfer knows: it writes %s with fsspec's autocommit=False and "
                "discards it on a broken body, which not every implementation honours, and without a mark, "
                "so with replace=False a retry fails on the object this try wrote.",
                self.implementation,
                self.uri(location),
            )
        self.fs.makedirs(self.fs._parent(location), exist_ok=True)
        sink = self.fs.open(location, "wb", **options)
        try:
            copy_stream(stream, sink)
            sink.close()
            sink.commit()
        except BaseException:
            with contextlib.suppress(Exception):
                sink.discard()
            sink.closed = True
            raise


def _write_local(stream: ByteStream, location: str, mark: OutputMark) -> None:
    """Write to a hidden temporary file beside ``location``, mark it, and rename it into place once whole."""
    target = Path(location)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as sink:
            copy_stream(stream, sink)
            sink.flush()
            os.fsync(sink.fileno())
        os.chmod(temporary, 0o666 & ~_umask())
        _write_xattrs(temporary, mark.metadata(), shown=location)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _write_xattrs(path: str, metadata: Mapping[str, str], *, shown: str) -> None:
    try:
        for key, value in metadata.items():
            os.setxattr(path, XATTR_PREFIX + key, value.encode())
    except (OSError, AttributeError) as err:
        if isinstance(err, OSError) and err.errno not in (errno.ENOTSUP, errno.EOPNOTSUPP, errno.EPERM):
            raise
        log.warning(
            "The filesystem of %s keeps no user extended attributes (%s): it is written without a mark, so "
            "with replace=False a retry fails on it instead of keeping it.",
            shown,
            err,
        )


def _read_xattrs(path: str) -> dict[str, str]:
    try:
        names = os.listxattr(path)
    except (OSError, AttributeError):
        return {}
    return {
        name[len(XATTR_PREFIX) :]: os.getxattr(path, name).decode()
        for name in names
        if name.startswith(XATTR_PREFIX)
    }
