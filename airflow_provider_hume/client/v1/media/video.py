"""A video file sampled to JPEG frames for ``POST /v1/expression/video/file`` (hume-api-v1.md §2, §6).

Hume has no video-file route: a video is measured as a series of JPEG images. :func:`iter_video_frames`
decodes the first video stream with PyAV and yields one JPEG per sampling instant: at instants ``k / fps``
seconds after the stream's first frame it takes the first frame shown at or after the instant (by timestamp,
not by counting frames, so variable frame rates and dropped frames sample correctly; a video slower than
``fps`` yields each of its frames once). Frames are decoded one at a time and each JPEG is made when it is
yielded. A frame over :data:`MAX_IMAGE_PIXELS` is scaled down (aspect kept) before encoding. Rotation metadata
is not applied, like EXIF orientation for images.
"""

from __future__ import annotations

import io
import math
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from fractions import Fraction
from functools import partial
from typing import Any

from airflow_provider_hume.client.v1.media._deps import require_av, require_pillow
from airflow_provider_hume.client.v1.media.decode import IO_BUFFER_BYTES, refuse_nested_open, said
from airflow_provider_hume.client.v1.media.errors import MediaInputError
from airflow_provider_hume.client.v1.media.images import encode_jpeg, fit_within
from airflow_provider_hume.client.v1.media.sources import Source, check_fps, check_source, open_source, stem
from airflow_provider_hume.client.v1.parts import IMAGE_JPEG, MediaPart

_FPS_PRECISION = 1000  # fps is read as a fraction with a denominator up to this


@dataclass(frozen=True)
class VideoFrame:
    """The ``index``-th sampled frame, shown ``timestamp_ms`` after the first frame, as a JPEG part."""

    index: int
    timestamp_ms: int
    part: MediaPart


def iter_video_frames(source: Source, name: str, *, fps: float) -> Generator[VideoFrame, None, None]:
    """JPEG frames of ``source`` (a local path or an opener; a seekable stream for MP4) sampled at ``fps``.

    Raises :class:`MediaInputError`, naming the file, for a missing or unreadable file, a file FFmpeg cannot
    read (with its words), a file without a video stream or without any frame, and when the ``media`` extra
    is not installed. A bad ``fps``, a missing file or a missing extra is raised by the call itself; what
    needs the file opened, at the first ``next()``.
    """
    step = 1 / Fraction(check_fps(fps)).limit_denominator(_FPS_PRECISION)
    check_source(source, name)
    require_av(name, "sampling video frames")
    require_pillow(name, "encoding video frames as JPEG")
    return _frames(source, name, step)


def _frames(source: Source, name: str, step: Fraction) -> Generator[VideoFrame, None, None]:
    import av

    with open_source(source, name) as stream:
        try:
            container = av.open(stream, "r", buffer_size=IO_BUFFER_BYTES, io_open=refuse_nested_open)
        except (av.error.FFmpegError, OSError) as error:
            raise MediaInputError(name, f"cannot be read as video (FFmpeg: {said(error)})") from error
        with container:
            if not container.streams.video:
                kinds = ", ".join(s.type for s in container.streams) or "none"
                raise MediaInputError(name, f"has no video stream (streams: {kinds})")
            video = container.streams.video[0]
            video.thread_type = "AUTO"
            index = 0
            try:
                for frame in _sampled(container.decode(video), step):
                    yield _jpeg_frame(frame, index, name)
                    index += 1
            except (av.error.FFmpegError, OSError) as error:
                raise MediaInputError(
                    name, f"could not be decoded after {index} frame(s) (FFmpeg: {said(error)})"
                ) from error
            if not index:
                raise MediaInputError(name, "holds no video frame")


def _sampled(frames: Iterator[Any], step: Fraction) -> Iterator[tuple[Any, Fraction]]:
    """``(frame, seconds since the first frame)`` of the first frame at or after each multiple of ``step``."""
    start: Fraction | None = None
    due = Fraction(0)
    for frame in frames:
        if frame.pts is None or frame.time_base is None:
            continue
        moment = Fraction(frame.pts) * frame.time_base
        start = moment if start is None else start
        elapsed = moment - start
        if elapsed >= due:
            yield frame, elapsed
            due = (math.floor(elapsed / step) + 1) * step


def _jpeg_frame(sampled: tuple[Any, Fraction], index: int, name: str) -> VideoFrame:
    frame, elapsed = sampled
    width, height = fit_within(frame.width, frame.height)
    image = frame.to_image(width=width, height=height)
    data = encode_jpeg(image, name)
    timestamp_ms = round(elapsed * 1000)
    part = MediaPart(
        f"{stem(name)}.{timestamp_ms:09d}ms.jpg", len(data), IMAGE_JPEG, partial(io.BytesIO, data)
    )
    return VideoFrame(index, timestamp_ms, part)
