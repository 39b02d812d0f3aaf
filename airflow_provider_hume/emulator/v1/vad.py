"""Energy-based voice activity on 16 kHz s16 samples (hume-api-v1.md §5): speech is RMS at or above a level.

Frames of 10 ms decide whether speech is present (from every fourth sample); the first and last voiced
millisecond inside a frame (all its samples) place an utterance's edges to the millisecond. The level
(``threshold_dbfs``) is a setting, a guess (✖).
"""

from __future__ import annotations

import operator
from array import array
from typing import Final

SAMPLE_RATE: Final = 16_000
SAMPLES_PER_MS: Final = SAMPLE_RATE // 1000
FRAME_MS: Final = 10
FRAME_SAMPLES: Final = FRAME_MS * SAMPLES_PER_MS
FULL_SCALE: Final = 32768.0
FRAME_STEP: Final = 4


class EnergyDetector:
    """Whether stretches of samples are speech, by their mean square against ``threshold_dbfs``."""

    def __init__(self, threshold_dbfs: float = -40.0) -> None:
        self._level = FULL_SCALE * 10 ** (threshold_dbfs / 20)
        self._min_square = self._level * self._level

    def voiced(self, samples: array[int], start: int, end: int, step: int = 1) -> bool:
        """Whether ``samples[start:end]`` (not empty) is speech, from every ``step``-th sample.

        A stretch whose peak is under the level cannot reach it in RMS, so it is ruled out without the sum.
        """
        chunk = samples[start:end:step]
        if max(chunk) < self._level and -min(chunk) < self._level:
            return False
        energy: int = sum(map(operator.mul, chunk, chunk))
        return energy >= self._min_square * len(chunk)

    def frame_voiced(self, samples: array[int], start: int, end: int) -> bool:
        """Whether a frame is speech, from every fourth sample (4 kHz is plenty for an energy level)."""
        return self.voiced(samples, start, end, FRAME_STEP)

    def first_voiced_ms(self, samples: array[int], start: int, end: int) -> int:
        """Milliseconds from ``start`` to the first voiced one in ``samples[start:end]`` (0 if none)."""
        for offset in range(start, end, SAMPLES_PER_MS):
            if self.voiced(samples, offset, min(offset + SAMPLES_PER_MS, end)):
                return (offset - start) // SAMPLES_PER_MS
        return 0

    def voiced_end_ms(self, samples: array[int], start: int, end: int) -> int:
        """Milliseconds from ``start`` to the end of the last voiced one in ``samples[start:end]``."""
        offsets = list(range(start, end, SAMPLES_PER_MS))
        for offset in reversed(offsets):
            if self.voiced(samples, offset, min(offset + SAMPLES_PER_MS, end)):
                return (offset - start) // SAMPLES_PER_MS + 1
        return len(offsets)
