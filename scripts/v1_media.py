"""Call recordings for the ``v1`` demo, written at demo time with PyAV (the ``media`` extra) and ``wave``.

The sound is speech-like for the emulator's energy-based voice activity detection: a tone of three harmonics
at one of three pitches, in phrases of 1 to 3 s separated by pauses, each recording with its own rhythm.
Formats are what a call centre has: MP3 (mono), M4A/AAC (stereo), WAV at 44.1 kHz stereo, and one longer call.
"""

from __future__ import annotations

import math
import struct
import wave
from fractions import Fraction
from pathlib import Path

RATE = 44100
FRAME_SAMPLES = 1024


def _period(samples: int, channels: int) -> bytes:
    """One period of a voice-like tone (three harmonics), s16 interleaved."""
    out = bytearray()
    for n in range(samples):
        phase = 2 * math.pi * n / samples
        value = 0.3 * (math.sin(phase) + math.sin(2 * phase) / 2 + math.sin(3 * phase) / 3)
        out += struct.pack("<h", int(value * 32767)) * channels
    return bytes(out)


def _pcm(seconds: float, seed: int, channels: int) -> bytes:
    """Phrases of 1 to 3 s at one of three pitches between pauses, ``seconds`` long (s16 interleaved)."""
    width = 2 * channels
    periods = {samples: _period(samples, channels) for samples in (300, 340, 400)}
    out = bytearray()
    phrase = 0
    while len(out) < seconds * RATE * width:
        period = periods[(300, 340, 400)[(seed + phrase) % 3]]
        speak = int(RATE * (1.0 + ((seed * 7 + phrase * 3) % 5) * 0.5)) * width
        pause = int(RATE * (0.3 + ((seed + phrase) % 4) * 0.25)) * width
        out += (period * (speak // len(period) + 1))[:speak] + bytes(pause)
        phrase += 1
    return bytes(out[: int(seconds * RATE) * width])


def write_wav(path: Path, seconds: float, seed: int, *, channels: int = 2) -> Path:
    """A WAV at 44.1 kHz, 16-bit, ``channels`` channels."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(_pcm(seconds, seed, channels))
    return path


def write_encoded(path: Path, seconds: float, seed: int, *, codec: str, channels: int) -> Path:
    """An MP3 (``codec="mp3"``) or M4A (``codec="aac"``) at 44.1 kHz, encoded with PyAV."""
    import av

    pcm = _pcm(seconds, seed, channels)
    layout = "stereo" if channels == 2 else "mono"
    width = 2 * channels
    with av.open(str(path), "w") as output:
        stream = output.add_stream(codec, rate=RATE, layout=layout)
        for start in range(0, len(pcm), FRAME_SAMPLES * width):
            block = pcm[start : start + FRAME_SAMPLES * width]
            frame = av.AudioFrame(format="s16", layout=layout, samples=len(block) // width)
            frame.planes[0].update(block + bytes(frame.planes[0].buffer_size - len(block)))
            frame.sample_rate = RATE
            frame.pts = start // width
            frame.time_base = Fraction(1, RATE)
            output.mux(stream.encode(frame))
        output.mux(stream.encode(None))
    return path


def write_recordings(folder: Path, *, long_seconds: float = 40.0) -> list[Path]:
    """The demo's day of calls in ``folder``: three short calls in three formats and one longer call."""
    folder.mkdir(parents=True, exist_ok=True)
    return [
        write_encoded(folder / "support-call-0915.mp3", 9.0, 1, codec="mp3", channels=1),
        write_encoded(folder / "sales-call-1040.m4a", 11.0, 2, codec="aac", channels=2),
        write_wav(folder / "billing-call-1322.wav", 8.0, 3, channels=2),
        write_encoded(folder / "escalation-call-1610.mp3", long_seconds, 4, codec="mp3", channels=1),
    ]
