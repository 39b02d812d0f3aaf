"""Audio and image sources read lazily for the realtime streams (hume-api-v1.md §7.1)."""

from __future__ import annotations

import io
import struct
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from airflow_provider_hume.client.errors import HumeValidationError
from airflow_provider_hume.client.v1.parts import AUDIO_RAW, AUDIO_WAV, IMAGE_JPEG, MediaPart
from airflow_provider_hume.client.v1.realtime.sources import audio_frames, image_frames


def wav(pcm: bytes, *, rate: int = 16000, channels: int = 1, data_size: int | None = None) -> bytes:
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * 2 * channels, 2 * channels, 16)
    size = len(pcm) if data_size is None else data_size
    chunks = b"fmt " + struct.pack("<I", 16) + fmt + b"LIST" + struct.pack("<I", 3) + b"abc\x00"
    chunks += b"data" + struct.pack("<I", size) + pcm
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks


def part(data: bytes, content_type: str) -> MediaPart:
    return MediaPart("a.wav", len(data), content_type, lambda: io.BytesIO(data))


async def collect(frames: AsyncIterator[bytes]) -> list[bytes]:
    return [frame async for frame in frames]


async def test_a_wav_part_is_cut_into_frames_after_its_header() -> None:
    pcm = bytes(range(256)) * 30  # 7680 bytes
    frames = await collect(audio_frames(part(wav(pcm) + b"trailing chunk", AUDIO_WAV), 3200))
    assert [len(frame) for frame in frames] == [3200, 3200, 1280]
    assert b"".join(frames) == pcm


async def test_a_streamed_wav_without_a_data_size_is_read_to_the_end() -> None:
    pcm = b"\x01\x00" * 2000
    assert b"".join(await collect(audio_frames(part(wav(pcm, data_size=0xFFFFFFFF), AUDIO_WAV), 3200))) == pcm


@pytest.mark.parametrize(("rate", "channels"), [(44100, 1), (16000, 2)])
async def test_a_wav_in_another_format_is_refused(rate: int, channels: int) -> None:
    with pytest.raises(HumeValidationError, match="16 kHz mono"):
        await collect(audio_frames(part(wav(b"\x00" * 8, rate=rate, channels=channels), AUDIO_WAV), 3200))


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"RIFF\x04\x00\x00\x00WAVEdata\x02\x00\x00\x00\x00\x00", "no fmt chunk"),
        (b"RIFF\x04\x00\x00\x00WAVEfmt \x04\x00\x00\x00\x01\x00\x01\x00", "cut short"),
        (b"RIFF\x04\x00\x00\x00WAVE", "no data chunk"),
        (b"OggS" + bytes(20), "not a WAV"),
    ],
)
async def test_broken_wav_headers(data: bytes, problem: str) -> None:
    with pytest.raises(HumeValidationError, match=problem):
        await collect(audio_frames(part(data, AUDIO_WAV), 3200))


async def test_files_raw_or_wav(tmp_path: Path) -> None:
    raw = tmp_path / "a.pcm"
    raw.write_bytes(b"\x00\x01" * 2000)
    assert [len(frame) for frame in await collect(audio_frames(raw, 3200))] == [3200, 800]
    wav_path = tmp_path / "a.wav"
    wav_path.write_bytes(wav(b"\x00\x01" * 100))
    assert await collect(audio_frames(str(wav_path), 3200)) == [b"\x00\x01" * 100]
    assert await collect(audio_frames(part(b"\x02\x00" * 3, AUDIO_RAW), 4)) == [b"\x02\x00" * 2, b"\x02\x00"]


async def test_iterables_pass_frames_as_given() -> None:
    assert await collect(audio_frames([b"a", b"bc"], 3200)) == [b"a", b"bc"]

    async def generated() -> AsyncIterator[bytes]:
        yield b"x"

    assert await collect(audio_frames(generated(), 3200)) == [b"x"]


async def test_images_are_bytes_or_parts() -> None:
    jpeg = MediaPart("f.jpg", 3, IMAGE_JPEG, lambda: io.BytesIO(b"\xff\xd8\xff"))
    assert await collect(image_frames([b"one", jpeg])) == [b"one", b"\xff\xd8\xff"]
