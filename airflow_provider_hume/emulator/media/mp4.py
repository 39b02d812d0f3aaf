"""The tracks of an MP4/M4A file: kind, duration, sample count and picture size, read from the ``moov`` box.

mutagen gives the length of an MP4's sound track but says nothing about video tracks, so this walks the ISO
BMFF box tree itself. It seeks from box to box and reads only the small boxes it needs (``tkhd``, ``mdhd``,
``hdlr``, ``stts``), never the media data.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, Final

MAX_BOX_READ: Final = 16 * 1024 * 1024


class Mp4Error(ValueError):
    """The file is not a readable MP4."""


@dataclass(frozen=True)
class Track:
    """One ``trak``: ``handler`` is ``vide`` for video, ``soun`` for audio."""

    handler: str
    duration: float
    samples: int
    width: int
    height: int

    @property
    def frame_rate(self) -> float:
        """Samples per second (frames per second for a video track)."""
        return self.samples / self.duration if self.duration > 0 else 0.0


def read_tracks(handle: BinaryIO) -> list[Track]:
    """Every track of the movie in ``handle``; :class:`Mp4Error` when there is no readable ``moov``."""
    end = handle.seek(0, 2)
    for kind, start, stop in _boxes(handle, 0, end):
        if kind == b"moov":
            return [_track(handle, begin, finish) for name, begin, finish in _boxes(handle, start, stop)
                    if name == b"trak"]  # fmt: skip
    raise Mp4Error("no moov box")


def _boxes(handle: BinaryIO, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """``(type, payload start, payload end)`` of the boxes between ``start`` and ``end``."""
    offset = start
    while offset + 8 <= end:
        handle.seek(offset)
        size, kind = struct.unpack(">I4s", _read(handle, 8))
        header = 8
        if size == 1:
            (size,) = struct.unpack(">Q", _read(handle, 8))
            header = 16
        elif size == 0:
            size = end - offset
        if size < header or offset + size > end:
            raise Mp4Error(f"bad size of box {kind!r}")
        yield kind, offset + header, offset + size
        offset += size


def _track(handle: BinaryIO, start: int, end: int) -> Track:
    boxes = dict(_nested(handle, start, end, (b"mdia", b"minf", b"stbl")))
    missing = {b"tkhd", b"mdhd", b"hdlr"} - boxes.keys()
    if missing:
        raise Mp4Error(f"track without {sorted(missing)[0]!r}")
    tkhd, mdhd, hdlr = (_payload(handle, *boxes[name]) for name in (b"tkhd", b"mdhd", b"hdlr"))
    if mdhd[0] == 1:
        timescale, length = struct.unpack(">IQ", mdhd[20:32])
    else:
        timescale, length = struct.unpack(">II", mdhd[12:20])
    width, height = struct.unpack(">II", tkhd[-8:])
    samples = 0
    if b"stts" in boxes:
        stts = _payload(handle, *boxes[b"stts"])
        (count,) = struct.unpack(">I", stts[4:8])
        samples = sum(struct.unpack(f">{2 * count}I", stts[8 : 8 + 8 * count])[::2])
    return Track(
        handler=hdlr[8:12].decode("latin-1"),
        duration=length / timescale if timescale else 0.0,
        samples=samples,
        width=width >> 16,
        height=height >> 16,
    )


def _nested(
    handle: BinaryIO, start: int, end: int, containers: tuple[bytes, ...]
) -> Iterator[tuple[bytes, tuple[int, int]]]:
    for kind, begin, finish in list(_boxes(handle, start, end)):
        if kind in containers:
            yield from _nested(handle, begin, finish, containers)
        else:
            yield kind, (begin, finish)


def _payload(handle: BinaryIO, start: int, end: int) -> bytes:
    if end - start > MAX_BOX_READ:
        raise Mp4Error("box too large")
    handle.seek(start)
    return _read(handle, end - start)


def _read(handle: BinaryIO, size: int) -> bytes:
    data = handle.read(size)
    if len(data) != size:
        raise Mp4Error("truncated file")
    return data
