"""``VerifiedBody`` and ``JsonCheck``: EOF only for a whole body; a cut, damage or a break raises first."""

from __future__ import annotations

import http.client
import io
import json
from collections.abc import Iterator

import ijson  # type: ignore[import-untyped]
import pytest
import requests
import urllib3.exceptions

from airflow_provider_hume.client import HumeConnectionError, verify
from airflow_provider_hume.client.verify import (
    FEED_BYTES,
    BodyCheck,
    HumeBodyError,
    JsonCheck,
    NoCheck,
    VerifiedBody,
    content_length,
)

BODY = "predictions of Hume job job-7"
API_KEY = "k3y-0123456789abcdef0123456789abcdef"
PREDICTIONS = json.dumps(
    [
        {
            "source": {"type": "text"},
            "results": {
                "predictions": [
                    {
                        "file": "text",
                        "models": {
                            "language": {
                                "grouped_predictions": [
                                    {
                                        "id": "unknown",
                                        "predictions": [
                                            {
                                                "text": 'Hi \u00e9"\\',
                                                "emotions": [{"name": "Joy", "score": 0.5}],
                                            }
                                        ]
                                        * 50,
                                    }
                                ]
                            }
                        },
                    }
                ],
                "errors": [],
            },
        }
    ],
    indent=1,
).encode()


def verified(
    data: bytes, check: BodyCheck | None = None, *, expected_length: int | None = None
) -> io.BufferedReader:
    source = VerifiedBody(
        io.BytesIO(data), check or JsonCheck(), body=BODY, expected_length=expected_length, redact=(API_KEY,)
    )
    return io.BufferedReader(source, FEED_BYTES)


def read_in(stream: io.BufferedReader, size: int) -> bytes:
    out = bytearray()
    while chunk := stream.read(size):
        out += chunk
    return bytes(out)


@pytest.mark.parametrize("size", [1, 7, 4096, 16 * 1024 * 1024, -1])
def test_a_whole_body_passes_through_unchanged(size: int) -> None:
    stream = verified(PREDICTIONS, expected_length=len(PREDICTIONS))
    assert (read_in(stream, size) if size > 0 else stream.read()) == PREDICTIONS
    assert stream.read() == b""  # reading again at EOF (as boto3 does) stays at EOF


@pytest.mark.parametrize("body", [b"[]", b" [ ] \n", b"{}", b'"text"', b"0", b"[1,2,[3,{}]]"])
def test_any_complete_json_value_passes(body: bytes) -> None:
    assert verified(body).read() == body


@pytest.mark.parametrize("fraction", [0.0, 0.01, 0.25, 0.5, 0.6, 0.99])
def test_a_body_cut_without_length_raises_before_eof(fraction: float) -> None:
    cut = PREDICTIONS[: int(len(PREDICTIONS) * fraction)]
    stream = verified(cut)
    with pytest.raises(HumeBodyError) as info:
        read_in(stream, 1000)
    error = info.value
    assert isinstance(error, HumeConnectionError)
    assert error.message.startswith(f"The {BODY} did not arrive whole: ")
    assert f"({len(cut):,} bytes received, no length announced)" in error.message
    assert (error.body, error.received, error.expected) == (BODY, len(cut), None)
    with pytest.raises(HumeBodyError):  # and again on every later read: EOF is never reported
        stream.read()


def test_a_body_cut_one_byte_short_raises() -> None:
    with pytest.raises(HumeBodyError, match="incomplete or invalid at its end"):
        verified(PREDICTIONS[:-1]).read()


def test_an_empty_body_is_not_json() -> None:
    with pytest.raises(HumeBodyError, match="the body is empty, not JSON"):
        verified(b"").read()


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"[1, 2] [3]", r"the JSON is invalid within bytes 0 to 10 \(parse error: trailing garbage\)"),
        (b"[1, 2]x", "trailing garbage"),
        (b"[1, 2}", "the JSON is invalid within bytes 0 to 6"),
        (b'["a", nul]', r"within bytes 0 to 10 \(lexical error: invalid string in json text.\)"),
        (b'["a", nul', "the JSON is incomplete or invalid at its end"),
    ],
)
def test_invalid_or_trailing_bytes_raise(body: bytes, reason: str) -> None:
    with pytest.raises(HumeBodyError, match=reason):
        verified(body).read()


def test_damage_in_the_middle_raises_at_that_point_not_at_the_end() -> None:
    damaged = PREDICTIONS.replace(b'"source": {', b'"source": }{', 1)
    source = VerifiedBody(io.BytesIO(damaged), JsonCheck(), body=BODY)
    with pytest.raises(HumeBodyError, match=r"the JSON is invalid within bytes 0 to 64 "):
        read_in(io.BufferedReader(source, 64), 64)
    assert source.bytes_read == 64


def test_a_body_shorter_than_its_content_length_raises() -> None:
    with pytest.raises(HumeBodyError) as info:
        verified(PREDICTIONS, NoCheck(), expected_length=len(PREDICTIONS) + 10).read()
    assert "the body ended before its announced length" in info.value.message
    assert f"({len(PREDICTIONS):,} of {len(PREDICTIONS) + 10:,} bytes received)" in info.value.message
    assert info.value.expected == len(PREDICTIONS) + 10


def test_a_body_longer_than_its_content_length_raises() -> None:
    with pytest.raises(HumeBodyError, match=r"more bytes arrived than the 10 announced"):
        verified(PREDICTIONS, NoCheck(), expected_length=10).read()


def test_the_length_counts_wire_bytes_when_given() -> None:
    """With content decoding, ``Content-Length`` counts the encoded bytes the connection delivered."""
    wire = [0]
    source = io.BytesIO(b"[1]")
    body = VerifiedBody(source, JsonCheck(), body=BODY, expected_length=99, wire_bytes=lambda: wire[0])
    wire[0] = 99
    assert io.BufferedReader(body).read() == b"[1]"


class _Breaking(io.RawIOBase):
    """Hands out ``data``, then raises ``error`` as a broken connection does."""

    def __init__(self, data: bytes, error: BaseException) -> None:
        self._data = io.BytesIO(data)
        self._error = error

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        chunk = self._data.read(len(buffer))
        if not chunk:
            raise self._error
        buffer[: len(chunk)] = chunk
        return len(chunk)


@pytest.mark.parametrize(
    "error",
    [
        urllib3.exceptions.ProtocolError(
            "Connection broken: IncompleteRead(500 bytes read, 500 more expected)",
            urllib3.exceptions.IncompleteRead(500, 500),
        ),
        urllib3.exceptions.IncompleteRead(500, 500),
        urllib3.exceptions.ReadTimeoutError(None, f"/v0/batch/jobs/x?key={API_KEY}", "Read timed out."),  # type: ignore[arg-type]
        requests.exceptions.ChunkedEncodingError(f"Connection broken for {API_KEY}"),
        http.client.IncompleteRead(b"", 500),
        ConnectionResetError(104, "Connection reset by peer"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_a_connection_breaking_mid_body_becomes_a_hume_connection_error(error: BaseException) -> None:
    stream = verified_from(_Breaking(PREDICTIONS[:500], error), expected_length=1000)
    with pytest.raises(HumeBodyError) as info:
        read_in(stream, 100)
    message = info.value.message
    assert isinstance(info.value, HumeConnectionError)
    assert message.startswith(
        f"The {BODY} did not arrive whole: the connection broke off ({type(error).__name__}"
    )
    assert "(500 of 1,000 bytes received)" in message
    assert API_KEY not in message
    assert info.value.__cause__ is error


def verified_from(source: io.RawIOBase, *, expected_length: int) -> io.BufferedReader:
    body = VerifiedBody(source, JsonCheck(), body=BODY, expected_length=expected_length, redact=(API_KEY,))
    return io.BufferedReader(body, FEED_BYTES)


class _Generated(io.RawIOBase):
    """A large body produced on the fly from ``parts``, never held whole."""

    def __init__(self, parts: Iterator[bytes]) -> None:
        self._parts = parts
        self._pending = b""
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._pending:
            self._pending = next(self._parts, b"")
            if not self._pending:
                return 0
        chunk, self._pending = self._pending[: len(buffer)], self._pending[len(buffer) :]
        buffer[: len(chunk)] = chunk
        self.size += len(chunk)
        return len(chunk)


def _face_predictions(count: int) -> Iterator[bytes]:
    frame = json.dumps(
        {"frame": 1, "time": 0.5, "emotions": [{"name": f"E{i}", "score": 0.123456} for i in range(48)]}
    ).encode()
    yield b'[{"source": {"type": "url"}, "results": {"predictions": [{"models": {"face": '
    yield b'{"grouped_predictions": '
    yield b'[{"id": "unknown", "predictions": [' + frame
    for _ in range(count - 1):
        yield b"," + frame
    yield b"]}]}}}]}}]"


def test_memory_stays_bounded_on_a_large_body() -> None:
    generated = _Generated(_face_predictions(20_000))  # about 35 MB
    check = JsonCheck()
    stream = io.BufferedReader(VerifiedBody(io.BufferedReader(generated), check, body=BODY), FEED_BYTES)
    while stream.read(16 * 1024 * 1024):  # boto3's part size: still fed in 64 KiB pieces
        pass
    assert generated.size > 30_000_000
    assert 0 < check.max_buffered <= FEED_BYTES


def test_one_huge_json_string_is_refused_rather_than_buffered() -> None:
    parts = iter([b'["', *([b"a" * 100_000] * 30), b'"]'])
    check = JsonCheck(max_token_bytes=1024 * 1024)
    stream = io.BufferedReader(VerifiedBody(_Generated(parts), check, body=BODY))
    with pytest.raises(HumeBodyError, match=r"a single JSON value runs over 1,048,576 bytes"):
        stream.read()
    assert check.max_buffered <= 1024 * 1024 + FEED_BYTES


@pytest.mark.parametrize(
    ("headers", "length"),
    [
        ({"Content-Length": "42"}, 42),
        ({"Content-Length": "42, 42"}, 42),
        ({"Content-Length": "42, 43"}, None),
        ({"Content-Length": "-1"}, None),
        ({"Content-Length": "x"}, None),
        ({"Content-Length": "42", "Transfer-Encoding": "chunked"}, None),
        ({}, None),
    ],
)
def test_content_length(headers: dict[str, str], length: int | None) -> None:
    assert content_length(headers) == length


@pytest.mark.parametrize("backend", ["yajl2_c", "python"])
def test_the_json_check_is_the_same_with_ijson_pure_python_backend(
    monkeypatch: pytest.MonkeyPatch, backend: str
) -> None:
    """The C backend appends the parser's events to the check's list itself; a pure-Python one calls it."""
    monkeypatch.setattr(verify.ijson, "basic_parse_coro", ijson.get_backend(backend).basic_parse_coro)
    assert verified(PREDICTIONS).read() == PREDICTIONS
    with pytest.raises(HumeBodyError, match="the JSON is incomplete or invalid at its end"):
        verified(PREDICTIONS[:-3]).read()
    with pytest.raises(HumeBodyError, match="the JSON is invalid within bytes 0 to "):
        verified(PREDICTIONS.replace(b"[", b"[}", 1)).read()


def test_empty_reads_are_no_piece_of_the_body() -> None:
    """``ijson`` takes an empty piece for the end of the body; checks are given none."""
    check = JsonCheck()
    for data in [b"", b"[1,", b"", b"2]", b""]:
        check.feed(data)
    check.finish()
