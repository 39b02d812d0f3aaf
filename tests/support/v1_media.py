"""Media for ``v1`` tests, made in code: 16 kHz mono s16 PCM with tone and silence stretches, WAV headers of
any format, other containers' magic bytes, and JPEGs (Pillow) whose faces the emulator reads from a comment.
"""

from __future__ import annotations

import io
import json
import math
import struct
from collections.abc import Sequence

from PIL import Image

RATE = 16_000
#: The comment prefix that tells the emulator which faces a JPEG shows (``emulator.v1.faces``).
FACES_COMMENT = b"hume-emulator-faces:"


def tone(ms: int, *, frequency: float = 220.0, amplitude: float = 0.4, start_sample: int = 0) -> bytes:
    """``ms`` of a sine tone as s16le samples."""
    count = ms * RATE // 1000
    scale = amplitude * 32767
    return struct.pack(
        f"<{count}h",
        *(round(scale * math.sin(2 * math.pi * frequency * (start_sample + i) / RATE)) for i in range(count)),
    )


def silence(ms: int) -> bytes:
    """``ms`` of digital silence as s16le samples."""
    return bytes(2 * (ms * RATE // 1000))


def speech_pcm(stretches: Sequence[tuple[str, int]]) -> bytes:
    """Concatenated ``("tone"|"silence", ms)`` stretches."""
    return b"".join(tone(ms) if kind == "tone" else silence(ms) for kind, ms in stretches)


def wav(
    pcm: bytes,
    *,
    rate: int = RATE,
    channels: int = 1,
    bits: int = 16,
    format_tag: int = 1,
    data_size: int | None = None,
    extra_chunks: bytes = b"",
) -> bytes:
    """A RIFF/WAVE file around ``pcm``; every header field may lie (``data_size`` for truncated files)."""
    block = channels * bits // 8
    fmt = struct.pack("<HHIIHH", format_tag, channels, rate, rate * block, block, bits)
    if format_tag == 0xFFFE:
        fmt += struct.pack(
            "<HHI16s", 22, bits, 0x4, b"\x01\x00\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
        )
    size = len(pcm) if data_size is None else data_size
    body = (
        b"WAVE"
        + b"fmt "
        + struct.pack("<I", len(fmt))
        + fmt
        + extra_chunks
        + b"data"
        + struct.pack("<I", size)
        + pcm
    )
    return b"RIFF" + struct.pack("<I", len(body)) + body


def documented_flow_pcm() -> bytes:
    """hume-api-v1.md §7.1's example: silence, then speech from 98 ms to the end at 26,000 ms."""
    return silence(98) + tone(26_000 - 98)


def jpeg(
    width: int = 640,
    height: int = 480,
    *,
    faces: Sequence[tuple[float, float, float, float, float]] | None = None,
    color: tuple[int, int, int] = (120, 90, 70),
    quality: int = 85,
) -> bytes:
    """A plain JPEG; with ``faces`` (``(x0, y0, x1, y1, confidence)``) the emulator detects exactly those."""
    image = Image.new("RGB", (width, height), color)
    buffer = io.BytesIO()
    comment = None if faces is None else FACES_COMMENT + json.dumps([list(face) for face in faces]).encode()
    if comment is None:
        image.save(buffer, "JPEG", quality=quality)
    else:
        image.save(buffer, "JPEG", quality=quality, comment=comment)
    return buffer.getvalue()


def noisy_jpeg(width: int, height: int, *, quality: int = 95) -> bytes:
    """A JPEG of noise: large for its size (to go over the 2 MB limit)."""
    image = Image.effect_noise((width, height), 120).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def jpeg_header_only(width: int, height: int) -> bytes:
    """SOI, a baseline SOF0 header declaring ``width`` x ``height``, and EOI: enough for the pixel check."""
    sof = struct.pack(">BHHB", 8, height, width, 3) + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    return b"\xff\xd8" + b"\xff\xc0" + struct.pack(">H", len(sof) + 2) + sof + b"\xff\xd9"
