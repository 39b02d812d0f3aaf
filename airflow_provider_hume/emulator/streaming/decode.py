"""From a payload's ``data`` to probed media: base64, type detection, model compatibility (hume-api-v0.md §4).

``raw_text: true`` makes ``data`` text. Otherwise ``data`` is base64 (E0201 if not), except that a JSON list
of landmarks may also come as plain JSON (the Fern SDK's ``send_facemesh``). Decoded bytes are typed by
magic bytes (PNG/JPEG images, WAV/MP3/M4A/OGG/FLAC audio, MP4 video); bytes without known magic are
facemesh landmarks when they are a JSON list, text when they are printable UTF-8 (the 2022 SDK base64-encoded
its text), and E0200 otherwise. Every configured model must support the detected type (E0102).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping, Sequence
from typing import Final

from airflow_provider_hume.emulator.media.probe import HEADER_BYTES, sniff
from airflow_provider_hume.emulator.streaming.messages import (
    INVALID_BASE64,
    UNREADABLE_MEDIA,
    StreamError,
    model_mismatch,
)
from airflow_provider_hume.emulator.streaming.probe import (
    MediaType,
    StreamMedia,
    probe_audio,
    probe_facemesh,
    probe_image,
    probe_text,
)

MODELS_FOR: Final[Mapping[MediaType, frozenset[str]]] = {
    "audio": frozenset(("prosody", "burst")),
    "video": frozenset(("prosody", "burst")),
    "image": frozenset(("face",)),
    "text": frozenset(("language",)),
    "facemesh": frozenset(("facemesh",)),
}
_WHITESPACE: Final = re.compile(rb"\s+")
#: Control characters that never occur in text (NUL, ESC...): their presence makes bytes binary.
_BINARY: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def load_media(data: str, *, raw_text: bool, models: Sequence[str]) -> StreamMedia:
    """Decode, type-check against ``models`` and probe ``data``."""
    if raw_text:
        check_models("text", models)
        return probe_text(data)
    content = _decoded(data)
    kind = detect(content)
    check_models(kind, models)
    if kind in ("audio", "video"):
        return probe_audio(content, kind, models)
    if kind == "image":
        return probe_image(content)
    if kind == "facemesh":
        return probe_facemesh(content)
    return probe_text(content.decode("utf-8"))


def detect(content: bytes) -> MediaType:
    """The media type of decoded bytes (E0200 when none fits)."""
    if not content:
        raise StreamError(UNREADABLE_MEDIA, "Failed to parse data as a valid media file: the media is empty.")
    kind, content_type = sniff(content[:HEADER_BYTES], "")
    if content_type == "video/mp4":
        return "video"
    if kind in ("image", "audio"):
        return kind
    if kind == "archive":
        raise StreamError(
            UNREADABLE_MEDIA, "Archives are not supported in streaming; send one file per payload."
        )
    if _is_json_list(content):
        return "facemesh"
    if _is_text(content):
        return "text"
    raise StreamError(UNREADABLE_MEDIA, "Failed to parse data as a valid media file.")


def check_models(kind: MediaType, models: Sequence[str]) -> None:
    """E0102 for the first configured model that cannot run on ``kind``."""
    for model in models:
        if model not in MODELS_FOR[kind]:
            raise model_mismatch(model, kind)


def _decoded(data: str) -> bytes:
    """Base64 (line breaks allowed), or the plain JSON of facemesh landmarks."""
    encoded = data.encode("utf-8", "surrogatepass")
    try:
        return base64.b64decode(_WHITESPACE.sub(b"", encoded), validate=True)
    except binascii.Error:
        if _is_json_list(encoded):
            return encoded
    raise StreamError(
        INVALID_BASE64,
        "Media could not be decoded as a Base64 encoded string. "
        "To send raw text without encoding it, set raw_text to true.",
    )


def _is_json_list(content: bytes) -> bool:
    if not content.lstrip().startswith(b"["):
        return False
    try:
        return isinstance(json.loads(content), list)
    except (ValueError, RecursionError):
        return False


def _is_text(content: bytes) -> bool:
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return _BINARY.search(text) is None
