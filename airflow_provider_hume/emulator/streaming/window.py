"""The per-connection audio sliding window (hume-api-v0.md §4.8).

A payload's audio is processed together with up to ``stream_window_ms - its duration`` of the audio before it
("a window of 600 ms would append the full 500 ms of the second payload to the last 100 ms of the first").
Models score the window as one recording whose time 0 is the window's start. The emulator does not need
samples to score, so the window keeps each chunk's digest, duration and silence, never its bytes; after a
payload it retains exactly the trailing ``stream_window_ms`` of audio, in at most :data:`MAX_CHUNKS` chunks.
"""

from __future__ import annotations

import hashlib
from collections import deque
from dataclasses import dataclass
from typing import Final

MAX_CHUNKS: Final = 256


@dataclass(frozen=True)
class AudioChunk:
    """One payload's audio."""

    digest: str
    duration_ms: float
    silent: bool


@dataclass(frozen=True)
class WindowSpan:
    """The part of a chunk inside a window: all of it but the first ``skip_ms``."""

    chunk: AudioChunk
    skip_ms: float = 0.0

    @property
    def duration_ms(self) -> float:
        """Milliseconds of the chunk inside the window."""
        return self.chunk.duration_ms - self.skip_ms


@dataclass(frozen=True)
class WindowView:
    """The audio a payload's models score: earlier context, then the payload's own chunk."""

    spans: tuple[WindowSpan, ...]

    @property
    def duration_ms(self) -> float:
        """Length of the window."""
        return sum(span.duration_ms for span in self.spans)

    @property
    def silent(self) -> bool:
        """Whether every chunk in the window is silent."""
        return all(span.chunk.silent for span in self.spans)

    @property
    def key(self) -> str:
        """A digest of the window's content: what seeds its predictions."""
        parts = (
            f"{span.chunk.digest}:{span.skip_ms:.3f}:{span.chunk.duration_ms:.3f}" for span in self.spans
        )
        return hashlib.sha256("|".join(parts).encode()).hexdigest()


class AudioWindow:
    """The retained audio of one connection."""

    def __init__(self) -> None:
        self._spans: deque[WindowSpan] = deque(maxlen=MAX_CHUNKS)

    @property
    def retained_ms(self) -> float:
        """Milliseconds of audio kept for the next payload."""
        return sum(span.duration_ms for span in self._spans)

    def reset(self) -> None:
        """Forget all context (``reset_stream``)."""
        self._spans.clear()

    def advance(self, chunk: AudioChunk, window_ms: float) -> WindowView:
        """The window of ``chunk``; then keep the trailing ``window_ms`` of audio, ``chunk`` included."""
        view = WindowView((*self._tail(window_ms - chunk.duration_ms), WindowSpan(chunk)))
        self._spans.append(WindowSpan(chunk))
        self._spans = deque(self._tail(window_ms), maxlen=MAX_CHUNKS)
        return view

    def _tail(self, budget_ms: float) -> list[WindowSpan]:
        """The last ``budget_ms`` of retained audio (the oldest span cut to fit)."""
        spans: deque[WindowSpan] = deque()
        for span in reversed(self._spans):
            if budget_ms <= 0:
                break
            skip = span.skip_ms + max(0.0, span.duration_ms - budget_ms)
            spans.appendleft(WindowSpan(span.chunk, skip))
            budget_ms -= span.chunk.duration_ms - skip
        return list(spans)
