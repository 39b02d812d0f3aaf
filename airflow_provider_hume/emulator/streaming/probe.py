"""Facts about one payload's media, read from memory, and the streaming limits (hume-api-v0.md §4.7, §8).

Audio durations come from the container header (mutagen), image sizes from the image header (Pillow), and
both limits are checked before anything is decoded further. Silence is judged on WAV samples only: a WAV
whose peak stays below 1/128 of full scale (about -42 dBFS) is silent; other containers count as sound.
"""

from __future__ import annotations

import hashlib
import io
import json
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

import mutagen
from PIL import Image

from airflow_provider_hume.emulator.streaming.messages import (
    AUDIO_TOO_LONG,
    IMAGE_TOO_LARGE,
    NO_AUDIO,
    TEXT_TOO_LONG,
    TOO_MANY_FACEMESHES,
    UNREADABLE_MEDIA,
    VIDEO_TOO_LONG,
    StreamError,
    model_mismatch,
)

MediaType = Literal["audio", "video", "image", "text", "facemesh"]

MAX_MEDIA_MS: Final = 5000.0
MAX_IMAGE_SIDE: Final = 3000
MAX_TEXT_CHARS: Final = 10_000
MAX_FACEMESHES: Final = 100
LANDMARKS_PER_FACE: Final = 478
#: Most significant bytes of samples within +-1/128 of full scale (signed PCM), and of 8-bit unsigned PCM.
_QUIET_HIGH_BYTES: Final = frozenset((0x00, 0xFF))
_QUIET_UNSIGNED_BYTES: Final = frozenset((0x7F, 0x80))
_NO_AUDIO_TEXT: Final = "No audio signal could be inferred from the media provided."


@dataclass(frozen=True)
class StreamMedia:
    """What predictions need to know about a payload's ``data``; ``digest`` seeds every score."""

    kind: MediaType
    digest: str
    text: str = ""
    duration_ms: float = 0.0
    silent: bool = False
    width: int = 0
    height: int = 0
    blank: bool = False
    faces: int = 0


def probe_text(text: str) -> StreamMedia:
    """Text, at most :data:`MAX_TEXT_CHARS` characters (E0206)."""
    if len(text) > MAX_TEXT_CHARS:
        raise StreamError(
            TEXT_TOO_LONG,
            f"Text is too long ({len(text)} characters). The limit is {MAX_TEXT_CHARS} characters.",
        )
    return StreamMedia("text", _digest(text.encode("utf-8", "surrogatepass")), text=text)


def probe_audio(content: bytes, kind: MediaType, models: Sequence[str]) -> StreamMedia:
    """Audio or a video's sound track, for the audio ``models``.

    E0202 without a readable signal, but E0102 for a video without a sound track (as Hume documents);
    E0203/E0204 when longer than :data:`MAX_MEDIA_MS`.
    """
    try:
        info = getattr(mutagen.File(io.BytesIO(content)), "info", None)
    except mutagen.MutagenError:
        raise StreamError(NO_AUDIO, _NO_AUDIO_TEXT) from None
    if kind == "video" and info is not None and not getattr(info, "sample_rate", 1):
        raise model_mismatch(models[0], kind)  # mutagen reads an MP4 without sound track as rate 0
    length = getattr(info, "length", None)
    if not isinstance(length, (int, float)) or length <= 0 or not getattr(info, "sample_rate", 1):
        raise StreamError(NO_AUDIO, _NO_AUDIO_TEXT)
    duration_ms = float(length) * 1000
    if duration_ms > MAX_MEDIA_MS:
        code, noun = (VIDEO_TOO_LONG, "Video") if kind == "video" else (AUDIO_TOO_LONG, "Audio")
        raise StreamError(
            code,
            f"{noun} file is too long ({duration_ms:.0f} ms). The limit is {MAX_MEDIA_MS:.0f} milliseconds.",
        )
    return StreamMedia(kind, _digest(content), duration_ms=duration_ms, silent=_silent_wav(content))


def probe_image(content: bytes) -> StreamMedia:
    """A PNG or JPEG (by magic bytes) of at most 3000 x 3000 pixels (E0205); ``blank``: a single colour."""
    try:
        with Image.open(io.BytesIO(content)) as image:
            width, height = image.size
            if width > MAX_IMAGE_SIDE or height > MAX_IMAGE_SIDE:
                raise _image_too_large(f" ({width} x {height} pixels)")
            extrema: Any = image.getextrema()
    except Image.DecompressionBombError:
        raise _image_too_large("") from None
    except (OSError, ValueError, SyntaxError, EOFError):
        raise StreamError(
            UNREADABLE_MEDIA, "Failed to parse data as a valid media file: the image is unreadable."
        ) from None
    bands = extrema if isinstance(extrema[0], tuple) else (extrema,)
    blank = all(low == high for low, high in bands)
    return StreamMedia("image", _digest(content), width=width, height=height, blank=blank)


def probe_facemesh(content: bytes) -> StreamMedia:
    """A JSON list of faces, each 478 landmarks of 3 numbers; at most :data:`MAX_FACEMESHES` (E0207)."""
    try:
        faces = json.loads(content)
    except (ValueError, RecursionError):
        faces = None
    if isinstance(faces, list) and len(faces) > MAX_FACEMESHES:
        raise StreamError(
            TOO_MANY_FACEMESHES,
            f"Too many faces in the facemesh landmarks ({len(faces)}). The limit is {MAX_FACEMESHES} faces.",
        )
    if not isinstance(faces, list) or not all(_is_face(face) for face in faces):
        raise StreamError(
            UNREADABLE_MEDIA,
            "Facemesh landmarks should be a list of faces, "
            f"each {LANDMARKS_PER_FACE} points of 3 coordinates.",
        )
    return StreamMedia("facemesh", _digest(content), faces=len(faces))


def _is_face(face: object) -> bool:
    return (
        isinstance(face, list)
        and len(face) == LANDMARKS_PER_FACE
        and all(
            isinstance(point, list)
            and len(point) == 3
            and all(isinstance(value, (int, float)) and not isinstance(value, bool) for value in point)
            for point in face
        )
    )


def _silent_wav(content: bytes) -> bool:
    try:
        with wave.open(io.BytesIO(content)) as wav:
            width = wav.getsampwidth()
            frames = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError):
        return False
    if width == 1:
        return set(frames) <= _QUIET_UNSIGNED_BYTES
    return set(frames[width - 1 :: width]) <= _QUIET_HIGH_BYTES


def _image_too_large(size: str) -> StreamError:
    return StreamError(
        IMAGE_TOO_LARGE,
        f"Image file is too large{size}. The limit is {MAX_IMAGE_SIDE} x {MAX_IMAGE_SIDE} pixels.",
    )


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
