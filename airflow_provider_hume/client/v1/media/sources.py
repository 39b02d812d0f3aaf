"""Where media comes from (a local path, or an opener such as an S3 object's), and the checks made on it
before any work or request: the file exists and can be read, the frame rate is sane, the option is known.

Every error names the file (``name``, which may be an S3 key) and says what to fix.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any, BinaryIO, Literal, TypeAlias

from airflow_provider_hume.client._fields import invalid
from airflow_provider_hume.client.v1.media.errors import MediaInputError

Source: TypeAlias = str | os.PathLike[str] | Callable[[], BinaryIO]
"""A local path, or a callable returning a fresh binary stream (closed by the caller) each time it is called.

An opener's stream is read from start to end; one that can also seek (a local or spooled file) lets PyAV read
containers whose index sits at the end (an MP4 or M4A written without ``faststart``).
"""
Oversize = Literal["downscale", "reject"]
OVERSIZE_CHOICES: tuple[Oversize, ...] = ("downscale", "reject")

MAX_FPS = 30.0
"""Highest frame rate :func:`iter_video_frames` samples at: video is rarely recorded faster, and each image is
metered (⅓ s each, hume-api-v1.md §8), so a higher rate would only bill duplicate frames."""


def base_name(name: str) -> str:
    """The last component of ``name`` (a path or an S3 key), the form a part's file name takes."""
    return PurePosixPath(name.replace("\\", "/")).name or "media"


def stem(name: str) -> str:
    """:func:`base_name` without its extension: ``calls/a.mp3`` gives ``a``."""
    base = base_name(name)
    return base.rsplit(".", 1)[0] if "." in base.lstrip(".") else base


def check_source(source: Any, name: str) -> None:
    """A path must name a non-empty regular file this process may read; an opener must be callable."""
    if callable(source):
        return
    if not isinstance(source, (str, os.PathLike)):
        raise MediaInputError(name, f"must be a local path or a callable returning a stream (got {source!r})")
    path = os.fspath(source)
    if not os.path.exists(path):
        raise MediaInputError(name, f"{path} does not exist; check the path")
    if not os.path.isfile(path):
        raise MediaInputError(name, f"{path} is not a regular file")
    if not os.access(path, os.R_OK):
        raise MediaInputError(name, f"{path} cannot be read by this process; check its permissions")
    if not os.path.getsize(path):
        raise MediaInputError(name, f"{path} is empty (0 bytes)")


def open_source(source: Source, name: str) -> BinaryIO:
    """A fresh stream of ``source``; any error opening it becomes a :class:`MediaInputError`."""
    check_source(source, name)
    try:
        if callable(source):
            return source()
        return open(os.fspath(source), "rb")
    except OSError as error:
        raise MediaInputError(name, f"cannot be opened: {error.strerror or error}") from error


def local_path(source: Source) -> str | None:
    """The file's path when ``source`` is one, else None."""
    return None if callable(source) else os.fspath(source)


def check_fps(fps: Any, path: str = "fps") -> float:
    """A frame rate ``0 < fps <= MAX_FPS``, as a float."""
    if isinstance(fps, bool) or not isinstance(fps, (int, float)) or not math.isfinite(fps):
        raise invalid(path, "must be a number of frames per second", fps)
    if not 0 < fps <= MAX_FPS:
        raise invalid(path, f"must be > 0 and <= {MAX_FPS:g} frames per second", fps)
    return float(fps)


def check_oversize(value: Any, path: str = "oversize") -> Oversize:
    """``"downscale"`` or ``"reject"``: what to do with an image over Hume's limits."""
    for choice in OVERSIZE_CHOICES:
        if value == choice:
            return choice
    raise invalid(path, "must be 'downscale' or 'reject'", value)
