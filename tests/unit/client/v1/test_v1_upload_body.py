"""The streamed multipart body of v1 uploads: parts, content types, config JSON, and sizing."""

from __future__ import annotations

import io
import json
from email.message import Message
from email.parser import BytesParser
from typing import Any, BinaryIO

import pytest

from airflow_provider_hume.client.v1 import AUDIO_WAV, IMAGE_JPEG, MediaPart, body_size
from airflow_provider_hume.client.v1._multipart import MediaUpload

READ_SIZE = 8192


class Recording(io.BytesIO):
    """A part stream that records the largest single read and whether it was closed."""

    def __init__(self, data: bytes, log: list[Recording]) -> None:
        super().__init__(data)
        self.largest = 0
        log.append(self)

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.largest = max(self.largest, len(chunk))
        return chunk


def part(name: str, data: bytes, content_type: str, opened: list[Recording]) -> MediaPart:
    def opener() -> BinaryIO:
        return Recording(data, opened)

    return MediaPart(name, len(data), content_type, opener)


def read_body(upload: MediaUpload) -> tuple[bytes, str]:
    with upload.open() as (body, content_type):
        chunks = []
        while chunk := body.read(READ_SIZE):
            chunks.append(chunk)
    return b"".join(chunks), content_type


def parts_of(raw: bytes, content_type: str) -> list[Message]:
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    return list(BytesParser().parsebytes(head + raw).get_payload())  # type: ignore[arg-type]


def test_audio_body_has_one_file_part_and_the_config() -> None:
    opened: list[Recording] = []
    audio = bytes(range(256)) * 400
    upload = MediaUpload([part("call.wav", audio, AUDIO_WAV, opened)], {"measurement_timer_ms": 5000})
    raw, content_type = read_body(upload)
    assert content_type.startswith("multipart/form-data; boundary=")
    file_part, config_part = parts_of(raw, content_type)
    assert file_part.get_param("name", header="content-disposition") == "file"
    assert file_part.get_filename() == "call.wav"
    assert file_part.get_content_type() == AUDIO_WAV
    assert file_part.get_payload(decode=True) == audio
    assert config_part.get_param("name", header="content-disposition") == "config"
    assert config_part.get_filename() is None
    assert config_part.get_content_type() == "application/json"
    assert json.loads(config_part.get_payload(decode=True)) == {"measurement_timer_ms": 5000}
    assert len(raw) == body_size(upload.parts, upload.config)
    assert upload.media_bytes == len(audio)


def test_images_repeat_the_file_field_in_order_without_config() -> None:
    opened: list[Recording] = []
    images = [
        part(f"frame{i}.jpg", b"\xff\xd8" + bytes([i]) * 100 + b"\xff\xd9", IMAGE_JPEG, opened)
        for i in range(3)
    ]
    upload = MediaUpload(images, None)
    raw, content_type = read_body(upload)
    found = parts_of(raw, content_type)
    assert [p.get_filename() for p in found] == ["frame0.jpg", "frame1.jpg", "frame2.jpg"]
    assert {p.get_param("name", header="content-disposition") for p in found} == {"file"}
    assert {p.get_content_type() for p in found} == {IMAGE_JPEG}
    assert len(raw) == body_size(images)


def test_parts_are_streamed_reopened_per_attempt_and_closed() -> None:
    opened: list[Recording] = []
    big = b"a" * (READ_SIZE * 20)
    upload = MediaUpload([part("long.wav", big, AUDIO_WAV, opened)], None)
    read_body(upload)
    read_body(upload)
    assert len(opened) == 2
    assert all(stream.closed for stream in opened)
    assert max(stream.largest for stream in opened) <= READ_SIZE


def test_a_stream_shorter_than_announced_is_a_read_error() -> None:
    def short() -> BinaryIO:
        return io.BytesIO(b"abc")

    upload = MediaUpload([MediaPart("short.wav", 10, AUDIO_WAV, short)], None)
    with pytest.raises(OSError, match=r"short\.wav ended 7 byte"):
        read_body(upload)
    assert isinstance(upload.read_error, OSError)


def test_read_error_is_cleared_on_the_next_attempt() -> None:
    calls: list[int] = []

    def flaky() -> Any:
        calls.append(1)
        return io.BytesIO(b"ab" if len(calls) == 1 else b"abcd")

    upload = MediaUpload([MediaPart("f.wav", 4, AUDIO_WAV, flaky)], None)
    with pytest.raises(OSError, match="ended 2 byte"):
        read_body(upload)
    read_body(upload)
    assert upload.read_error is None


def test_body_size_grows_with_config_and_parts() -> None:
    audio = [MediaPart("a.wav", 1000, AUDIO_WAV, io.BytesIO)]
    bare = body_size(audio)
    assert bare > 1000
    assert body_size(audio, {"measurement_timer_ms": 3000}) > bare


def test_body_bytes_read_says_whether_anything_could_have_been_sent() -> None:
    opened: list[Recording] = []
    upload = MediaUpload([part("a.wav", b"x" * 50_000, AUDIO_WAV, opened)], None)
    assert upload.body_bytes_read == 0
    with upload.open() as (body, _):
        assert upload.body_bytes_read == 0
        body.read(READ_SIZE)
        assert upload.body_bytes_read == READ_SIZE
    with upload.open():
        assert upload.body_bytes_read == 0
