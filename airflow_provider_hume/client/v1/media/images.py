"""Images made ready for ``POST /v1/expression/video/file``: JPEGs within 2 MB and 8,294,400 pixels.

Hume takes JPEG parts only, each at most :data:`MAX_IMAGE_BYTES` and :data:`MAX_IMAGE_PIXELS`, and refuses the
whole request for one bad image (hume-api-v1.md §4.1, §6). :func:`prepare_image` checks a file before any
request: a JPEG within the limits is sent untouched, streamed from its file (its size is read from the SOF
marker by :func:`jpeg_size`, nothing is decoded); a JPEG over a limit is downscaled (Pillow: aspect kept,
quality stepped down until it fits) or refused, as the caller chose; any other image Pillow reads (PNG, WebP,
GIF's first frame...) is converted to a JPEG, or refused. A re-encoded image is at most 2 MB and kept in
memory. Hume does not apply EXIF orientation and neither does this module, so face boxes are in the pixels
sent, which for a downscaled image are the smaller ones.
"""

from __future__ import annotations

import io
import math
import os
import shutil
import struct
import tempfile
from functools import partial
from typing import TYPE_CHECKING, Any, BinaryIO

from airflow_provider_hume.client.v1.limits import MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS
from airflow_provider_hume.client.v1.media._deps import require_pillow
from airflow_provider_hume.client.v1.media.errors import MediaInputError
from airflow_provider_hume.client.v1.media.sources import (
    Oversize,
    Source,
    base_name,
    check_oversize,
    local_path,
    open_source,
    stem,
)
from airflow_provider_hume.client.v1.parts import IMAGE_JPEG, MediaPart

if TYPE_CHECKING:
    from PIL.Image import Image

JPEG_MAGIC = b"\xff\xd8\xff"
JPEG_QUALITIES = (90, 80, 70, 60, 50, 40)
"""Qualities tried in turn when re-encoding, until the image fits in :data:`MAX_IMAGE_BYTES`."""
_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}  # DHT, JPG and DAC share the range
_STANDALONE = frozenset((0x01, *range(0xD0, 0xD8)))
_SHRINK = 0.8  # scale applied again when even the lowest quality is too big
_COUNT_BLOCK = 256 * 1024
_SPOOL_IN_MEMORY = 8 * 1024 * 1024


def jpeg_size(stream: BinaryIO) -> tuple[int, int]:
    """``(width, height)`` of the JPEG ``stream`` starts with, read from its SOF marker (nothing decoded).

    Raises :class:`ValueError` when the stream is not a JPEG or ends before a frame header.
    """
    if stream.read(2) != b"\xff\xd8":
        raise ValueError("not a JPEG (no SOI marker)")
    while True:
        byte = stream.read(1)
        if byte != b"\xff":
            raise ValueError(
                "not a valid JPEG (expected a marker)" if byte else "JPEG ends before its frame header"
            )
        marker = stream.read(1)
        while marker == b"\xff":  # fill bytes
            marker = stream.read(1)
        if not marker:
            raise ValueError("JPEG ends before its frame header")
        code = marker[0]
        if code in _STANDALONE:
            continue
        if code in (0xD9, 0xDA):
            raise ValueError("JPEG has no frame header before its image data")
        length_bytes = stream.read(2)
        if len(length_bytes) != 2 or (length := struct.unpack(">H", length_bytes)[0]) < 2:
            raise ValueError("JPEG ends inside a marker segment")
        if code in _SOF_MARKERS:
            header = stream.read(5)
            if len(header) != 5:
                raise ValueError("JPEG ends inside its frame header")
            height, width = struct.unpack(">HH", header[1:])
            if not width or not height:
                raise ValueError(f"JPEG frame header gives a size of {width}x{height}")
            return width, height
        _skip(stream, length - 2)


def _skip(stream: BinaryIO, size: int) -> None:
    if stream.seekable():
        stream.seek(size, io.SEEK_CUR)
        return
    while size > 0:
        block = stream.read(min(size, _COUNT_BLOCK))
        if not block:
            return
        size -= len(block)


def prepare_image(
    source: Source, name: str, *, oversize: Oversize = "downscale", convert_non_jpeg: bool = True
) -> MediaPart:
    """A JPEG part for ``source`` (a local path or an opener) within Hume's image limits.

    ``oversize="downscale"`` re-encodes a JPEG over 2 MB or 8,294,400 px smaller, ``"reject"`` refuses it;
    ``convert_non_jpeg`` converts other images to JPEG instead of refusing them. Raises
    :class:`MediaInputError`, naming the file, for a missing or unreadable file, a file that is no image,
    an image refused by those two options, and when Pillow is needed but not installed.
    """
    oversize = check_oversize(oversize)
    with open_source(source, name) as stream:
        head = stream.read(len(JPEG_MAGIC))
        if head == JPEG_MAGIC:
            try:
                width, height = jpeg_size(_prefixed(head, stream))
            except ValueError as error:
                raise MediaInputError(name, f"is not a readable JPEG: {error}") from error
            size = _size(source, stream, name)
            if size <= MAX_IMAGE_BYTES and width * height <= MAX_IMAGE_PIXELS:
                return MediaPart(base_name(name), size, IMAGE_JPEG, partial(open_source, source, name))
            if oversize == "reject":
                raise MediaInputError(name, _over_limits(size, width, height))
        elif not convert_non_jpeg:
            raise MediaInputError(
                name,
                "is not a JPEG, and Hume takes JPEG images only (hume-api-v1.md §6); convert it to JPEG "
                "or let it be converted (convert_non_jpeg=True)",
            )
    return _reencoded(source, name)


def _prefixed(head: bytes, stream: BinaryIO) -> BinaryIO:
    """``stream`` from its start: rewound when it can seek, else with ``head`` put back in front."""
    if stream.seekable():
        stream.seek(0)
        return stream
    return io.BufferedReader(_Chain(head, stream))


class _Chain(io.RawIOBase):
    """``head`` then the rest of ``stream``: the bytes already read from a stream that cannot rewind."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        super().__init__()
        self._head = head
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._head:
            count = min(len(view), len(self._head))
            view[:count] = self._head[:count]
            self._head = self._head[count:]
            return count
        data = self._stream.read(len(view))
        view[: len(data)] = data
        return len(data)


def _size(source: Source, stream: BinaryIO, name: str) -> int:
    """The file's size in bytes: from the file system, the stream's end, or a fresh stream read through."""
    path = local_path(source)
    if path is not None:
        return os.path.getsize(path)
    if stream.seekable():
        return stream.seek(0, io.SEEK_END)
    total = 0
    with open_source(source, name) as fresh:
        while block := fresh.read(_COUNT_BLOCK):
            total += len(block)
    return total


def _over_limits(size: int, width: int, height: int) -> str:
    return (
        f"is {size:,} bytes and {width}x{height} = {width * height:,} pixels, over Hume's limits of "
        f"{MAX_IMAGE_BYTES:,} bytes and {MAX_IMAGE_PIXELS:,} pixels per image (hume-api-v1.md §6); "
        "downscale it, or let it be downscaled (oversize='downscale')"
    )


def _reencoded(source: Source, name: str) -> MediaPart:
    """``source`` decoded with Pillow and saved as a JPEG within both limits, in memory."""
    require_pillow(name, "converting or downscaling an image")
    from PIL import Image, UnidentifiedImageError

    with open_source(source, name) as opened, _seekable(opened) as stream:
        try:
            with Image.open(stream) as image:
                image.draft("RGB", fit_within(image.width, image.height))
                data = encode_jpeg(_rgb(image), name)
        except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as error:
            raise MediaInputError(name, f"cannot be read as an image (Pillow: {error})") from error
    return MediaPart(f"{stem(name)}.jpg", len(data), IMAGE_JPEG, partial(io.BytesIO, data))


def _seekable(stream: BinaryIO) -> BinaryIO:
    """``stream`` if it can seek (Pillow needs to), else its bytes spooled (to disk past 8 MiB)."""
    if stream.seekable():
        return stream
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115 - the caller closes it
    shutil.copyfileobj(stream, spool, _COUNT_BLOCK)
    spool.seek(0)
    return spool  # type: ignore[return-value]


def fit_within(width: int, height: int, max_pixels: int = MAX_IMAGE_PIXELS) -> tuple[int, int]:
    """The largest size with ``width:height``'s aspect (rounded down) holding at most ``max_pixels``."""
    if width * height <= max_pixels:
        return width, height
    scale = math.sqrt(max_pixels / (width * height))
    return max(1, math.floor(width * scale)), max(1, math.floor(height * scale))


def _rgb(image: Image) -> Image:
    """``image`` in a mode JPEG holds: transparency flattened onto white, palettes and 16-bit expanded."""
    if image.mode in ("RGB", "L"):
        return image
    if image.mode in ("RGBA", "LA", "P", "PA") or "transparency" in image.info:
        from PIL import Image as PILImage

        rgba = image.convert("RGBA")
        flat = PILImage.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


def encode_jpeg(image: Image, name: str) -> bytes:
    """``image`` (RGB or L) as a JPEG within :data:`MAX_IMAGE_PIXELS` and :data:`MAX_IMAGE_BYTES`.

    The image is resized (aspect kept) to fit the pixel limit, then saved at each of :data:`JPEG_QUALITIES`
    in turn; when even the lowest is too big, it is shrunk again and the qualities tried anew.
    """
    from PIL import Image as PILImage

    size = fit_within(image.width, image.height)
    while True:
        if size != image.size:
            image = image.resize(size, PILImage.Resampling.LANCZOS)
        for quality in JPEG_QUALITIES:
            buffer = io.BytesIO()
            image.save(buffer, format="JPEG", quality=quality)
            if buffer.tell() <= MAX_IMAGE_BYTES:
                return buffer.getvalue()
        if min(size) <= 1:
            raise MediaInputError(name, f"cannot be encoded as a JPEG of at most {MAX_IMAGE_BYTES:,} bytes")
        size = (max(1, int(size[0] * _SHRINK)), max(1, int(size[1] * _SHRINK)))
