"""Reading prepared chunks back in the tests."""

from __future__ import annotations

import array
import io
import wave

from airflow_provider_hume.client.v1.parts import MediaPart


def wav_params(part: MediaPart) -> tuple[int, int, int, int, bytes]:
    """``(rate, channels, sample width, frames, samples)`` of a WAV part, checking its size is announced."""
    with part.open() as stream:
        data = stream.read()
    assert len(data) == part.size
    with wave.open(io.BytesIO(data)) as reader:
        frames = reader.getnframes()
        return (
            reader.getframerate(),
            reader.getnchannels(),
            reader.getsampwidth(),
            frames,
            reader.readframes(frames),
        )


def loudness(pcm: bytes, start_s: float, end_s: float, rate: int = 16000) -> float:
    """Mean absolute amplitude of s16 mono ``pcm`` between two times."""
    samples = array.array("h", pcm[int(start_s * rate) * 2 : int(end_s * rate) * 2])
    return sum(abs(value) for value in samples) / max(1, len(samples))
