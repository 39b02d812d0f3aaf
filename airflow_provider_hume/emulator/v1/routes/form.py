"""Read a ``v1`` upload's ``multipart/form-data`` body as it streams in (hume-api-v1.md §5, §6).

``file`` parts go to one spool file, one after the other, each stored up to ``store_cap`` bytes (its full
size is still counted); the ``config`` part is kept in memory up to 64 KiB. A body over 25 MB is drained
without being stored and refused (``audio_too_long`` for audio, ``image_too_large`` for images); a body
that cannot be read, a part with another name, or a second ``config`` is ``message_invalid``; so is a wrong
number of ``file`` parts (audio: exactly one; images: at least one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Final, Literal

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from airflow_provider_hume.emulator.v1.errors import RequestErrorCode, V1Error

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

MAX_BODY_BYTES: Final = 25_000_000
MAX_CONFIG_BYTES: Final = 64 * 1024
FEED_BYTES: Final = 1024 * 1024
FILE_PART: Final = "file"
CONFIG_PART: Final = "config"
UploadKind = Literal["audio", "video"]


@dataclass
class FilePart:
    """One ``file`` part: where its stored bytes start in the spool, how many were stored, its full size."""

    filename: str
    content_type: str | None
    offset: int
    stored: int = 0
    size: int = 0

    def read(self, spool: IO[bytes]) -> bytes:
        """Its stored bytes."""
        spool.seek(self.offset)
        return spool.read(self.stored)


@dataclass
class UploadForm:
    """The parts of one body; fill it with :func:`read_form`."""

    spool: IO[bytes]
    store_cap: int | None
    files: list[FilePart] = field(default_factory=list)
    config: bytearray | None = None
    problem: str | None = None
    complete: bool = False
    _written: int = 0
    _current: FilePart | None = None
    _in_config: bool = False
    _headers: dict[str, str] = field(default_factory=dict)
    _field: bytearray = field(default_factory=bytearray)
    _value: bytearray = field(default_factory=bytearray)

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": lambda data, start, end: self._field.extend(data[start:end]),
            "on_header_value": lambda data, start, end: self._value.extend(data[start:end]),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_end": self._end,
        }

    def _part_begin(self) -> None:
        self._current, self._in_config, self._headers = None, False, {}

    def _header_end(self) -> None:
        self._headers[self._field.decode("latin-1").lower()] = self._value.decode("latin-1")
        self._field.clear()
        self._value.clear()

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get("content-disposition"))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        if name == FILE_PART:
            filename = options.get(b"filename", b"file").decode("utf-8", "replace")
            self._current = FilePart(filename, self._headers.get("content-type") or None, self._written)
            self.files.append(self._current)
        elif name == CONFIG_PART and self.config is None:
            self.config = bytearray()
            self._in_config = True
        elif name == CONFIG_PART:
            self._refuse("the body has more than one config part")
        else:
            self._refuse(f"unexpected form part {name!r}: send a file part and an optional config part")

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self.problem is not None:
            return
        if self._current is not None:
            part = self._current
            part.size += end - start
            room = (
                end - start
                if self.store_cap is None
                else max(0, min(end - start, self.store_cap - part.stored))
            )
            if room:
                self.spool.seek(self._written)
                self.spool.write(data[start : start + room])
                part.stored += room
                self._written += room
        elif self._in_config and self.config is not None:
            self.config += data[start:end]
            if len(self.config) > MAX_CONFIG_BYTES:
                self._refuse(f"the config part is over {MAX_CONFIG_BYTES} bytes")

    def _end(self) -> None:
        self.complete = True

    def _refuse(self, problem: str) -> None:
        if self.problem is None:
            self.problem = problem


async def read_form(
    request: Request, spool: IO[bytes], kind: UploadKind, store_cap: int | None
) -> UploadForm:
    """Stream the request body into a form; :class:`V1Error` if the body is refused."""
    content_type, options = parse_options_header(request.headers.get("content-type"))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise V1Error("message_invalid", "The multipart body could not be read: send multipart/form-data")
    form = UploadForm(spool, store_cap)
    parser = MultipartParser(boundary, form.callbacks())
    received = 0
    pending = bytearray()
    async for chunk in request.stream():
        received += len(chunk)
        if received > MAX_BODY_BYTES:
            continue  # drained, not stored: the client can finish sending and read the refusal
        pending += chunk
        if len(pending) >= FEED_BYTES:
            await run_in_threadpool(_feed, parser, form, bytes(pending))
            pending.clear()
    if received > MAX_BODY_BYTES:
        code: RequestErrorCode = "audio_too_long" if kind == "audio" else "image_too_large"
        raise V1Error(code, f"the request body is {received} bytes, over the limit of {MAX_BODY_BYTES}")
    await run_in_threadpool(_feed, parser, form, bytes(pending))
    _check(form, kind)
    return form


def _feed(parser: MultipartParser, form: UploadForm, data: bytes) -> None:
    if form.problem is not None:
        return
    try:
        parser.write(data)
    except FormParserError as exc:
        form.problem = f"invalid multipart data: {exc}"


def _check(form: UploadForm, kind: UploadKind) -> None:
    problem = form.problem
    if problem is None and not form.complete:
        problem = "it ends before the closing boundary"
    if problem is None and not form.files:
        problem = "the file part is missing"
    if problem is None and kind == "audio" and len(form.files) > 1:
        problem = f"send exactly one file part (got {len(form.files)})"
    if problem is not None:
        raise V1Error("message_invalid", f"The multipart body could not be read: {problem}")
