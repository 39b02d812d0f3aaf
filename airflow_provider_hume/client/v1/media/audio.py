"""Audio made ready for ``POST /v1/expression/audio/file``: 16 kHz mono s16 WAVs of at most one request each.

Hume takes only plain-header 16 kHz mono s16 WAV (or raw) audio, at most 25 MB a request (hume-api-v1.md §5).
:func:`prepare_audio` gives a :class:`PreparedAudio` whose :meth:`~PreparedAudio.chunks` are consecutive WAVs
covering the whole file:

- **Fast path.** A WAV that already is 16 kHz mono s16 with a plain (``WAVE_FORMAT_PCM``) header is not
  decoded: each chunk is a fresh 44-byte header followed by a byte range of the original file, read while it
  is sent.
- **Anything else** FFmpeg reads (MP3, M4A/AAC, the audio track of an MP4, FLAC, Ogg Vorbis/Opus, WAV at any
  rate, channel count or sample format, extensible WAV) is decoded and resampled with PyAV into a temporary
  PCM file, packet by packet (:mod:`.decode`), and chunks are byte ranges of that file.

Either way no chunk is ever held whole in memory. A chunk's request stays within ``max_request_bytes``
counting its WAV header and :data:`REQUEST_OVERHEAD_BYTES` of multipart framing and ``config`` part. Chunks
are balanced (a 14-minute file gives two 7-minute chunks, not 13 + 1: each request is billed at least 10 s and
every split cuts an utterance) and end on whole milliseconds, so ``offset_ms`` is exact. How results of
several chunks are put back on the file's timeline is in :mod:`.stitch`.
"""

from __future__ import annotations

import contextlib
import math
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from types import TracebackType
from typing import IO, BinaryIO

from airflow_provider_hume.client._fields import invalid
from airflow_provider_hume.client.v1.limits import MAX_REQUEST_BYTES, SAMPLE_RATE, SAMPLE_WIDTH
from airflow_provider_hume.client.v1.media.decode import decode_to_pcm
from airflow_provider_hume.client.v1.media.errors import MediaInputError
from airflow_provider_hume.client.v1.media.sources import Source, local_path, open_source, stem
from airflow_provider_hume.client.v1.media.wav import (
    WAV_HEADER_BYTES,
    WavInfo,
    open_slice,
    read_wav_info,
    wav_header,
)
from airflow_provider_hume.client.v1.parts import AUDIO_WAV, MediaPart

REQUEST_OVERHEAD_BYTES = 64 * 1024
"""Room left in each request for the multipart boundaries, part headers and the ``config`` part (~100 bytes
today): generous, so a longer file name or a new config field can never push a request over the limit."""
SAMPLES_PER_MS = SAMPLE_RATE // 1000
_COPY_BLOCK = 1024 * 1024


@dataclass(frozen=True)
class AudioChunk:
    """One request's worth of audio: the ``index``-th chunk, starting ``offset_ms`` into the file.

    ``first_sample`` and ``samples`` give the exact range at 16 kHz; ``part`` opens the chunk as a WAV
    (header + samples), read lazily each time it is opened.
    """

    index: int
    offset_ms: int
    duration_ms: int
    first_sample: int
    samples: int
    part: MediaPart


class PreparedAudio:
    """A file's audio as 16 kHz mono s16, ready to be sent in :meth:`chunks`; a context manager that removes
    its temporary file on exit (chunks cannot be opened after that)."""

    def __init__(
        self,
        name: str,
        pcm_path: str,
        pcm_offset: int,
        samples: int,
        *,
        converted: bool,
        temporary: bool,
        max_request_bytes: int,
    ) -> None:
        self.name = name
        self.samples = samples
        self.converted = converted
        """False when the file was already 16 kHz mono s16 with a plain header (the fast path)."""
        self._pcm_path = pcm_path
        self._pcm_offset = pcm_offset
        self._temporary = temporary
        self._per_chunk = chunk_samples(samples, max_request_bytes)

    @property
    def duration_ms(self) -> int:
        """The audio's length in milliseconds (rounded)."""
        return round(self.samples / SAMPLES_PER_MS)

    @property
    def chunk_count(self) -> int:
        return math.ceil(self.samples / self._per_chunk)

    def chunks(self) -> Iterator[AudioChunk]:
        """The consecutive chunks covering the whole audio, in order."""
        count = self.chunk_count
        base = stem(self.name)
        for index in range(count):
            first = index * self._per_chunk
            samples = min(self._per_chunk, self.samples - first)
            size = samples * SAMPLE_WIDTH
            part_name = f"{base}.wav" if count == 1 else f"{base}.chunk{index:03d}.wav"
            opener = partial(
                open_slice, wav_header(size), self._pcm_path, self._pcm_offset + first * SAMPLE_WIDTH, size
            )
            part = MediaPart(part_name, WAV_HEADER_BYTES + size, AUDIO_WAV, opener)
            yield AudioChunk(
                index, first // SAMPLES_PER_MS, round(samples / SAMPLES_PER_MS), first, samples, part
            )

    def close(self) -> None:
        """Remove the temporary PCM file, if one was made."""
        if self._temporary:
            self._temporary = False
            _remove(self._pcm_path)

    def __enter__(self) -> PreparedAudio:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"PreparedAudio({self.name!r}, duration_ms={self.duration_ms}, chunks={self.chunk_count}, "
            f"converted={self.converted})"
        )


def chunk_samples(total: int, max_request_bytes: int) -> int:
    """Samples per chunk: the fewest chunks within ``max_request_bytes``, balanced, in whole milliseconds."""
    largest = _largest_chunk(max_request_bytes)
    count = max(1, math.ceil(total / largest))
    return math.ceil(math.ceil(total / count) / SAMPLES_PER_MS) * SAMPLES_PER_MS


def _largest_chunk(max_request_bytes: int) -> int:
    """The most samples, in whole milliseconds, that one request of ``max_request_bytes`` holds."""
    least = REQUEST_OVERHEAD_BYTES + WAV_HEADER_BYTES + SAMPLES_PER_MS * SAMPLE_WIDTH
    if (
        isinstance(max_request_bytes, bool)
        or not isinstance(max_request_bytes, int)
        or max_request_bytes < least
    ):
        problem = f"must be an integer leaving room for 1 ms of audio (>= {least})"
        raise invalid("max_request_bytes", problem, max_request_bytes)
    payload = max_request_bytes - REQUEST_OVERHEAD_BYTES - WAV_HEADER_BYTES
    return payload // SAMPLE_WIDTH // SAMPLES_PER_MS * SAMPLES_PER_MS


def prepare_audio(
    source: Source, name: str, *, max_request_bytes: int = MAX_REQUEST_BYTES, workdir: str | None = None
) -> PreparedAudio:
    """Read ``source`` (a local path or an opener) into 16 kHz mono s16 chunks of at most one request each.

    ``name`` (a file name or S3 key) names the chunks and appears in every error. Decoded audio goes to a
    temporary file in ``workdir`` (the system's temporary folder by default), removed when the returned
    :class:`PreparedAudio` is closed. Raises :class:`MediaInputError` before any request when the file is
    missing or unreadable, is not audio FFmpeg can decode (the message gives FFmpeg's words), has no audio
    stream, holds no audio or is shorter than its header says, and when the ``media`` extra is needed but not
    installed.
    """
    _largest_chunk(max_request_bytes)
    path = local_path(source)
    with open_source(source, name) as stream:
        info = read_wav_info(stream)
        if info is not None and info.is_hume_pcm and path is not None:
            return _fast_path(name, path, info, max_request_bytes)
        temp = tempfile.NamedTemporaryFile(  # noqa: SIM115 - removed by PreparedAudio.close
            prefix="hume-audio-", suffix=".pcm", dir=workdir, delete=False
        )
        try:
            with temp:
                if info is not None and info.is_hume_pcm:
                    samples = _copy_pcm(stream, temp, info, name)
                else:
                    if path is not None and info is not None:
                        _check_wav_size(name, info, os.path.getsize(path))
                    samples = _decode(source, stream, temp, name)
            return PreparedAudio(
                name,
                temp.name,
                0,
                samples,
                converted=info is None or not info.is_hume_pcm,
                temporary=True,
                max_request_bytes=max_request_bytes,
            )
        except BaseException:
            _remove(temp.name)
            raise


def _decode(source: Source, stream: BinaryIO, out: IO[bytes], name: str) -> int:
    """Decode from the start of ``source``: ``stream`` rewound when it can seek, else opened again."""
    if stream.seekable():
        stream.seek(0)
        return decode_to_pcm(stream, out, name)
    with open_source(source, name) as fresh:
        return decode_to_pcm(fresh, out, name)


def _check_wav_size(name: str, info: WavInfo, file_size: int) -> int:
    """Bytes of samples in a WAV of ``file_size`` bytes; refuses a file shorter than its header says."""
    available = max(0, file_size - info.data_offset)
    if info.data_size is not None and info.data_size > available:
        raise MediaInputError(
            name,
            f"looks truncated: its WAV header declares {info.data_size} bytes of audio but the file holds "
            f"{available}; check that the file was copied completely",
        )
    return available if info.data_size is None else info.data_size


def _fast_path(name: str, path: str, info: WavInfo, max_request_bytes: int) -> PreparedAudio:
    data = _check_wav_size(name, info, os.path.getsize(path))
    samples = data // SAMPLE_WIDTH
    if not samples:
        raise MediaInputError(name, "holds no audio (its WAV data chunk is empty)")
    return PreparedAudio(
        name,
        path,
        info.data_offset,
        samples,
        converted=False,
        temporary=False,
        max_request_bytes=max_request_bytes,
    )


def _copy_pcm(stream: BinaryIO, out: IO[bytes], info: WavInfo, name: str) -> int:
    """Copy a ready WAV's samples from a stream that is not a local file; returns the sample count."""
    left = info.data_size
    copied = 0
    while left is None or left > 0:
        block = stream.read(_COPY_BLOCK if left is None else min(_COPY_BLOCK, left))
        if not block:
            break
        out.write(block)
        copied += len(block)
        left = None if left is None else left - len(block)
    if left:
        _check_wav_size(name, info, info.data_offset + copied)
    if copied % SAMPLE_WIDTH:
        out.truncate(copied - copied % SAMPLE_WIDTH)
    if copied < SAMPLE_WIDTH:
        raise MediaInputError(name, "holds no audio (its WAV data chunk is empty)")
    return copied // SAMPLE_WIDTH


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)
