"""Utterances and measurements from a stream of 16 kHz mono s16le PCM (hume-api-v1.md §5, §7.1).

:class:`AudioMeasurer` is fed bytes as they come (any split, odd ones included) and answers with the
messages they give, in wire shape with ``type``; the file route feeds a whole upload, a realtime session its
frames. The rules:

* an utterance starts at the first voiced millisecond (:mod:`.vad`) and ends at the last one, once
  ``hangover_ms`` of silence (✖ a guess) follow it, or when the audio ends;
* a measurement every ``timer_ms`` of speech from the utterance's start (``interval``), while the utterance
  lasts, so one taken during the closing silence ends a little after the utterance;
* at the end a ``speech_ended`` measurement, unless the utterance's previous measurement ended less than 1 s
  before the end; so every utterance gets at least one;
* a window is the utterance's last 10 s at most; ids count from 0 per measurer (per run), times from the
  start of the audio;
* scores are seeded by the window's samples, so the same audio gives the same results in both modes.

Only the last ``10 s + hangover`` of samples are kept.
"""

from __future__ import annotations

import sys
from array import array
from dataclasses import dataclass
from typing import Any, Final

from airflow_provider_hume.emulator.v1.scores import (
    AUDIO_EXPRESSION_SCORES,
    VOICE_ATTRIBUTE_SCORES,
    seeded_random,
    sparse_scores,
)
from airflow_provider_hume.emulator.v1.vad import FRAME_SAMPLES, SAMPLES_PER_MS, EnergyDetector

WINDOW_MS: Final = 10_000
SPEECH_ENDED_MIN_GAP_MS: Final = 1_000
DEFAULT_TIMER_MS: Final = 3_000
DEFAULT_HANGOVER_MS: Final = 500
_FRAME_BYTES: Final = FRAME_SAMPLES * 2

Message = dict[str, Any]


@dataclass
class _Utterance:
    utterance_id: int
    start_ms: int
    voiced_end_ms: int
    next_interval_ms: int
    last_measured_ms: int | None = None


class AudioMeasurer:
    """The incremental measurer of one run's audio."""

    def __init__(
        self,
        timer_ms: int = DEFAULT_TIMER_MS,
        seed: int = 0,
        *,
        threshold_dbfs: float = -40.0,
        hangover_ms: int = DEFAULT_HANGOVER_MS,
    ) -> None:
        self.timer_ms = timer_ms
        self.seed = seed
        self.hangover_ms = hangover_ms
        self.utterances = 0
        self.measurements = 0
        self._detector = EnergyDetector(threshold_dbfs)
        self._bytes = 0
        self._pending = bytearray()
        self._samples: array[int] = array("h")
        self._first_sample = 0
        self._keep = (WINDOW_MS + hangover_ms + 2 * FRAME_SAMPLES // SAMPLES_PER_MS) * SAMPLES_PER_MS
        self._utterance: _Utterance | None = None
        self._finished = False

    @property
    def received_ms(self) -> int:
        """Milliseconds of audio fed so far."""
        return self._bytes // 2 // SAMPLES_PER_MS

    def feed(self, pcm: bytes) -> list[Message]:
        """Take the next bytes; the messages they complete."""
        if self._finished:
            raise RuntimeError("the measurer has finished")
        self._bytes += len(pcm)
        self._pending += pcm
        whole = len(self._pending) - len(self._pending) % _FRAME_BYTES
        if not whole:
            return []
        messages = self._take(bytes(self._pending[:whole]))
        del self._pending[:whole]
        return messages

    def finish(self) -> list[Message]:
        """The audio ended: the last partial frame, and the end of an utterance in progress."""
        if self._finished:
            return []
        self._finished = True
        tail = bytes(self._pending[: len(self._pending) - len(self._pending) % 2])
        self._pending.clear()
        messages = self._take(tail) if tail else []
        if self._utterance is not None:
            messages += self._end_utterance(self._utterance)
        return messages

    def _take(self, data: bytes) -> list[Message]:
        """Append whole samples and process them frame by frame."""
        chunk: array[int] = array("h")
        chunk.frombytes(data)
        if sys.byteorder == "big":
            chunk.byteswap()
        start = self._first_sample + len(self._samples)
        self._samples.extend(chunk)
        messages: list[Message] = []
        for frame_start in range(start, start + len(chunk), FRAME_SAMPLES):
            frame_end = min(frame_start + FRAME_SAMPLES, start + len(chunk))
            messages += self._frame(frame_start, frame_end)
        excess = len(self._samples) - self._keep
        if excess > self._keep:
            del self._samples[:excess]
            self._first_sample += excess
        return messages

    def _frame(self, start: int, end: int) -> list[Message]:
        """Process samples ``[start, end)`` (absolute indexes) of one frame."""
        messages: list[Message] = []
        low, high = start - self._first_sample, end - self._first_sample
        start_ms = start // SAMPLES_PER_MS
        if self._detector.frame_voiced(self._samples, low, high):
            if self._utterance is None:
                first = start_ms + self._detector.first_voiced_ms(self._samples, low, high)
                self._utterance = _Utterance(self.utterances, first, first + 1, first + self.timer_ms)
                self.utterances += 1
                messages.append(
                    {
                        "type": "utterance.start",
                        "utterance_id": self._utterance.utterance_id,
                        "audio_start_ms": first,
                    }
                )
            self._utterance.voiced_end_ms = start_ms + self._detector.voiced_end_ms(self._samples, low, high)
        utterance = self._utterance
        if utterance is None:
            return messages
        now_ms = end // SAMPLES_PER_MS
        ends_at = utterance.voiced_end_ms + self.hangover_ms
        while utterance.next_interval_ms <= now_ms and utterance.next_interval_ms < ends_at:
            messages.append(self._measure(utterance, utterance.next_interval_ms, "interval"))
            utterance.next_interval_ms += self.timer_ms
        if ends_at <= now_ms:
            messages += self._end_utterance(utterance)
        return messages

    def _end_utterance(self, utterance: _Utterance) -> list[Message]:
        self._utterance = None
        end = utterance.voiced_end_ms
        messages: list[Message] = []
        last = utterance.last_measured_ms
        if last is None or end - last >= SPEECH_ENDED_MIN_GAP_MS:
            messages.append(self._measure(utterance, end, "speech_ended"))
        messages.append(
            {
                "type": "utterance.end",
                "utterance_id": utterance.utterance_id,
                "audio_start_ms": utterance.start_ms,
                "audio_end_ms": end,
            }
        )
        return messages

    def _measure(self, utterance: _Utterance, end_ms: int, trigger: str) -> Message:
        start_ms = max(utterance.start_ms, end_ms - WINDOW_MS)
        low = start_ms * SAMPLES_PER_MS - self._first_sample
        high = end_ms * SAMPLES_PER_MS - self._first_sample
        window = self._samples[max(0, low) : max(0, high)].tobytes()
        rng = seeded_random(self.seed, "audio", window)
        utterance.last_measured_ms = end_ms
        message = {
            "type": "measurement.result",
            "measurement_id": self.measurements,
            "utterance_id": utterance.utterance_id,
            "audio_start_ms": start_ms,
            "audio_end_ms": end_ms,
            "trigger": trigger,
            "expressions": sparse_scores(AUDIO_EXPRESSION_SCORES, rng),
            "voice_attributes": sparse_scores(VOICE_ATTRIBUTE_SCORES, rng),
        }
        self.measurements += 1
        return message
