"""Small media made in tests."""

from __future__ import annotations

import io
import wave


def wav_bytes(seconds: float, rate: int = 8000, sample: bytes = b"\x00\x00") -> bytes:
    """A mono 16-bit WAV of ``seconds`` repeating one ``sample`` (silence by default)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(sample * int(seconds * rate))
    return buffer.getvalue()
