"""Local files as a streamed ``multipart/form-data`` body (hume-api-v0.md §2.3), with upload progress logged.

Files are read from disk (or from an :class:`UploadSource`'s stream) while the body is sent, so memory stays
flat whatever their size. Each attempt opens the files again and builds a fresh encoder, because an encoder
can be read only once.
"""

from __future__ import annotations

import logging
import mimetypes
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TypeAlias

from airflow_provider_hume.client._fields import invalid
from airflow_provider_hume.client.errors import HumeValidationError

log = logging.getLogger(__name__)

_PROGRESS_STEP = 0.1


@dataclass(frozen=True)
class UploadSource:
    """A file part that does not live on local disk, e.g. an object streamed from S3.

    ``open`` returns a fresh readable stream of exactly ``size`` bytes; it is called once per attempt and the
    stream is closed after the attempt. ``name`` is the part's file name (Hume names its results after it).
    ``md5`` (hex), when known without reading the stream, lets a lost submit's job be recognised by content.
    """

    name: str
    size: int
    open: Callable[[], BinaryIO]
    md5: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name or "/" in self.name:
            raise invalid("UploadSource.name", "must be a non-empty file name without '/'", self.name)
        if isinstance(self.size, bool) or not isinstance(self.size, int) or self.size < 0:
            raise invalid("UploadSource.size", "must be an integer >= 0", self.size)
        if self.md5 is not None and not is_md5(self.md5):
            raise invalid("UploadSource.md5", "must be 32 lower-case hex digits", self.md5)


def is_md5(value: object) -> bool:
    """Whether ``value`` is an MD5 digest in hex (what Hume echoes as ``md5sum``)."""
    return isinstance(value, str) and len(value) == 32 and all(char in "0123456789abcdef" for char in value)


FileInput: TypeAlias = str | os.PathLike[str] | UploadSource


class SizedReader:
    """What ``MultipartEncoder`` needs from a part body: ``read`` plus ``len``, the bytes still to come.

    A stream that ends before ``size`` bytes raises instead of letting the encoder wait forever.
    """

    def __init__(self, stream: BinaryIO, size: int, name: str) -> None:
        self._stream = stream
        self._left = size
        self._name = name

    @property
    def len(self) -> int:
        return self._left

    def read(self, size: int = -1) -> bytes:
        wanted = self._left if size is None or size < 0 else min(size, self._left)
        chunk = self._stream.read(wanted) if wanted else b""
        if wanted and not chunk:
            raise OSError(f"{self._name} ended {self._left} byte(s) before its announced size")
        self._left -= len(chunk)
        return chunk


def check_files(files: FileInput | Sequence[FileInput]) -> list[Path | UploadSource]:
    """The files as paths, each an existing, regular, readable file, or as upload sources (kept as given)."""
    if isinstance(files, (str, os.PathLike, UploadSource)):
        files = [files]
    paths: list[Path | UploadSource] = []
    for index, item in enumerate(files):
        if isinstance(item, UploadSource):
            paths.append(item)
            continue
        if not isinstance(item, (str, os.PathLike)) or not os.fspath(item):
            raise invalid(f"files[{index}]", "must be a file path", item)
        path = Path(os.fspath(item))
        if not path.exists():
            raise HumeValidationError(f"files[{index}] does not exist: {path}")
        if not path.is_file():
            raise HumeValidationError(f"files[{index}] is not a regular file: {path}")
        if not os.access(path, os.R_OK):
            raise HumeValidationError(f"files[{index}] is not readable: {path}")
        paths.append(path)
    return paths


def human_size(size: float) -> str:
    """``1.0 GiB``-style sizes for log lines."""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


class _ProgressLog:
    """Logs ``uploaded X of Y`` at INFO each time another tenth of the body has been sent."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.next_fraction = _PROGRESS_STEP

    def __call__(self, monitor: Any) -> None:
        if self.total <= 0:
            return
        fraction = monitor.bytes_read / self.total
        if fraction + 1e-9 < self.next_fraction:
            return
        while self.next_fraction <= fraction + 1e-9:
            self.next_fraction += _PROGRESS_STEP
        log.info(
            "Hume upload: uploaded %s of %s (%.0f%%)",
            human_size(monitor.bytes_read),
            human_size(self.total),
            min(fraction, 1.0) * 100,
        )


class MultipartUpload:
    """The ``json`` config part plus one ``file`` part per path or source, named after it (issue #76)."""

    def __init__(self, request_json: str, paths: Sequence[Path | UploadSource]) -> None:
        self.request_json = request_json
        self.paths = list(paths)

    @contextmanager
    def open(self) -> Iterator[tuple[Any, str]]:
        """A fresh streaming body (``MultipartEncoderMonitor``) and its content type; files close on exit."""
        with ExitStack() as stack:
            fields: list[tuple[str, Any]] = [("json", self.request_json)]
            for path in self.paths:
                handle: Any
                if isinstance(path, UploadSource):
                    stream = stack.enter_context(closing(path.open()))
                    handle = SizedReader(stream, path.size, path.name)
                else:
                    handle = stack.enter_context(path.open("rb"))
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                fields.append(("file", (path.name, handle, content_type)))
            yield streamed_multipart(fields, len(self.paths))


def streamed_multipart(fields: Sequence[tuple[str, Any]], files: int) -> tuple[Any, str]:
    """A ``multipart/form-data`` body read from ``fields`` while it is sent, and its content type.

    ``fields`` are ``MultipartEncoder`` fields: ``(name, text)`` or ``(name, (filename, reader, type))`` with
    a reader such as :class:`SizedReader`; ``files`` is the number of file parts, for the log line.
    The body (a ``MultipartEncoderMonitor``) logs its progress every tenth and can be read only once.
    """
    # requests-toolbelt brings requests and urllib3: imported here, not with UploadSource and check_files,
    # which operators use while a DAG file is parsed.
    from requests_toolbelt import MultipartEncoder, MultipartEncoderMonitor

    encoder = MultipartEncoder(fields=list(fields))
    log.info("Hume upload: sending %d file(s), %s in total", files, human_size(encoder.len))
    return MultipartEncoderMonitor(encoder, _ProgressLog(encoder.len)), encoder.content_type
