"""prepare_audio: every container decodes to 16 kHz mono s16 of the right length, in request-sized chunks."""

from __future__ import annotations

import io
import os
import struct
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import pytest

from airflow_provider_hume.client.v1.limits import MAX_REQUEST_BYTES
from airflow_provider_hume.client.v1.media import (
    REQUEST_OVERHEAD_BYTES,
    MediaInputError,
    chunk_samples,
    prepare_audio,
)
from airflow_provider_hume.client.v1.media.wav import WAV_HEADER_BYTES
from tests.support import media_samples
from tests.unit.client.v1_media.conftest import SECONDS
from tests.unit.client.v1_media.helpers import loudness, wav_params

ONE_SECOND_REQUEST = REQUEST_OVERHEAD_BYTES + WAV_HEADER_BYTES + 32_000
"""A max_request_bytes that holds exactly one second of audio per chunk."""

# Samples the decoder may add or trim, at 16 kHz: one frame of the codec at the source rate.
FORMATS = {
    "call.mp3": 1152 * 16000 // 44100,
    "call.m4a": 1024 * 16000 // 44100,
    "call.flac": 0,
    "call.ogg": 1024 * 16000 // 44100,
    "call.opus": 960 * 16000 // 48000,
    "call-44k-stereo.wav": 0,
    "call-extensible.wav": 0,
    "call-float.wav": 0,
    "call-with-video.mp4": 1024 * 16000 // 44100,
}


@pytest.mark.parametrize("file_name", FORMATS)
def test_every_format_becomes_16k_mono_s16_of_its_duration(
    sample: Callable[[str], Path], file_name: str
) -> None:
    with prepare_audio(sample(file_name), file_name) as prepared:
        assert prepared.converted
        (chunk,) = prepared.chunks()
        rate, channels, width, frames, pcm = wav_params(chunk.part)
    assert (rate, channels, width) == (16000, 1, 2)
    assert abs(frames - SECONDS * 16000) <= FORMATS[file_name]
    assert prepared.samples == frames
    assert abs(prepared.duration_ms - SECONDS * 1000) <= FORMATS[file_name] / 16 + 1
    # The bursts survive decoding, resampling and downmixing: loud at 0.1-0.7 s, quiet at 0.9-1.1 s.
    assert loudness(pcm, 0.1, 0.7) > 2000
    assert loudness(pcm, 0.9, 1.1) < 200


def test_a_ready_wav_is_not_decoded_and_chunks_read_the_original(sample: Callable[[str], Path]) -> None:
    path = sample("call-16k.wav")
    original = path.read_bytes()
    with prepare_audio(path, "calls/call-16k.wav", max_request_bytes=ONE_SECOND_REQUEST) as prepared:
        assert not prepared.converted
        chunks = list(prepared.chunks())
        bodies = [wav_params(chunk.part)[4] for chunk in chunks]
    assert b"".join(bodies) == original[WAV_HEADER_BYTES:]
    assert [chunk.part.name for chunk in chunks] == [f"call-16k.chunk00{i}.wav" for i in range(3)]


def test_the_fast_path_needs_no_pyav(sample: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(__import__("sys").modules, "av", None)
    with prepare_audio(sample("call-16k.wav"), "call-16k.wav") as prepared:
        assert prepared.samples == SECONDS * 16000


def test_without_pyav_other_audio_names_the_file_and_the_extra(
    sample: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(__import__("sys").modules, "av", None)
    with pytest.raises(MediaInputError, match=r"call\.mp3: .*pip install 'airflow-provider-hume\[media\]'"):
        prepare_audio(sample("call.mp3"), "call.mp3")


def test_chunks_are_balanced_whole_milliseconds_within_the_request_limit(
    sample: Callable[[str], Path], tmp_path: Path
) -> None:
    limit = ONE_SECOND_REQUEST + 7_000  # room for 1.2 s: ten seconds need 9 chunks of 1.12 s (and the rest)
    with prepare_audio(
        sample("long.mp3"), "long.mp3", max_request_bytes=limit, workdir=str(tmp_path)
    ) as prepared:
        chunks = list(prepared.chunks())
        params = [wav_params(chunk.part) for chunk in chunks]
        assert len(os.listdir(tmp_path)) == 1
    assert not os.listdir(tmp_path)  # the temporary PCM is gone on exit
    assert len(chunks) == prepared.chunk_count == 9
    assert [chunk.index for chunk in chunks] == list(range(9))
    assert all(chunk.part.size + REQUEST_OVERHEAD_BYTES <= limit for chunk in chunks)
    assert all(chunk.samples % 16 == 0 for chunk in chunks[:-1])
    assert [chunk.offset_ms for chunk in chunks] == [i * chunks[0].duration_ms for i in range(9)]
    # Consecutive, no gap and no overlap, covering every sample.
    assert [chunk.first_sample for chunk in chunks] == [sum(c.samples for c in chunks[:i]) for i in range(9)]
    assert sum(frames for *_, frames, _ in params) == prepared.samples == 160_000
    assert [p[3] for p in params] == [chunk.samples for chunk in chunks]


@pytest.mark.parametrize(
    ("total", "limit", "expected"),
    [
        (10 * 16000, MAX_REQUEST_BYTES, 10 * 16000),  # one chunk
        (32_000, ONE_SECOND_REQUEST, 16000),  # exactly two full chunks
        (32_001, ONE_SECOND_REQUEST, 10672),  # three balanced chunks, rounded up to whole ms
        (17, ONE_SECOND_REQUEST, 32),  # even a tiny file is in whole ms
    ],
)
def test_chunk_samples(total: int, limit: int, expected: int) -> None:
    assert chunk_samples(total, limit) == expected


def test_at_the_real_limit_a_request_holds_779_seconds() -> None:
    # (25,000,000 - 64 KiB - 44) / 32,000 bytes a second = 779.2 s: "a little over 13 minutes" less the margin
    largest = 779_200 * 16
    assert chunk_samples(largest, MAX_REQUEST_BYTES) == largest
    assert chunk_samples(largest + 16, MAX_REQUEST_BYTES) == largest // 2 + 16


def test_a_request_limit_without_room_for_audio_is_refused(sample: Callable[[str], Path]) -> None:
    with pytest.raises(
        ValueError, match=r"max_request_bytes must be an integer leaving room for 1 ms of audio \(>= 65612\)"
    ):
        prepare_audio(sample("call-16k.wav"), "call-16k.wav", max_request_bytes=REQUEST_OVERHEAD_BYTES)


def test_a_chunk_is_read_lazily_never_whole(tmp_path: Path) -> None:
    path = tmp_path / "ten-minutes.wav"
    size = 10 * 60 * 32000
    with path.open("wb") as out:  # a sparse 16 kHz mono WAV of silence
        out.write(b"RIFF" + struct.pack("<I", 36 + size) + b"WAVE")
        out.write(b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, 16000, 32000, 2, 16))
        out.write(b"data" + struct.pack("<I", size))
        out.truncate(WAV_HEADER_BYTES + size)
    with prepare_audio(path, path.name) as prepared:
        (chunk,) = prepared.chunks()
        tracemalloc.start()
        try:
            opened = chunk.part.open()  # nothing is read on open
            with opened as stream:
                total = 0
                while block := stream.read(64 * 1024):
                    assert len(block) <= 64 * 1024
                    total += len(block)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert total == chunk.part.size == WAV_HEADER_BYTES + size
    assert peak < 1024 * 1024


def test_an_opener_source_is_read_as_a_stream(sample: Callable[[str], Path]) -> None:
    class OneWay(io.RawIOBase):
        """A stream that cannot seek, like an S3 body."""

        def __init__(self, data: bytes) -> None:
            self.data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
            return self.data.readinto(buffer)

    opened: list[str] = []

    def opener(file_name: str) -> Callable[[], BinaryIO]:
        def open_() -> BinaryIO:
            opened.append(file_name)
            return io.BufferedReader(OneWay(sample(file_name).read_bytes()))

        return open_

    with prepare_audio(opener("call-16k.wav"), "s3://bucket/call-16k.wav") as ready:
        assert not ready.converted
        assert ready.samples == SECONDS * 16000
        (chunk,) = ready.chunks()
        assert wav_params(chunk.part)[4] == sample("call-16k.wav").read_bytes()[WAV_HEADER_BYTES:]
    with prepare_audio(opener("call.mp3"), "s3://bucket/call.mp3") as decoded:
        assert decoded.converted
        assert abs(decoded.samples - SECONDS * 16000) <= FORMATS["call.mp3"]
    assert opened == ["call-16k.wav", "call.mp3", "call.mp3"]  # a one-way stream is opened again to decode


def test_a_wav_with_an_unfinished_header_runs_to_the_end_of_the_file(tmp_path: Path) -> None:
    data = media_samples.wav(tmp_path / "a.wav", 1.0).read_bytes()
    unfinished = data[:40] + struct.pack("<I", 0xFFFFFFFF) + data[44:] + b"\x01"  # and an odd byte
    (tmp_path / "b.wav").write_bytes(unfinished)
    with prepare_audio(tmp_path / "b.wav", "b.wav") as prepared:
        assert not prepared.converted
        assert prepared.samples == 16000


def test_audio_shorter_than_the_video_is_not_truncated(tmp_path: Path) -> None:
    path = media_samples.mp4(tmp_path / "talk.mp4", 6.0, audio=True, audio_seconds=2.0)
    with prepare_audio(path, "talk.mp4") as prepared:
        assert abs(prepared.samples - 2 * 16000) <= FORMATS["call-with-video.mp4"]


def test_chunks_cannot_be_opened_after_close(sample: Callable[[str], Path]) -> None:
    with prepare_audio(sample("call.flac"), "call.flac") as prepared:
        (chunk,) = prepared.chunks()
    with pytest.raises(FileNotFoundError), chunk.part.open() as stream:
        stream.read()
