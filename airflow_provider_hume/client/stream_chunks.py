"""Splitting inputs that exceed one streaming payload: long WAV audio by time, long text by sentences.

Audio is read with the stdlib ``wave`` module one chunk at a time, so a one-hour file costs the memory of one
five-second chunk. Each chunk carries its offset into the original input, which the stitcher
adds back to the times and character positions Hume reports for it.
"""

from __future__ import annotations

import io
import math
import os
import re
import wave
from collections.abc import Iterator
from dataclasses import dataclass

from airflow_provider_hume.client.errors import HumeValidationError
from airflow_provider_hume.client.stream_payloads import MAX_AUDIO_MS, MAX_TEXT_CHARS

# A sentence ends with terminal punctuation (and any closing quotes or brackets) followed by whitespace,
# or at a line break.
_SENTENCE_END = re.compile(r"[.!?\u2026\u3002\uff01\uff1f]+[\"'\u201d\u2019)\]]*\s+|\n\s*")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class AudioChunk:
    """A complete WAV file holding ``duration`` seconds of the input, starting ``offset`` seconds in."""

    index: int
    offset: float
    duration: float
    data: bytes


@dataclass(frozen=True)
class TextChunk:
    """``text`` is the input's characters from ``offset`` on; the chunks concatenate to the input."""

    index: int
    offset: int
    text: str


def iter_wav_chunks(path: str | os.PathLike[str], max_ms: int = MAX_AUDIO_MS) -> Iterator[AudioChunk]:
    """Yield the WAV at ``path`` as chunks of equal length, each at most ``max_ms`` milliseconds.

    Equal lengths avoid a last sliver of audio too short for the models. One chunk is in memory at a time.
    """
    if not 0 < max_ms <= MAX_AUDIO_MS:
        raise HumeValidationError(f"max_ms must be between 1 and {MAX_AUDIO_MS} (got {max_ms!r})")
    name = os.fspath(path)
    try:
        reader = wave.open(name, "rb")  # noqa: SIM115 - closed by the with block below
    except (wave.Error, EOFError) as exc:
        raise HumeValidationError(f"{name} is not a PCM WAV file that can be split: {exc}") from None
    with reader:
        params = reader.getparams()
        if params.framerate <= 0:
            raise HumeValidationError(f"{name} has no valid sample rate")
        frame_bytes = params.sampwidth * params.nchannels
        max_frames = max(params.framerate * max_ms // 1000, 1)
        count = max(math.ceil(params.nframes / max_frames), 1)
        per_chunk = math.ceil(params.nframes / count) or max_frames
        start = 0
        index = 0
        while frames := reader.readframes(per_chunk):
            size = len(frames) // frame_bytes
            buffer = io.BytesIO()
            with wave.open(buffer, "wb") as writer:
                writer.setparams(params)
                writer.writeframes(frames)
            yield AudioChunk(index, start / params.framerate, size / params.framerate, buffer.getvalue())
            start += size
            index += 1


def _cut(text: str, start: int, limit: int) -> int:
    """Where the chunk from ``start`` ends: its last sentence end, else last whitespace, else the limit."""
    end = start + limit
    for pattern in (_SENTENCE_END, _WHITESPACE):
        ends = [match.end() for match in pattern.finditer(text, start, end)]
        if ends and ends[-1] > start:
            return ends[-1]
    return end


def split_text(text: str, max_chars: int = MAX_TEXT_CHARS) -> list[TextChunk]:
    """Split ``text`` into chunks of at most ``max_chars`` characters, at sentence boundaries when possible.

    A text within the limit is one chunk. Otherwise each chunk ends at its last sentence end, or failing that
    its last whitespace, or failing both (one enormous word) at the limit itself.
    """
    if max_chars < 1:
        raise HumeValidationError(f"max_chars must be at least 1 (got {max_chars!r})")
    chunks: list[TextChunk] = []
    start = 0
    while len(text) - start > max_chars:
        end = _cut(text, start, max_chars)
        chunks.append(TextChunk(len(chunks), start, text[start:end]))
        start = end
    chunks.append(TextChunk(len(chunks), start, text[start:]))
    return chunks
