"""Media probing: magic bytes first, then the extension; durations via mutagen, sizes via Pillow.

Every container of hume-api-v0.md §8 is probed from a real file built in Python (no encoder binaries needed).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from airflow_provider_hume.emulator.media import limits
from airflow_provider_hume.emulator.media.mp4 import Mp4Error, read_tracks
from airflow_provider_hume.emulator.media.probe import probe, sniff
from tests.support.samples import image_bytes, wav_bytes
from tests.support.samples_audio import flac_bytes, mp3_bytes, ogg_opus_bytes
from tests.support.samples_mp4 import mp4_bytes


@pytest.mark.parametrize(
    ("header", "filename", "expected"),
    [
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "x.bin", ("audio", "audio/wav")),
        (b"ID3\x04", "x", ("audio", "audio/mpeg")),
        (b"\xff\xfb\x90\x00", "x", ("audio", "audio/mpeg")),
        (b"\x00\x00\x00\x20ftypM4A ", "x", ("audio", "audio/mp4")),
        (b"\x00\x00\x00\x20ftypisom", "x", ("video", "video/mp4")),
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


@pytest.mark.parametrize(
    ("filename", "data", "content_type", "seconds"),
    [
        ("tone.wav", wav_bytes(1.5), "audio/wav", 1.5),
        ("silence.mp3", mp3_bytes(2.4), "audio/mpeg", 2.4),
        ("silence.flac", flac_bytes(3.25), "audio/flac", 3.25),
        ("silence.flac", flac_bytes(10.0, rate=44100), "audio/flac", 10.0),
        ("silence.ogg", ogg_opus_bytes(1.2), "audio/ogg", 1.2),
        ("voice.m4a", mp4_bytes(2.0, video=None), "audio/mp4", 2.0),
        ("no-video.mp4", mp4_bytes(2.0, video=None), "audio/mp4", 2.0),
    ],
)
def test_audio_durations(
    tmp_path: Path, filename: str, data: bytes, content_type: str, seconds: float
) -> None:
    path = tmp_path / "media"
    path.write_bytes(data)
    info = probe(path, "no-extension")
    assert (info.kind, info.content_type, info.problem, info.has_audio) == ("audio", content_type, None, True)
    assert info.duration == pytest.approx(seconds, abs=0.03)


def test_video_with_sound(tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    path.write_bytes(mp4_bytes(2.5, video=(320, 240, 25.0)))
    info = probe(path, "clip.mp4")
    assert (info.kind, info.content_type, info.problem) == ("video", "video/mp4", None)
    assert (info.width, info.height, info.frame_count, info.has_audio) == (320, 240, 62, True)
    assert info.frame_rate == pytest.approx(25.0)
    assert info.duration == pytest.approx(2.5, abs=0.05)


def test_silent_video(tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    path.write_bytes(mp4_bytes(1.0, video=(64, 48, 10.0), audio_rate=None))
    info = probe(path, "clip.mp4")
    assert (info.kind, info.has_audio, info.frame_count, info.duration) == ("video", False, 10, 1.0)


def test_mp4_tracks() -> None:
    video, audio = read_tracks(io.BytesIO(mp4_bytes(3.0, video=(1280, 720, 30.0), audio_rate=16000)))
    assert (video.handler, video.width, video.height, video.samples) == ("vide", 1280, 720, 90)
    assert video.duration == pytest.approx(3.0)
    assert audio.handler == "soun"
    assert audio.duration == pytest.approx(3.0, abs=0.07)


@pytest.mark.parametrize("data", [b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isommp41", mp4_bytes(1.0)[:300]])
def test_unreadable_mp4(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(Mp4Error):
        read_tracks(io.BytesIO(data))
    path = tmp_path / "broken.mp4"
    path.write_bytes(data)
    assert probe(path, "broken.mp4").problem == "could not read mp4"


def test_media_longer_than_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_MEDIA_SECONDS", 1.0)
    path = tmp_path / "long.flac"
    path.write_bytes(flac_bytes(1.5))
    info = probe(path, "long.flac")
    assert (info.kind, info.duration) == ("audio", 1.5)
    assert info.problem == "audio is longer than the 1 s limit (1.5 s)"


def test_the_default_duration_limit_is_one_hour(tmp_path: Path) -> None:
    path = tmp_path / "long.flac"
    path.write_bytes(flac_bytes(3600.5, rate=8000))
    assert probe(path, "long.flac").problem == "audio is longer than the 1 hour limit (3600.5 s)"
    path.write_bytes(flac_bytes(3600, rate=8000))
    assert probe(path, "long.flac").problem is None
