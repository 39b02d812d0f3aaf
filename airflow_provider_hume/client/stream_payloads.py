"""Streaming payloads (hume-api-v0.md §4.2) and the limits Hume enforces on them (§4.7), checked client-side.

Each check fails before anything is sent, with the limit, the size found and what to do about it, so a
payload Hume would reject with ``E0203``/``E0206`` never leaves the worker.
"""

from __future__ import annotations

import base64
import io
import json
import math
import wave
from collections.abc import Sequence
from typing import IO, Any

from airflow_provider_hume.client._fields import check_int, invalid
from airflow_provider_hume.client.errors import HumeValidationError
from airflow_provider_hume.client.stream_models import MEDIA_MODELS, StreamModels

MAX_TEXT_CHARS = 10_000
"""Characters per text payload (§8)."""
MAX_AUDIO_MS = 5_000
"""Milliseconds of audio per payload (``E0203``)."""
MAX_FACEMESH_FACES = 100
"""Faces per facemesh payload, as Hume's SDK checked (the docs say 10; the server has the last word)."""
FACEMESH_LANDMARKS = 478
"""MediaPipe landmarks per face."""
DEFAULT_WINDOW_MS = 5_000
"""Hume's ``stream_window_ms`` when a payload sets none."""
MIN_WINDOW_MS = 500
MAX_WINDOW_MS = 10_000


def is_wav(data: bytes) -> bool:
    """Whether ``data`` starts like a RIFF/WAVE file."""
    return len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WAVE"


def wav_seconds(source: str | IO[bytes]) -> float | None:
    """Seconds of audio in a PCM WAV (a path or a binary file), from its header; None if unreadable."""
    try:
        with wave.open(source, "rb") as reader:
            frames: int = reader.getnframes()
            rate: int = reader.getframerate()
    except (wave.Error, EOFError):
        return None
    return frames / rate if rate else None


def check_text(text: Any) -> str:
    """A non-blank text of at most ``MAX_TEXT_CHARS`` characters."""
    if not isinstance(text, str):
        raise invalid("text", "must be a string", text)
    if not text.strip():
        raise HumeValidationError("text is empty or only whitespace; Hume's language model needs words")
    if len(text) > MAX_TEXT_CHARS:
        raise HumeValidationError(
            f"text has {len(text)} characters but Hume accepts at most {MAX_TEXT_CHARS} per payload; "
            "split it (split_text does so at sentence boundaries)"
        )
    return text


def check_media(data: Any) -> bytes:
    """Non-empty media bytes; a WAV longer than ``MAX_AUDIO_MS`` is refused."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise invalid("data", "must be bytes", data)
    raw = bytes(data)
    if not raw:
        raise HumeValidationError("the media payload is empty")
    seconds = wav_seconds(io.BytesIO(raw)) if is_wav(raw) else None
    if seconds is not None and seconds * 1000 > MAX_AUDIO_MS:
        raise HumeValidationError(
            f"the WAV audio lasts {seconds * 1000:.0f} ms but Hume accepts at most {MAX_AUDIO_MS} ms "
            "per payload; split it (iter_wav_chunks does so)"
        )
    return raw


def check_facemesh(landmarks: Any) -> list[list[list[float]]]:
    """Faces of exactly 478 ``(x, y, z)`` landmarks, between 1 and ``MAX_FACEMESH_FACES`` faces."""
    if not isinstance(landmarks, Sequence) or isinstance(landmarks, (str, bytes)) or not landmarks:
        raise HumeValidationError("No faces sent in facemesh payload: pass a list of faces")
    if len(landmarks) > MAX_FACEMESH_FACES:
        raise HumeValidationError(
            f"facemesh payload has {len(landmarks)} faces but the limit is {MAX_FACEMESH_FACES}"
        )
    faces: list[list[list[float]]] = []
    for index, face in enumerate(landmarks):
        if not isinstance(face, Sequence) or len(face) != FACEMESH_LANDMARKS:
            found = len(face) if isinstance(face, Sequence) else type(face).__name__
            raise HumeValidationError(
                f"facemesh face {index} must have exactly {FACEMESH_LANDMARKS} MediaPipe landmarks "
                f"(found {found})"
            )
        faces.append([_point(point, index, number) for number, point in enumerate(face)])
    return faces


def _point(point: Any, face: int, number: int) -> list[float]:
    if (
        not isinstance(point, Sequence)
        or len(point) != 3
        or not all(
            isinstance(c, (int, float)) and not isinstance(c, bool) and math.isfinite(c) for c in point
        )
    ):
        raise invalid(f"facemesh face {face} landmark {number}", "must be an (x, y, z) point", point)
    return [float(c) for c in point]


def check_window(value: Any) -> int | None:
    """``stream_window_ms``: None (Hume's default, 5000) or an integer from 500 to 10000."""
    if value is None:
        return None
    window = check_int(value, "stream_window_ms")
    if not MIN_WINDOW_MS <= window <= MAX_WINDOW_MS:
        raise invalid("stream_window_ms", f"must be between {MIN_WINDOW_MS} and {MAX_WINDOW_MS}", value)
    return window


def text_payload(text: str, models: StreamModels) -> dict[str, Any]:
    """A raw-text payload; only the language model reads text."""
    if models.enabled != ("language",):
        raise HumeValidationError(
            "text payloads run the language model and no other; models enables "
            f"{', '.join(models.enabled) or 'none'}"
        )
    return {"data": check_text(text), "models": models.to_api(), "raw_text": True}


def media_payload(data: bytes, models: StreamModels, *, reset_stream: bool = False) -> dict[str, Any]:
    """A base64 media payload (audio, image, video frame); ``reset_stream`` drops the window's context.

    Only the media models of ``models`` are sent: its ``language`` part, if any, is for text payloads.
    """
    media = models.only(MEDIA_MODELS)
    if not media.enabled:
        raise HumeValidationError(
            f"media payloads need one of the models {', '.join(MEDIA_MODELS)}; models enables only language"
        )
    payload: dict[str, Any] = {
        "data": base64.b64encode(check_media(data)).decode("ascii"),
        "models": media.to_api(),
    }
    if reset_stream:
        payload["reset_stream"] = True
    return payload


def facemesh_payload(landmarks: Any, models: StreamModels) -> dict[str, Any]:
    """Facemesh landmarks sent as base64 of their JSON, as Hume's SDK did (§4.2)."""
    if models.enabled != ("facemesh",):
        raise HumeValidationError(
            "facemesh payloads run the facemesh model and no other; models enables "
            f"{', '.join(models.enabled) or 'none'}"
        )
    encoded = json.dumps(check_facemesh(landmarks), separators=(",", ":")).encode("utf-8")
    return {"data": base64.b64encode(encoded).decode("ascii"), "models": models.to_api(), "raw_text": False}
