"""Media probing (hume-api.md §8): the type by magic bytes, then by extension; then duration or size.

Probing reads a file on disk: the first bytes for the type, mutagen for audio durations (it reads container
headers, not samples) and Pillow for image sizes (``Image.open`` reads only the header). Nothing here loads a
whole media file into memory; facemesh landmark files are parsed only up to a size cap.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

import mutagen
from PIL import Image, UnidentifiedImageError

MediaKind = Literal["audio", "image", "text", "facemesh", "archive", "unsupported"]

HEADER_BYTES: Final = 512
FACEMESH_MAX_BYTES: Final = 16 * 1024 * 1024
LANDMARKS_PER_FACE: Final = 478

_MAGIC: Final[tuple[tuple[int, bytes, MediaKind, str], ...]] = (
    (0, b"\x89PNG\r\n\x1a\n", "image", "image/png"),
    (0, b"\xff\xd8\xff", "image", "image/jpeg"),
    (0, b"ID3", "audio", "audio/mpeg"),
    (0, b"OggS", "audio", "audio/ogg"),
    (0, b"fLaC", "audio", "audio/flac"),
    (0, b"PK\x03\x04", "archive", "application/zip"),
    (0, b"\x1f\x8b", "archive", "application/gzip"),
    (0, b"BZh", "archive", "application/x-bzip2"),
    (0, b"\xfd7zXZ\x00", "archive", "application/x-xz"),
    (257, b"ustar", "archive", "application/x-tar"),
)

_EXTENSIONS: Final[dict[str, tuple[MediaKind, str]]] = {
    ".wav": ("audio", "audio/wav"),
    ".mp3": ("audio", "audio/mpeg"),
    ".m4a": ("audio", "audio/mp4"),
    ".mp4": ("audio", "video/mp4"),
    ".ogg": ("audio", "audio/ogg"),
    ".flac": ("audio", "audio/flac"),
    ".png": ("image", "image/png"),
    ".jpg": ("image", "image/jpeg"),
    ".jpeg": ("image", "image/jpeg"),
    ".txt": ("text", "text/plain"),
    ".json": ("facemesh", "application/json"),
    ".zip": ("archive", "application/zip"),
    ".tar": ("archive", "application/x-tar"),
    ".tgz": ("archive", "application/gzip"),
    ".gz": ("archive", "application/gzip"),
    ".bz2": ("archive", "application/x-bzip2"),
    ".xz": ("archive", "application/x-xz"),
}


@dataclass(frozen=True)
class MediaInfo:
    """What predictions need to know about one file."""

    kind: MediaKind
    content_type: str
    duration: float | None = None
    width: int | None = None
    height: int | None = None
    faces: int | None = None
    problem: str | None = None


def sniff(header: bytes, filename: str) -> tuple[MediaKind, str]:
    """Guess kind and content type from the first bytes, falling back to the file extension."""
    for offset, magic, kind, content_type in _MAGIC:
        if header[offset : offset + len(magic)] == magic:
            return kind, content_type
    if header[:4] == b"RIFF" and header[8:12] == b"WAVE":
        return "audio", "audio/wav"
    if header[4:8] == b"ftyp":
        return "audio", "audio/mp4" if header[8:11] == b"M4A" else "video/mp4"
    if len(header) > 1 and header[0] == 0xFF and header[1] & 0xE0 == 0xE0:
        return "audio", "audio/mpeg"
    suffix = Path(filename).suffix.lower()
    return _EXTENSIONS.get(suffix, ("unsupported", "application/octet-stream"))


def probe(path: Path, filename: str) -> MediaInfo:
    """Probe the file at ``path``; ``filename`` supplies the extension used when magic bytes are unknown."""
    with path.open("rb") as handle:
        header = handle.read(HEADER_BYTES)
    kind, content_type = sniff(header, filename)
    if kind == "audio":
        return _probe_audio(path, content_type)
    if kind == "image":
        return _probe_image(path, content_type)
    if kind == "facemesh":
        return _probe_facemesh(path, content_type)
    if kind == "unsupported":
        return MediaInfo(kind, content_type, problem="unsupported file type")
    return MediaInfo(kind, content_type)


def _probe_audio(path: Path, content_type: str) -> MediaInfo:
    try:
        audio = mutagen.File(path)
    except mutagen.MutagenError:
        audio = None
    length = getattr(getattr(audio, "info", None), "length", None)
    if not isinstance(length, (int, float)):
        return MediaInfo("unsupported", content_type, problem="could not read audio")
    return MediaInfo("audio", content_type, duration=float(length))


def _probe_image(path: Path, content_type: str) -> MediaInfo:
    try:
        with Image.open(path) as image:
            width, height = image.size
            image_format = image.format
    except (UnidentifiedImageError, OSError):
        return MediaInfo("unsupported", content_type, problem="could not read image")
    if image_format not in ("PNG", "JPEG"):
        return MediaInfo("unsupported", content_type, problem="unsupported image format")
    return MediaInfo("image", content_type, width=width, height=height)


def _probe_facemesh(path: Path, content_type: str) -> MediaInfo:
    invalid = MediaInfo("unsupported", content_type, problem="invalid facemesh landmarks")
    if path.stat().st_size > FACEMESH_MAX_BYTES:
        return invalid
    try:
        with path.open("rb") as handle:
            faces = json.load(handle)
    except (ValueError, UnicodeDecodeError):
        return invalid
    if not isinstance(faces, list) or not all(_is_face(face) for face in faces):
        return invalid
    return MediaInfo("facemesh", content_type, faces=len(faces))


def _is_face(face: object) -> bool:
    return (
        isinstance(face, list)
        and len(face) == LANDMARKS_PER_FACE
        and all(isinstance(point, list) and len(point) == 3 for point in face)
    )
