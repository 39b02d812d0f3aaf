"""WAV headers: reading a file's format without decoding it, and the plain header Hume's audio route takes.

Hume's ``audio/file`` route decodes only plain (``WAVE_FORMAT_PCM``) 16 kHz mono s16 WAVs; an extensible
header or any other rate, channel count or sample format is refused (hume-api-v1.md §4.1, §5).
:func:`read_wav_info` reads the RIFF chunks up to ``data`` so the fast path can tell such a file from one that
needs converting, and :class:`SliceReader` serves a chunk as a fresh header followed by a byte range of a PCM
file, read lazily.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from typing import BinaryIO

from airflow_provider_hume.client.v1.limits import CHANNELS, SAMPLE_RATE, SAMPLE_WIDTH

WAVE_FORMAT_PCM = 1
WAV_HEADER_BYTES = 44
"""Size of the header :func:`wav_header` writes (RIFF, ``fmt `` of 16 bytes, ``data``)."""
_UNKNOWN_SIZES = (0, 0xFFFFFFFF)  # what recorders that never finish their header leave in ``data``
_MAX_FMT_BYTES = 1024
_SKIP_BLOCK = 64 * 1024


@dataclass(frozen=True)
class WavInfo:
    """The ``fmt `` fields of a RIFF/WAVE file and where its ``data`` chunk starts.

    ``data_size`` is the size the header declares, or None when it holds a placeholder (0 or 0xFFFFFFFF, left
    by recorders that never finish their header): the samples then run to the end of the file.
    """

    format_tag: int
    channels: int
    sample_rate: int
    block_align: int
    bits_per_sample: int
    data_offset: int
    data_size: int | None

    @property
    def is_hume_pcm(self) -> bool:
        """True when Hume takes the samples as they are: plain PCM header, 16 kHz, mono, s16."""
        return (
            self.format_tag == WAVE_FORMAT_PCM
            and self.channels == CHANNELS
            and self.sample_rate == SAMPLE_RATE
            and self.bits_per_sample == 8 * SAMPLE_WIDTH
            and self.block_align == SAMPLE_WIDTH * CHANNELS
        )


def _read_exact(stream: BinaryIO, size: int) -> bytes | None:
    data = stream.read(size)
    return data if len(data) == size else None


def _skip(stream: BinaryIO, size: int) -> bool:
    """Move past ``size`` bytes (seeking when the stream can); False at the end of the stream."""
    if stream.seekable():
        here = stream.tell()
        end = stream.seek(0, io.SEEK_END)
        stream.seek(min(here + size, end))
        return here + size <= end
    while size > 0:
        block = stream.read(min(size, _SKIP_BLOCK))
        if not block:
            return False
        size -= len(block)
    return True


def read_wav_info(stream: BinaryIO) -> WavInfo | None:
    """The format of the WAV ``stream`` is positioned at the start of, left at its first sample.

    None when the stream is not a RIFF/WAVE file or its chunks end before ``data`` (PyAV then judges it).
    """
    riff = _read_exact(stream, 12)
    if riff is None or riff[:4] != b"RIFF" or riff[8:12] != b"WAVE":
        return None
    fmt: bytes | None = None
    offset = 12
    while (head := _read_exact(stream, 8)) is not None:
        tag, size = head[:4], struct.unpack("<I", head[4:])[0]
        offset += 8
        if tag == b"data":
            if fmt is None or len(fmt) < 16:
                return None
            tag_, channels, rate, _, align, bits = struct.unpack("<HHIIHH", fmt[:16])
            declared = None if size in _UNKNOWN_SIZES else size
            return WavInfo(tag_, channels, rate, align, bits, offset, declared)
        padded = size + size % 2
        if tag == b"fmt " and size <= _MAX_FMT_BYTES:
            fmt = _read_exact(stream, padded)
            if fmt is None:
                return None
        elif not _skip(stream, padded):
            return None
        offset += padded
    return None


def wav_header(data_size: int) -> bytes:
    """A plain 44-byte header for ``data_size`` bytes of 16 kHz mono s16 samples."""
    byte_rate = SAMPLE_RATE * SAMPLE_WIDTH * CHANNELS
    fmt = struct.pack(
        "<HHIIHH",
        WAVE_FORMAT_PCM,
        CHANNELS,
        SAMPLE_RATE,
        byte_rate,
        SAMPLE_WIDTH * CHANNELS,
        8 * SAMPLE_WIDTH,
    )
    riff = (b"RIFF", struct.pack("<I", 36 + data_size), b"WAVE")
    return b"".join((*riff, b"fmt ", struct.pack("<I", len(fmt)), fmt, b"data", struct.pack("<I", data_size)))


class SliceReader(io.RawIOBase):
    """``header`` then ``length`` bytes of the file at ``path`` from ``offset``: the file is opened at the
    first read and read only as far as each call asks, so a chunk is never held whole."""

    def __init__(self, header: bytes, path: str, offset: int, length: int) -> None:
        super().__init__()
        self._header = header
        self._path = path
        self._offset = offset
        self._left = length
        self._file: BinaryIO | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        if self._header:
            count = min(len(view), len(self._header))
            view[:count] = self._header[:count]
            self._header = self._header[count:]
            return count
        if self._left <= 0 or not len(view):
            return 0
        if self._file is None:
            self._file = open(self._path, "rb", buffering=0)  # noqa: SIM115 - closed by close()
            self._file.seek(self._offset)
        count = self._file.readinto(view[: min(len(view), self._left)])  # type: ignore[attr-defined]
        if not count:
            raise OSError(f"{self._path} ended {self._left} bytes early (was it changed while being sent?)")
        self._left -= count
        return int(count)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        super().close()


def open_slice(header: bytes, path: str, offset: int, length: int, buffer_size: int = 64 * 1024) -> BinaryIO:
    """A buffered stream over :class:`SliceReader` (reads of at most ``buffer_size`` from the file)."""
    return io.BufferedReader(SliceReader(header, path, offset, length), buffer_size)
