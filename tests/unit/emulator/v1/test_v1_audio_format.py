"""Audio sniffing and WAV parsing of uploads (hume-api-v1.md §5): 415 containers, refused WAVs, raw PCM."""

from __future__ import annotations

import io
import struct

import pytest

from airflow_provider_hume.emulator.v1.audio_format import PcmSpan, locate_pcm, unsupported_format
from airflow_provider_hume.emulator.v1.errors import V1Error
from tests.support.v1_media import tone, wav


def locate(data: bytes) -> PcmSpan:
    return locate_pcm(io.BytesIO(data), len(data))


def refusal(data: bytes) -> V1Error:
    with pytest.raises(V1Error) as raised:
        locate(data)
    return raised.value


@pytest.mark.parametrize(
    ("head", "name"),
    [
        (b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(20), "MP3"),
        (b"\xff\xfb\x90\x64" + bytes(20), "MP3"),
        (b"fLaC\x00\x00\x00\x22" + bytes(20), "FLAC"),
        (b"OggS\x00\x02" + bytes(20), "Ogg"),
        (b"\x00\x00\x00\x20ftypM4A " + bytes(20), "MP4/M4A"),
        (b"\x00\x00\x00\x18ftypisom" + bytes(20), "MP4/M4A"),
        (b"RIFF\x24\x00\x00\x00AVI LIST" + bytes(20), "RIFF 'AVI '"),
    ],
)
def test_other_containers_are_unsupported_media(head: bytes, name: str) -> None:
    assert unsupported_format(head) == name
    error = refusal(head)
    assert (error.code, error.status) == ("unsupported_media_type", 415)


def test_a_frame_sync_lookalike_with_a_reserved_layer_is_read_as_samples() -> None:
    data = b"\xff\xe0\x00\x00" + bytes(12)  # layer bits 00: not an MPEG audio frame
    assert unsupported_format(data) is None
    assert locate(data) == PcmSpan("raw", 0, 16)


def test_a_16k_mono_s16_wav_gives_its_data_chunk() -> None:
    pcm = tone(100)
    data = wav(pcm, extra_chunks=b"LIST" + struct.pack("<I", 3) + b"abc\x00")
    span = locate(data)
    assert span.container == "wav"
    assert data[span.offset : span.offset + span.size] == pcm
    assert span.duration_ms == 100


def test_anything_else_is_headerless_samples() -> None:
    pcm = tone(250)
    assert locate(pcm) == PcmSpan("raw", 0, len(pcm))


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (wav(tone(100), rate=44_100), "44100 Hz"),
        (wav(tone(100), channels=2), "2 channel"),
        (wav(tone(100), bits=24), "24-bit"),
        (wav(tone(100), format_tag=3, bits=32), "format 3"),
        (wav(tone(100), format_tag=0xFFFE), "extensible"),
        (wav(tone(100), data_size=10_000), "truncated"),
        (wav(tone(100))[:30], "fmt"),
        (b"RIFF\x04\x00\x00\x00WAVE", "no fmt chunk"),
        (wav(b""), "empty"),
        (b"", "empty"),
        (tone(100) + b"\x01", "odd number of bytes"),
        (wav(b"\x01\x02\x03", data_size=3), "odd number of bytes"),
    ],
)
def test_refused_audio_is_a_decode_failure(data: bytes, words: str) -> None:
    error = refusal(data)
    assert (error.code, error.status) == ("audio_decode_failed", 400)
    assert words in error.message
