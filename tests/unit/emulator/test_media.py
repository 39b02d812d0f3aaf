"""Media probing: magic bytes first, then the extension; durations via mutagen, sizes via Pillow."""

from __future__ import annotations

from pathlib import Path

import pytest

from airflow_provider_hume.emulator.media import probe, sniff
from airflow_provider_hume.emulator.samples import image_bytes, wav_bytes


@pytest.mark.parametrize(
    ("header", "filename", "expected"),
    [
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "x.bin", ("audio", "audio/wav")),
        (b"ID3\x04", "x", ("audio", "audio/mpeg")),
        (b"\xff\xfb\x90\x00", "x", ("audio", "audio/mpeg")),
        (b"\x00\x00\x00\x20ftypM4A ", "x", ("audio", "audio/mp4")),
        (b"\x00\x00\x00\x20ftypisom", "x", ("audio", "video/mp4")),
        (b"OggS\x00", "x", ("audio", "audio/ogg")),
        (b"fLaC\x00", "x", ("audio", "audio/flac")),
        (b"\x89PNG\r\n\x1a\n", "photo.jpg", ("image", "image/png")),
        (b"\xff\xd8\xff\xe0", "photo.png", ("image", "image/jpeg")),
        (b"PK\x03\x04", "x", ("archive", "application/zip")),
        (b"\x1f\x8b\x08", "x.tar.gz", ("archive", "application/gzip")),
        (b"hello world", "notes.txt", ("text", "text/plain")),
        (b"[[[0, 0, 0]]]", "mesh.JSON", ("facemesh", "application/json")),
        (b"hello world", "notes.doc", ("unsupported", "application/octet-stream")),
    ],
)
def test_sniff(header: bytes, filename: str, expected: tuple[str, str]) -> None:
    assert sniff(header, filename) == expected


def test_wav_duration(tmp_path: Path) -> None:
    path = tmp_path / "tone"
    path.write_bytes(wav_bytes(2.5, rate=8000))
    info = probe(path, "tone")
    assert (info.kind, info.content_type, info.problem) == ("audio", "audio/wav", None)
    assert info.duration == pytest.approx(2.5)


@pytest.mark.parametrize(("image_format", "content_type"), [("PNG", "image/png"), ("JPEG", "image/jpeg")])
def test_image_size(tmp_path: Path, image_format: str, content_type: str) -> None:
    path = tmp_path / "image"
    path.write_bytes(image_bytes(321, 123, image_format=image_format))
    info = probe(path, "image")
    assert (info.kind, info.content_type, info.width, info.height) == ("image", content_type, 321, 123)


def test_truncated_wav_is_unsupported(tmp_path: Path) -> None:
    path = tmp_path / "short.wav"
    path.write_bytes(b"RIFF\x00\x00\x00\x00WAVE")
    info = probe(path, "short.wav")
    assert (info.kind, info.problem) == ("unsupported", "could not read audio")


def test_other_image_formats_are_unsupported(tmp_path: Path) -> None:
    path = tmp_path / "image.png"
    path.write_bytes(image_bytes(10, 10, image_format="GIF"))
    assert probe(path, "image.png").problem == "unsupported image format"
