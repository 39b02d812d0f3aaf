"""Reading a predictions body for its failed sources (hume-api-v0.md §2.7, §8), incrementally."""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator
from typing import Any, BinaryIO

import pytest

from airflow_provider_hume.client import HumeBodyError, HumeError, HumeValidationError
from airflow_provider_hume.client.body_framing import Verification
from airflow_provider_hume.client.source_errors import (
    ON_SOURCE_ERROR_CHOICES,
    SourceError,
    check_on_source_error,
    collect_source_errors,
    read_source_errors,
    safe_url,
)


def body(sources: list[dict[str, Any]]) -> io.BytesIO:
    return io.BytesIO(json.dumps(sources).encode())


def test_the_emulators_shapes_source_level_error_and_per_file_errors() -> None:
    sources = [
        {"source": {"type": "url", "url": "http://127.0.0.1:8/gone.mp4"}, "error": "could not download it"},
        {
            "source": {
                "type": "file",
                "filename": "faces.zip",
                "content_type": "application/zip",
                "md5sum": "m",
            },
            "results": {
                "predictions": [{"file": "faces/a.png", "models": {"face": {"metadata": None}}}],
                "errors": [{"message": "could not read archive", "file": "faces/b.png"}],
            },
        },
        {
            "source": {"type": "text"},
            "results": {"predictions": [], "errors": [{"message": "m", "file": "text_1"}]},
        },
        {
            "source": {"type": "file", "filename": "ok.wav", "md5sum": "m"},
            "results": {"predictions": [], "errors": []},
        },
    ]
    report = collect_source_errors(body(sources))
    assert (report.sources, report.failed_sources, report.errors, report.not_shown) == (4, 3, 3, 0)
    assert report.samples == [
        SourceError(0, "url", "http://127.0.0.1:8/gone.mp4", None, "could not download it"),
        SourceError(1, "file", "faces.zip", "faces/b.png", "could not read archive"),
        SourceError(2, "text", None, "text_1", "m"),
    ]
    assert [error.where for error in report.samples] == [
        "http://127.0.0.1:8/gone.mp4",
        "faces.zip [faces/b.png]",
        "text [text_1]",
    ]


def test_documented_alternatives_and_any_key_order_are_read() -> None:
    sources = [
        # errors before the source that labels them, an entry without a file, one as a plain string
        {
            "results": {"errors": [{"message": "no file"}, "as a string"]},
            "source": {"type": "file", "filename": "a"},
        },
        # both a source-level error and per-file errors; the error as an object
        {
            "error": {"message": "whole source", "file": "x"},
            "source": {"type": "url", "url": "http://h/b.mp3"},
        },
        {"source": {"type": "url", "url": "http://h/c.mp3"}, "error": None, "results": {"errors": []}},
        {"source": {"type": "url", "url": "http://h/d.mp3"}, "error": ""},
        {"source": {}, "results": {"errors": [{"file": "f", "message": None}]}},
        {"results": {"errors": [{"message": "no source at all"}]}},
    ]
    report = collect_source_errors(body(sources))
    assert [error.describe() for error in report.samples] == [
        "a: no file",
        "a: as a string",
        "http://h/b.mp3 [x]: whole source",
        "source #4 [f]: no message from Hume",
        "source #5: no source at all",
    ]
    assert (report.sources, report.failed_sources, report.errors) == (6, 4, 5)


def test_a_url_file_named_like_its_last_segment_is_not_repeated() -> None:
    sources = [
        {
            "source": {"type": "url", "url": "http://h/v/clip.mp4"},
            "results": {"errors": [{"message": "unsupported", "file": "clip.mp4"}]},
        }
    ]
    assert collect_source_errors(body(sources)).samples[0].describe() == "http://h/v/clip.mp4: unsupported"


def test_signed_urls_and_credentials_never_reach_a_message() -> None:
    url = "https://user:pw@bucket.s3.amazonaws.com/a.mp4?X-Amz-Credential=AKIA1&X-Amz-Signature=sig#frag"
    sources = [{"source": {"type": "url", "url": url}, "error": f"could not download {url}: 403 Forbidden"}]
    (error,) = collect_source_errors(body(sources)).samples
    shown = "https://bucket.s3.amazonaws.com/a.mp4?..."
    assert error.describe() == f"{shown}: could not download {shown}: 403 Forbidden"
    for secret in ("user:pw", "AKIA1", "Signature", "frag"):
        assert secret not in error.describe()


def test_safe_url_keeps_scheme_host_port_and_path() -> None:
    assert safe_url("http://[::1]:8080/a/b.wav") == "http://[::1]:8080/a/b.wav"
    assert safe_url("http://[::1/x") == "<unparseable URL>"


def test_long_messages_are_cut() -> None:
    sources = [{"source": {"type": "text"}, "error": "x" * 5000}]
    (error,) = collect_source_errors(body(sources)).samples
    assert len(error.message) < 600
    assert error.message.endswith("(4500 more characters)")


def test_counts_are_exact_and_samples_capped_with_a_final_line() -> None:
    sources = [{"source": {"type": "file", "filename": f"{n}.wav"}, "error": "bad"} for n in range(7)]
    report = collect_source_errors(body(sources), max_samples=3)
    assert (report.errors, len(report.samples), report.not_shown) == (7, 3, 4)
    assert report.log_lines("j") == [
        "Hume job j: input failed: 0.wav: bad",
        "Hume job j: input failed: 1.wav: bad",
        "Hume job j: input failed: 2.wav: bad",
        "Hume job j: ... and 4 more failed input(s)",
    ]
    assert report.failure_message("j", named=2) == (
        "Hume job j completed with 7 failed input(s) in 7 of 7 source(s) (on_source_error='fail'): "
        "0.wav: bad; 1.wav: bad; and 5 more"
    )


def test_an_empty_body_has_nothing_failed() -> None:
    report = collect_source_errors(io.BytesIO(b"[]"))
    assert (report.sources, report.errors, report.samples, report.log_lines("j")) == (0, 0, [], [])


class GeneratedBody:
    """A predictions body produced while it is read, never whole in memory; records the reads."""

    def __init__(self, parts: Iterator[bytes]) -> None:
        self._parts = parts
        self._buffer = bytearray()
        self.total = 0
        self.largest_read = 0

    def read(self, size: int = -1) -> bytes:
        assert size >= 0, "the parser must read in chunks"
        while len(self._buffer) < size and (part := next(self._parts, None)) is not None:
            self._buffer += part
        chunk = bytes(self._buffer[:size])
        del self._buffer[:size]
        self.total += len(chunk)
        self.largest_read = max(self.largest_read, len(chunk))
        return chunk


def _many_sources(count: int) -> Iterator[bytes]:
    """``count`` sources, each with a large prediction; every other one has a failed file."""
    emotions = [{"name": f"Emotion {n}", "score": n / 48} for n in range(48)]
    prediction = {
        "frame": 0,
        "time": 0.0,
        "prob": 0.9,
        "box": {"x": 1, "y": 2, "w": 3, "h": 4},
        "emotions": emotions,
    }
    yield b"["
    for n in range(count):
        errors = [{"message": f"bad frame {n}", "file": f"v{n}/f.png"}] if n % 2 else []
        source = {
            "source": {"type": "file", "filename": f"v{n}.zip", "md5sum": "m"},
            "results": {
                "predictions": [
                    {
                        "file": f"v{n}/a.png",
                        "models": {
                            "face": {
                                "metadata": None,
                                "grouped_predictions": [{"id": "unknown", "predictions": [prediction] * 20}],
                            }
                        },
                    }
                ],
                "errors": errors,
            },
        }
        yield (b"," if n else b"") + json.dumps(source).encode()
    yield b"]"


def test_a_large_body_is_read_in_chunks_and_only_the_first_failures_are_kept() -> None:
    stream = GeneratedBody(_many_sources(300))
    report = collect_source_errors(stream, max_samples=50)
    assert stream.total > 10_000_000, "the body is large"
    assert stream.largest_read <= 1 << 20, "read in chunks"
    assert (report.sources, report.failed_sources, report.errors) == (300, 150, 150)
    assert len(report.samples) == 50
    assert report.samples[-1].describe() == "v99.zip [v99/f.png]: bad frame 99"


def _one_source_with_many_errors(count: int) -> Iterator[bytes]:
    """One archive source whose ``count`` errors come before the source descriptor that labels them."""
    yield b'[{"results": {"predictions": [], "errors": ['
    for n in range(count):
        yield (b"," if n else b"") + json.dumps({"message": "unsupported", "file": f"m/{n}.bin"}).encode()
    yield b']}, "source": {"type": "url", "url": "http://h/archive.zip"}}]'


def test_errors_waiting_for_their_source_are_held_only_up_to_the_cap() -> None:
    report = collect_source_errors(GeneratedBody(_one_source_with_many_errors(100_000)), max_samples=50)
    assert (report.sources, report.failed_sources, report.errors) == (1, 1, 100_000)
    assert len(report.samples) == 50
    assert report.samples[0].describe() == "http://h/archive.zip [m/0.bin]: unsupported"


class Client:
    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.opened: list[tuple[str, str]] = []

    @contextlib.contextmanager
    def open_predictions(self, job_id: str, *, verify: Verification = "unframed") -> Iterator[BinaryIO]:
        self.opened.append((job_id, verify))
        yield self.stream


def test_read_source_errors_opens_the_verified_predictions() -> None:
    client = Client(body([{"source": {"type": "text"}, "error": "x"}]))
    assert read_source_errors(client, "j-1").errors == 1
    assert client.opened == [("j-1", "unframed")]


class BrokenAtEnd(io.BytesIO):
    """A verified body that turns out broken only at its end (as ``VerifiedBody`` does)."""

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        if not chunk:
            raise HumeBodyError("predictions of Hume job j-1 ended early")
        return chunk


def test_the_body_is_read_to_its_end_so_a_broken_body_is_an_error() -> None:
    client = Client(BrokenAtEnd(json.dumps([{"source": {"type": "text"}, "error": "x"}]).encode()))
    with pytest.raises(HumeBodyError, match="ended early"):
        read_source_errors(client, "j-1")


def test_a_body_that_is_not_json_is_a_hume_error() -> None:
    with pytest.raises(HumeError, match="predictions for job j-1 that are not valid JSON"):
        read_source_errors(Client(io.BytesIO(b'[{"source": ')), "j-1")


@pytest.mark.parametrize("value", ON_SOURCE_ERROR_CHOICES)
def test_on_source_error_choices_are_accepted(value: str) -> None:
    assert check_on_source_error(value) == value


@pytest.mark.parametrize("value", ["Warn", "raise", "", None, 0, ["fail"]])
def test_anything_else_is_a_value_error_naming_the_parameter_and_the_choices(value: Any) -> None:
    with pytest.raises(ValueError, match=r"^on_source_error must be 'warn' or 'fail' \(got ") as info:
        check_on_source_error(value)
    assert isinstance(info.value, HumeValidationError)
