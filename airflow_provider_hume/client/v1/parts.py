"""One media part of a ``v1`` upload (hume-api-v1.md §5, §6): what media preparation yields, the client sends.

A part is opened once per attempt, read while the request body is sent and then closed, so a part backed by a
file on disk or an S3 object never sits whole in memory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from airflow_provider_hume.client._fields import invalid

AUDIO_WAV = "audio/wav"
AUDIO_RAW = "application/octet-stream"
IMAGE_JPEG = "image/jpeg"
CONTENT_TYPES = (AUDIO_WAV, AUDIO_RAW, IMAGE_JPEG)


@dataclass(frozen=True)
class MediaPart:
    """A ``file`` part: ``open()`` returns a fresh stream of exactly ``size`` bytes, closed by the caller.

    ``name`` is the part's file name (sent as the part's filename and used in logs and errors);
    ``content_type`` is one of :data:`CONTENT_TYPES`.
    """

    name: str
    size: int
    content_type: str
    open: Callable[[], BinaryIO]

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name or "/" in self.name:
            raise invalid("MediaPart.name", "must be a non-empty file name without '/'", self.name)
        if isinstance(self.size, bool) or not isinstance(self.size, int) or self.size < 0:
            raise invalid("MediaPart.size", "must be an integer >= 0", self.size)
        if self.content_type not in CONTENT_TYPES:
            allowed = ", ".join(CONTENT_TYPES)
            raise invalid("MediaPart.content_type", f"must be one of {allowed}", self.content_type)
