"""Media probing (hume-api-v0.md §8): the type by magic bytes, then by extension; then duration or size.

Probing reads a file on disk: the first bytes for the type, mutagen for audio durations (WAV, MP3, MP4/M4A,
OGG, FLAC: it reads container headers, not samples), :mod:`mp4` for the video track of an MP4 (picture size,
frame count and rate) and Pillow for image sizes (``Image.open`` reads only the header). An MP4 with a video
track is ``video`` (its sound track, if any, feeds the audio models); without one it is ``audio``. Nothing
here loads a whole media file into memory; facemesh landmark files are parsed only up to a size cap.
Audio and video longer than the limit (one hour, :mod:`limits`) get a ``problem``.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

import mutagen
from PIL import Image, UnidentifiedImageError

from airflow_provider_hume.emulator.media import limits
from airflow_provider_hume.emulator.media.mp4 import Mp4Error, read_tracks

MediaKind = Literal["audio", "video", "image", "text", "facemesh", "archive", "unsupported"]

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
    ".mp4": ("video", "video/mp4"),
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
    """What predictions need to know about one file.

    ``duration`` is the length in seconds of audio or video; ``has_audio`` says whether the audio models
    have sound to work on; ``frame_count``/``frame_rate`` describe a video track.
    """

    kind: MediaKind
    content_type: str
    duration: float | None = None
    width: int | None = None
    height: int | None = None
    faces: int | None = None
    problem: str | None = None
    has_audio: bool = False
    frame_count: int | None = None
    frame_rate: float | None = None


def sniff(header: bytes, filename: str) -> tuple[MediaKind, str]:
    """Guess kind and content type from the first bytes, falling back to the file extension."""
    for offset, magic, kind, content_type in _MAGIC:
        if header[offset : offset + len(magic)] == magic:
            return kind, content_type
    if header[:4] == b"RIFF" and header[8:12] == b"WAVE":
        return "audio", "audio/wav"
    if header[4:8] == b"ftyp":
        return ("audio", "audio/mp4") if header[8:11] == b"M4A" else ("video", "video/mp4")
    if len(header) > 1 and header[0] == 0xFF and header[1] & 0xE0 == 0xE0:
        return "audio", "audio/mpeg"
    suffix = Path(filename).suffix.lower()
    return _EXTENSIONS.get(suffix, ("unsupported", "application/octet-stream"))


def probe(path: Path, filename: str) -> MediaInfo:
    """Probe the file at ``path``; ``filename`` supplies the extension used when magic bytes are unknown."""
    with path.open("rb") as handle:
        header = handle.read(HEADER_BYTES)
    kind, content_type = sniff(header, filename)
    if content_type in ("video/mp4", "audio/mp4"):
        info = _probe_mp4(path, content_type)
    elif kind == "audio":
        info = _probe_audio(path, content_type)
    elif kind == "image":
        info = _probe_image(path, content_type)
    elif kind == "facemesh":
        info = _probe_facemesh(path, content_type)
    elif kind == "unsupported":
        info = MediaInfo(kind, content_type, problem="unsupported file type")
    else:
        info = MediaInfo(kind, content_type)
    return _within_duration_limit(info)


def _audio_length(path: Path) -> float | None:
    try:
        audio = mutagen.File(path)
    except mutagen.MutagenError:
        return None
    length = getattr(getattr(audio, "info", None), "length", None)
    return float(length) if isinstance(length, (int, float)) else None


def _probe_audio(path: Path, content_type: str) -> MediaInfo:
    length = _audio_length(path)
    if length is None:
        return MediaInfo("unsupported", content_type, problem="could not read audio")
    return MediaInfo("audio", content_type, duration=length, has_audio=True)


def _probe_mp4(path: Path, content_type: str) -> MediaInfo:
    try:
        with path.open("rb") as handle:
            tracks = read_tracks(handle)
    except (Mp4Error, struct.error):
        return MediaInfo("unsupported", content_type, problem="could not read mp4")
    video = next((track for track in tracks if track.handler == "vide" and track.samples), None)
    has_audio = any(track.handler == "soun" for track in tracks)
    audio_length = _audio_length(path) if has_audio else None
    if video is None:
        if audio_length is None:
            return MediaInfo("unsupported", content_type, problem="no audio or video track")
        return MediaInfo("audio", content_type, duration=audio_length, has_audio=True)
    return MediaInfo(
        "video",
        content_type,
        duration=max(video.duration, audio_length or 0.0),
        width=video.width,
        height=video.height,
        has_audio=audio_length is not None,
        frame_count=video.samples,
        frame_rate=video.frame_rate,
    )


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


def _within_duration_limit(info: MediaInfo) -> MediaInfo:
    if info.duration is None or info.duration <= limits.MAX_MEDIA_SECONDS:
        return info
    seconds = limits.MAX_MEDIA_SECONDS
    hours = seconds / 3600
    limit = f"{hours:g} hour{'s' * (hours != 1)}" if hours.is_integer() else f"{seconds:g} s"
    problem = f"{info.kind} is longer than the {limit} limit ({info.duration:.1f} s)"
    return MediaInfo(info.kind, info.content_type, duration=info.duration, problem=problem)
