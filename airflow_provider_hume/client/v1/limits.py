"""Published size limits and the audio format of Hume's ``v1`` file routes (hume-api-v1.md §5, §6, §7).

Shared by the client and media preparation, so a request is sized before it is sent.
"""

from __future__ import annotations

MAX_REQUEST_BYTES = 25_000_000
"""The whole multipart body of one request: "25 MB", about 13 minutes of audio (hume-api-v1.md §5, §7)."""

MAX_IMAGE_BYTES = 2_000_000
"""One JPEG image part: "2 MB" (hume-api-v1.md §6)."""

MAX_IMAGE_PIXELS = 8_294_400
"""One JPEG image: 3840 x 2160 pixels (hume-api-v1.md §6)."""

SAMPLE_RATE = 16_000
"""Audio samples per second the audio routes accept (hume-api-v1.md §5)."""

SAMPLE_WIDTH = 2
"""Bytes per audio sample: signed 16-bit little-endian (hume-api-v1.md §5)."""

CHANNELS = 1
"""Audio channels: mono (hume-api-v1.md §5)."""

BYTES_PER_SECOND = SAMPLE_RATE * SAMPLE_WIDTH * CHANNELS
"""Bytes of PCM per second of audio (32,000)."""
