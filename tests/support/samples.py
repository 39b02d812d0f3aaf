"""Small synthetic media files (a WAV tone, PNG/JPEG images) to feed the emulator in tests."""

from __future__ import annotations

import io
import math
import struct
import wave

from PIL import Image, ImageDraw


def wav_bytes(seconds: float, *, rate: int = 16000, frequency: float = 440.0) -> bytes:
    """A mono 16-bit sine tone of ``seconds``."""
    frames = round(seconds * rate)
    samples = (round(12000 * math.sin(2 * math.pi * frequency * index / rate)) for index in range(frames))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(b"".join(struct.pack("<h", sample) for sample in samples))
    return buffer.getvalue()


def image_bytes(width: int, height: int, *, image_format: str = "PNG", seed: int = 0) -> bytes:
    """A ``width`` x ``height`` image with a simple face-like drawing; ``seed`` varies its colours."""
    image = Image.new("RGB", (width, height), ((60 + 37 * seed) % 256, 120, (200 - 23 * seed) % 256))
    draw = ImageDraw.Draw(image)
    left, top, right, bottom = width // 3, height // 4, 2 * width // 3, 3 * height // 4
    draw.ellipse((left, top, right, bottom), fill=(230, 190, 160))
    buffer = io.BytesIO()
    image.save(buffer, format=image_format)
    return buffer.getvalue()
