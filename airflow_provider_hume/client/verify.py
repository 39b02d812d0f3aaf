"""Check a streamed body while it is read, so that a body that did not arrive whole raises before its end.

Predictions and artifacts go from the HTTP response straight into an S3 multipart upload, which commits the
object once the stream reports EOF. :class:`VerifiedBody` stands between the two: it passes the bytes through
unchanged, feeds them to a format check (:class:`~airflow_provider_hume.client.json_structure.
JsonStructureCheck`, :class:`JsonCheck`, :class:`~airflow_provider_hume.client.zip_check.ZipCheck`) and
compares their count with the ``Content-Length``; only when all of that holds does a read return EOF.
Otherwise, and when the connection breaks mid-body, the read raises :class:`HumeBodyError`, the upload aborts
and nothing is stored. Checks hold a bounded number of bytes whatever the size of the body.
"""

from __future__ import annotations

import http.client
import io
from collections.abc import Callable, Iterable, Iterator, Mapping
from types import SimpleNamespace
from typing import Any, Final, Protocol

import ijson  # type: ignore[import-untyped]
import requests
import urllib3.exceptions

from airflow_provider_hume.client.errors import REDACTED, HumeBodyError, truncate

#: Checks are fed at most this many bytes at a time, however much a reader asks for at once.
FEED_BYTES: Final = 64 * 1024
#: The most bytes asked of the source per read, so a reader asking for 16 MiB at once (boto3's part size)
#: is served in slices rather than doubling that allocation here.
READ_BYTES: Final = 1024 * 1024
#: A JSON string or number longer than this is refused rather than buffered by the parser.
MAX_JSON_TOKEN_BYTES: Final = 8 * 1024 * 1024
#: What breaks a body mid-way: urllib3's ProtocolError/IncompleteRead/ReadTimeoutError/DecodeError,
#: requests' ChunkedEncodingError, http.client's IncompleteRead and socket errors.
BROKEN_BODY_ERRORS: Final = (
    urllib3.exceptions.HTTPError,
    requests.RequestException,
    http.client.HTTPException,
    OSError,
)


class BodyDefect(ValueError):
    """Raised by a check: what is wrong with the body so far. The reader turns it into a HumeBodyError."""


class ByteSource(Protocol):
    """Where a verified body reads from: an HTTP response stream, an in-memory or on-disk file."""

    def read(self, size: int = -1, /) -> bytes: ...


class BodyCheck(Protocol):
    """An incremental check of one format: fed the body in order, then told where it ends."""

    #: The most bytes the check held at once (its own buffers, or what its parser may hold).
    max_buffered: int

    def feed(self, data: bytes) -> None:
        """Check the next bytes; raise :class:`BodyDefect` as soon as the body cannot be valid."""

    def finish(self) -> None:
        """The body ended here; raise :class:`BodyDefect` unless it is complete."""


class NoCheck:
    """Accepts any bytes: only the length and the connection are checked."""

    max_buffered = 0

    def feed(self, data: bytes) -> None:
        """Nothing to check."""

    def finish(self) -> None:
        """Nothing to check."""


class _Events(list[object]):
    """Where the parser puts its events, emptied after every piece.

    ``ijson``'s C backend appends to a list target itself, without calling back into Python for each of the
    hundreds of events in a kilobyte of predictions; the pure-Python backends call it, which appends too.
    """

    __call__ = list.append


class JsonCheck:
    """One complete JSON value and nothing after it, validated incrementally by ``ijson`` (yajl).

    The parser keeps only the token it is in the middle of; a run of bytes without any parse event longer than
    ``max_token_bytes`` (one huge string) is refused, which bounds that too. Numbers are parsed as floats,
    which is cheaper than ``Decimal`` and checks the same syntax.
    """

    def __init__(self, max_token_bytes: int = MAX_JSON_TOKEN_BYTES) -> None:
        self.max_token_bytes = max_token_bytes
        self.max_buffered = 0
        self._events = _Events()
        self._parser = ijson.basic_parse_coro(SimpleNamespace(send=self._events), use_float=True)
        self._pending = 0
        self._offset = 0

    def feed(self, data: bytes) -> None:
        for piece in pieces(data):
            start, self._offset = self._offset, self._offset + len(piece)
            try:
                self._parser.send(piece)
            except ijson.JSONError as err:
                raise BodyDefect(
                    f"the JSON is invalid within bytes {start:,} to {self._offset:,} ({_first_line(err)})"
                ) from None
            self._pending = len(piece) if self._events else self._pending + len(piece)
            self._events.clear()
            self.max_buffered = max(self.max_buffered, self._pending)
            if self._pending > self.max_token_bytes:
                raise BodyDefect(
                    f"a single JSON value runs over {self.max_token_bytes:,} bytes near byte "
                    f"{self._offset:,}; it is refused rather than held in memory"
                )

    def finish(self) -> None:
        try:
            self._parser.close()
        except ijson.JSONError as err:
            if self._offset == 0:
                raise BodyDefect("the body is empty, not JSON") from None
            raise BodyDefect(f"the JSON is incomplete or invalid at its end ({_first_line(err)})") from None
        finally:
            self._events.clear()


def _first_line(error: BaseException) -> str:
    """The parser's reason without the excerpt of the body it quotes on the next lines."""
    return truncate(str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__, 200)


def pieces(data: bytes, size: int = FEED_BYTES) -> Iterator[bytes]:
    """``data`` in slices of at most ``size`` bytes, so a check never holds more than one at a time.

    No bytes, no slices: ``ijson`` would take an empty one for the end of the body.
    """
    if len(data) <= size:
        if data:
            yield data
        return
    view = memoryview(data)
    for start in range(0, len(data), size):
        yield bytes(view[start : start + size])


def content_length(headers: Mapping[str, str]) -> int | None:
    """The announced length of a response body; None when chunked, absent or unreadable."""
    if headers.get("Transfer-Encoding"):
        return None
    values = {value.strip() for value in (headers.get("Content-Length") or "").split(",") if value.strip()}
    if len(values) != 1:
        return None
    value = values.pop()
    return int(value) if value.isdigit() else None


class VerifiedBody(io.RawIOBase):
    """A read-only stream over ``source`` that reports EOF only for a whole body.

    ``body`` names the body in messages. ``expected_length`` is the announced ``Content-Length`` (None when
    the body came without one); ``wire_bytes`` returns how many bytes the connection delivered so far (the
    count that ``Content-Length`` describes, before any content decoding; default: the bytes read here).
    ``redact`` lists secrets to keep out of messages. Any failure is raised again on every later read.
    """

    def __init__(
        self,
        source: ByteSource,
        check: BodyCheck,
        *,
        body: str,
        expected_length: int | None = None,
        wire_bytes: Callable[[], int] | None = None,
        redact: Iterable[str] = (),
    ) -> None:
        super().__init__()
        self._source = source
        self.check = check
        self.body = body
        self.expected_length = expected_length
        self._wire_bytes = wire_bytes
        self._redact = tuple(secret for secret in redact if secret)
        self.bytes_read = 0
        self._error: HumeBodyError | None = None
        self._ended = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._error is not None:
            raise self._error
        if self._ended:
            return 0
        view = memoryview(buffer).cast("B")
        try:
            data = self._source.read(min(len(view), READ_BYTES))
        except BROKEN_BODY_ERRORS as exc:
            raise self.broken_off(exc) from exc
        if not data:
            self._end()
            return 0
        self.bytes_read += len(data)
        expected = self.expected_length
        if expected is not None and self.received() > expected:
            raise self._fail(f"more bytes arrived than the {expected:,} announced")
        try:
            self.check.feed(data)
        except BodyDefect as defect:
            raise self._fail(str(defect)) from None
        view[: len(data)] = data
        return len(data)

    def broken_off(self, error: BaseException) -> HumeBodyError:
        """The error for a transport failure while reading the body (also one met peeking at the source)."""
        detail = (
            error.args[0] if isinstance(error, urllib3.exceptions.ProtocolError) and error.args else error
        )
        return self._fail(f"the connection broke off ({type(error).__name__}: {truncate(str(detail), 300)})")

    def received(self) -> int:
        """Bytes of the body that arrived so far."""
        return self._wire_bytes() if self._wire_bytes is not None else self.bytes_read

    def _end(self) -> None:
        """The source reported EOF: passed on only if the length and the format say the body is whole."""
        expected = self.expected_length
        if expected is not None and self.received() != expected:
            raise self._fail("the body ended before its announced length")
        try:
            self.check.finish()
        except BodyDefect as defect:
            raise self._fail(f"the body ended early or is damaged: {defect}") from None
        self._ended = True

    def _fail(self, reason: str) -> HumeBodyError:
        received = self.received()
        expected = self.expected_length
        size = (
            f"{received:,} of {expected:,} bytes received"
            if expected is not None
            else f"{received:,} bytes received, no length announced"
        )
        message = truncate(f"The {self.body} did not arrive whole: {reason} ({size}).", 1000)
        for secret in self._redact:
            message = message.replace(secret, REDACTED)
        self._error = HumeBodyError(message, body=self.body, received=received, expected=expected)
        return self._error
