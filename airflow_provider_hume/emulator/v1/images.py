"""The checks every uploaded image passes before any is measured (hume-api-v1.md §6).

A JPEG (by its magic bytes, whatever type the part declares, else ``unsupported_media_type``), at most
2,000,000 bytes and 8,294,400 pixels by its SOF header (else ``image_too_large``), with a readable header
(else ``image_decode_failed``).
"""

from __future__ import annotations

from airflow_provider_hume.emulator.v1.errors import V1Error
from airflow_provider_hume.emulator.v1.jpeg import (
    MAX_IMAGE_BYTES,
    MAX_IMAGE_PIXELS,
    JpegHeader,
    JpegInvalid,
    is_jpeg,
    scan_jpeg,
)


def check_image(data: bytes, size: int, label: str) -> JpegHeader:
    """The header of the image ``label`` of ``size`` bytes (``data``: its first bytes, all when it fits)."""
    if not is_jpeg(data):
        raise V1Error("unsupported_media_type", f"{label} is not a JPEG: send JPEG images")
    if size > MAX_IMAGE_BYTES:
        raise V1Error("image_too_large", f"{label} is {size} bytes, over the limit of {MAX_IMAGE_BYTES}")
    try:
        header = scan_jpeg(data)
    except JpegInvalid as exc:
        raise V1Error("image_decode_failed", f"{label} cannot be decoded: {exc}") from None
    if header.pixels > MAX_IMAGE_PIXELS:
        raise V1Error(
            "image_too_large",
            f"{label} is {header.width}x{header.height} ({header.pixels} pixels), over the limit of "
            f"{MAX_IMAGE_PIXELS}",
        )
    return header
