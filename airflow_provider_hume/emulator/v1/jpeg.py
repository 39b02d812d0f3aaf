"""JPEG checks without decoding (hume-api-v1.md §6): the magic bytes, the SOF header's size, COM segments.

:func:`scan_jpeg` walks the marker segments up to the first scan. It needs only the header, so a 2 MB image
costs a few hundred bytes of reading; decoding the rest is :mod:`.faces`' job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

MAGIC: Final = b"\xff\xd8\xff"
MAX_IMAGE_BYTES: Final = 2_000_000
MAX_IMAGE_PIXELS: Final = 8_294_400
#: Start-of-frame markers: every SOFn except DHT (C4), JPG (C8) and DAC (CC).
_SOF: Final = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
_STANDALONE: Final = frozenset({0x01, *range(0xD0, 0xD8)})
_SOS: Final = 0xDA
_COM: Final = 0xFE


class JpegInvalid(ValueError):
    """The bytes start like a JPEG but its header cannot be read."""


@dataclass(frozen=True)
class JpegHeader:
    """What the header says: the stored size in pixels, and the text of its comment segments."""

    width: int
    height: int
    comments: tuple[bytes, ...] = field(default=())

    @property
    def pixels(self) -> int:
        return self.width * self.height


def is_jpeg(data: bytes) -> bool:
    """Whether ``data`` starts with the JPEG magic bytes (SOI and a marker)."""
    return data.startswith(MAGIC)


def scan_jpeg(data: bytes) -> JpegHeader:
    """The header of the JPEG ``data``; :class:`JpegInvalid` if it has no readable SOF before the scan."""
    if not is_jpeg(data):
        raise JpegInvalid("not a JPEG")
    size: tuple[int, int] | None = None
    comments: list[bytes] = []
    offset = 2
    while offset < len(data):
        if data[offset] != 0xFF:
            raise JpegInvalid(f"no marker at byte {offset}")
        while offset < len(data) and data[offset] == 0xFF:
            offset += 1
        if offset >= len(data):
            break
        marker = data[offset]
        offset += 1
        if marker in _STANDALONE:
            continue
        if marker == 0xD9 or offset + 2 > len(data):
            break
        length = int.from_bytes(data[offset : offset + 2], "big")
        if length < 2 or offset + length > len(data):
            raise JpegInvalid(f"segment 0x{marker:02X} runs past the end of the data")
        segment = data[offset + 2 : offset + length]
        if marker in _SOF:
            if len(segment) < 5:
                raise JpegInvalid("the SOF segment is too short")
            size = int.from_bytes(segment[3:5], "big"), int.from_bytes(segment[1:3], "big")
        elif marker == _COM:
            comments.append(segment)
        elif marker == _SOS:
            break
        offset += length
    if size is None or 0 in size:
        raise JpegInvalid("no frame header (SOF) with a size")
    return JpegHeader(size[0], size[1], tuple(comments))
