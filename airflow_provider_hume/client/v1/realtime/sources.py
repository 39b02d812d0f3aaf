"""Media sources for the realtime streams, read lazily and never whole (hume-api-v1.md §7.1).

Audio: an iterable or async iterable of PCM frames (sent as given), or a :class:`MediaPart` / file path of
16 kHz mono s16le audio, WAV (header checked and skipped) or headerless, cut into frames of ``frame_bytes``.
Images: an iterable or async iterable of JPEG bytes or :class:`MediaPart` images, each one frame.
"""

from __future__ import annotations

import asyncio
import os
import struct
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator, Generator, Iterable, Iterator
from contextlib import closing
from pathlib import Path
from typing import BinaryIO, Final, TypeVar

from airflow_provider_hume.client.errors import HumeValidationError
from airflow_provider_hume.client.v1.parts import AUDIO_WAV, MediaPart

AudioSource = Iterable[bytes] | AsyncIterable[bytes] | MediaPart | str | os.PathLike[str]
ImageSource = Iterable[bytes | MediaPart] | AsyncIterable[bytes | MediaPart]

_PCM: Final = 1
_UNKNOWN_SIZE: Final = 0xFFFFFFFF
_T = TypeVar("_T")


async def audio_frames(source: AudioSource, frame_bytes: int) -> AsyncGenerator[bytes, None]:
    """The frames of an audio source, in order."""
    if isinstance(source, (MediaPart, str, os.PathLike)):
        part = source if isinstance(source, MediaPart) else _file_part(Path(source))
        frames = _pcm_frames(part, frame_bytes)
        try:
            async for frame in _in_thread(frames):
                yield frame
        finally:
            frames.close()
        return
    async for frame in _each(source):
        yield frame


async def image_frames(source: ImageSource) -> AsyncGenerator[bytes, None]:
    """The JPEG bytes of each image of an image source, in order (a part is read when its turn comes)."""
    async for item in _each(source):
        if isinstance(item, MediaPart):
            yield await asyncio.to_thread(_read_part, item)
        else:
            yield item


def _file_part(path: Path) -> MediaPart:
    with path.open("rb") as stream:
        riff = stream.read(4) == b"RIFF"
    content_type = AUDIO_WAV if riff else "application/octet-stream"
    return MediaPart(path.name, path.stat().st_size, content_type, lambda: path.open("rb"))


def _read_part(part: MediaPart) -> bytes:
    with closing(part.open()) as stream:
        return stream.read()


def _pcm_frames(part: MediaPart, frame_bytes: int) -> Generator[bytes, None, None]:
    with closing(part.open()) as stream:
        remaining = _skip_wav_header(stream, part.name) if part.content_type == AUDIO_WAV else None
        while remaining is None or remaining > 0:
            frame = stream.read(frame_bytes if remaining is None else min(frame_bytes, remaining))
            if not frame:
                return
            if remaining is not None:
                remaining -= len(frame)
            yield frame


def _skip_wav_header(stream: BinaryIO, name: str) -> int | None:
    """Read up to the samples of a 16 kHz mono s16 WAV; their byte count (``None``: to the end)."""
    head = stream.read(12)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        raise HumeValidationError(f"{name} is not a WAV file (no RIFF/WAVE header)")
    checked = False
    while True:
        chunk = stream.read(8)
        if len(chunk) < 8:
            raise HumeValidationError(f"{name}: the WAV file has no data chunk")
        kind, size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
        if kind == b"data":
            if not checked:
                raise HumeValidationError(f"{name}: the WAV file has no fmt chunk before its samples")
            return None if size in (0, _UNKNOWN_SIZE) else size
        body = stream.read(size + size % 2)
        if kind == b"fmt ":
            if len(body) < 16:
                raise HumeValidationError(f"{name}: the WAV file's fmt chunk is cut short")
            tag, channels, rate, _, _, bits = struct.unpack("<HHIIHH", body[:16])
            checked = True
            if (tag, channels, rate, bits) != (_PCM, 1, 16000, 16):
                raise HumeValidationError(
                    f"{name} is not 16 kHz mono 16-bit PCM (format {tag}, {channels} channel(s), {rate} Hz, "
                    f"{bits} bits): convert it first (prepare_audio does)"
                )


async def _in_thread(items: Iterator[_T]) -> AsyncIterator[_T]:
    """Iterate a blocking iterator off the event loop."""
    done = object()
    while True:
        item = await asyncio.to_thread(next, items, done)
        if item is done:
            return
        yield item  # type: ignore[misc]


async def _each(source: Iterable[_T] | AsyncIterable[_T]) -> AsyncIterator[_T]:
    if isinstance(source, AsyncIterable):
        async for item in source:
            yield item
    else:
        for item in source:
            yield item
