"""A streaming reader of the ``multipart/form-data`` body of ``POST /v0/batch/jobs`` (hume-api-v0.md §2.3).

Chunks go through python-multipart's parser as they arrive: a ``file``/``file[]`` part is written straight to
an anonymous temporary file while its size is counted, the ``json`` part is kept in memory up to a cap. A
part that breaks a rule (a file over the upload limit, a 101st file, an unexpected part) records the first
problem and the reader goes on parsing without storing anything, so the client can finish sending and read
the ``400`` that follows; memory stays flat whatever the body's size.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Final

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from airflow_provider_hume.emulator.media import limits

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

FILE_PARTS: Final = ("file", "file[]")
JSON_PART: Final = "json"
MAX_JSON_BYTES: Final = 16 * 1024 * 1024


@dataclass
class FilePart:
    """One uploaded file: its name and declared type, and the temporary file holding its bytes."""

    filename: str
    content_type: str | None
    handle: IO[bytes]
    size: int = 0


@dataclass
class _Current:
    name: str = ""
    file: FilePart | None = None
    is_json: bool = False
    headers: dict[str, str] = field(default_factory=dict)


class MultipartForm:
    """Feed it the body with :meth:`feed`, then :meth:`finish`; ``problem`` says why the body is refused."""

    def __init__(self, boundary: bytes) -> None:
        callbacks: MultipartCallbacks = {
            "on_part_begin": self._part_begin,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_end": self._end,
        }
        self._parser = MultipartParser(boundary, callbacks)
        self.files: list[FilePart] = []
        self.json: bytearray | None = None
        self.problem: str | None = None
        self._file_count = 0
        self._complete = False
        self._current = _Current()
        self._field = bytearray()
        self._value = bytearray()

    def feed(self, chunk: bytes) -> None:
        """Parse the next bytes of the body."""
        try:
            self._parser.write(chunk)
        except FormParserError as exc:
            self._refuse(f"invalid multipart body: {exc}")

    def finish(self) -> None:
        """Check the body ended properly and the file count; call once, after the last :meth:`feed`."""
        if not self._complete:
            self._refuse("invalid multipart body: it ends before the closing boundary")
        if self.problem is None and self._file_count > limits.MAX_ITEMS:
            self.problem = f"files must have at most {limits.MAX_ITEMS} items (got {self._file_count})"

    def close(self) -> None:
        """Delete the temporary files."""
        for part in self.files:
            part.handle.close()

    def _refuse(self, problem: str) -> None:
        if self.problem is None:
            self.problem = problem
        self.close()
        self.files.clear()
        self.json = None

    def _part_begin(self) -> None:
        self._current = _Current()

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        self._current.headers[self._field.decode("latin-1").lower()] = self._value.decode("latin-1")
        self._field.clear()
        self._value.clear()

    def _headers_finished(self) -> None:
        current = self._current
        _, options = parse_options_header(current.headers.get("content-disposition"))
        current.name = _decoded(options.get(b"name", b""))
        if current.name in FILE_PARTS:
            self._file_count += 1
        if self.problem is not None:
            return
        if current.name == JSON_PART and self.json is None:
            self.json = bytearray()
            current.is_json = True
        elif current.name in FILE_PARTS and b"filename" in options and self._file_count <= limits.MAX_ITEMS:
            filename = _decoded(options[b"filename"]) or "file"
            content_type = current.headers.get("content-type") or None
            handle = tempfile.TemporaryFile(prefix="hume-upload-")  # noqa: SIM115 - closed by close()
            current.file = FilePart(filename, content_type, handle)
            self.files.append(current.file)
        elif current.name not in FILE_PARTS or self._file_count <= limits.MAX_ITEMS:
            self._refuse(_unexpected(current.name))

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        current = self._current
        if self.problem is not None:
            return
        if current.file is not None:
            current.file.size += end - start
            if current.file.size > limits.MAX_UPLOAD_BYTES:
                limit = limits.size_label(limits.MAX_UPLOAD_BYTES)
                self._refuse(f"file {current.file.filename!r} is larger than the {limit} upload limit")
                return
            current.file.handle.write(data[start:end])
        elif current.is_json and self.json is not None:
            self.json += data[start:end]
            if len(self.json) > MAX_JSON_BYTES:
                self._refuse(f"json part must be at most {limits.size_label(MAX_JSON_BYTES)}")

    def _end(self) -> None:
        self._complete = True


def _decoded(value: bytes) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")


def _unexpected(name: str) -> str:
    if name == JSON_PART:
        return "only one json part is allowed"
    if name in FILE_PARTS:
        return f"{name} parts must be files"
    return f"unexpected form part {name!r} (expected json and file)"
