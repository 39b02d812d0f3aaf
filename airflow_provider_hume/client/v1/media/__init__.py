"""Media made ready for Hume's ``v1`` file routes, before any request (hume-api-v1.md §5, §6).

- Audio: :func:`prepare_audio` turns any audio or video file FFmpeg reads into 16 kHz mono s16 WAV chunks of
  at most one request each; :func:`stitch_audio` puts the chunks' answers back on the file's timeline.
- Images: :func:`prepare_image` passes a JPEG within the limits untouched and downscales, converts or refuses
  the rest; :func:`iter_video_frames` samples a video into JPEG frames at a chosen rate; :func:`batch_parts`
  groups parts into requests.
- Checks for the operators: :func:`check_source`, :func:`check_fps`, :func:`check_oversize`.

Pure Python without Airflow. Decoding needs PyAV and re-encoding needs Pillow, the ``media`` extra
(``pip install 'airflow-provider-hume[media]'``), imported only when a file needs them: without them this
package imports, a 16 kHz mono WAV and a JPEG within the limits still work, and anything else raises
:class:`MediaInputError` naming the file and the extra. Nothing is ever held whole in memory but one image.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow_provider_hume.client.v1.media._deps import INSTALL_HINT
    from airflow_provider_hume.client.v1.media.audio import (
        REQUEST_OVERHEAD_BYTES,
        AudioChunk,
        PreparedAudio,
        chunk_samples,
        prepare_audio,
    )
    from airflow_provider_hume.client.v1.media.batching import PART_OVERHEAD_BYTES, batch_parts
    from airflow_provider_hume.client.v1.media.errors import MediaInputError
    from airflow_provider_hume.client.v1.media.images import jpeg_size, prepare_image
    from airflow_provider_hume.client.v1.media.sources import (
        MAX_FPS,
        OVERSIZE_CHOICES,
        Oversize,
        Source,
        check_fps,
        check_oversize,
        check_source,
    )
    from airflow_provider_hume.client.v1.media.stitch import ChunkSummary, StitchedAudio, stitch_audio
    from airflow_provider_hume.client.v1.media.video import VideoFrame, iter_video_frames

#: The module (relative to this package) each public name lives in, imported on first use of the name.
_HOMES: dict[str, str] = {
    "INSTALL_HINT": "._deps",
    "REQUEST_OVERHEAD_BYTES": ".audio",
    "AudioChunk": ".audio",
    "PreparedAudio": ".audio",
    "chunk_samples": ".audio",
    "prepare_audio": ".audio",
    "PART_OVERHEAD_BYTES": ".batching",
    "batch_parts": ".batching",
    "MediaInputError": ".errors",
    "jpeg_size": ".images",
    "prepare_image": ".images",
    "MAX_FPS": ".sources",
    "OVERSIZE_CHOICES": ".sources",
    "Oversize": ".sources",
    "Source": ".sources",
    "check_fps": ".sources",
    "check_oversize": ".sources",
    "check_source": ".sources",
    "ChunkSummary": ".stitch",
    "StitchedAudio": ".stitch",
    "stitch_audio": ".stitch",
    "VideoFrame": ".video",
    "iter_video_frames": ".video",
}

__all__ = [
    "INSTALL_HINT",
    "MAX_FPS",
    "OVERSIZE_CHOICES",
    "PART_OVERHEAD_BYTES",
    "REQUEST_OVERHEAD_BYTES",
    "AudioChunk",
    "ChunkSummary",
    "MediaInputError",
    "Oversize",
    "PreparedAudio",
    "Source",
    "StitchedAudio",
    "VideoFrame",
    "batch_parts",
    "check_fps",
    "check_oversize",
    "check_source",
    "chunk_samples",
    "iter_video_frames",
    "jpeg_size",
    "prepare_audio",
    "prepare_image",
    "stitch_audio",
]

if not TYPE_CHECKING:  # hidden from type checkers: they read the imports above and catch a misspelt name

    def __getattr__(name: str) -> Any:
        """Import ``name`` from its module on first use and keep it here (PEP 562)."""
        home = _HOMES.get(name)
        if home is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(home, __name__), name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
