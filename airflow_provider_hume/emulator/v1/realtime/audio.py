"""The audio session (hume-api-v1.md §7.1 "Audio specifics"): PCM frames in, utterances and measurements out.

A binary frame is checked in this order: message size (over 1 MiB ends the session), the frame itself (empty,
an odd byte count or over 10 s of audio: ``invalid_audio_frame``, the session goes on), then the send rate
(faster than 1 s of audio per second: ``rate_limited``, none of its audio measured). An accepted frame joins
the stream the measurer reads; accepted frames are not acknowledged. An injected server error is an audio
``internal_error``, which ends the session (hume-api-v1.md §4.2).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from airflow_provider_hume.emulator.backend.faults import Rejection
from airflow_provider_hume.emulator.v1.audio_measure import AudioMeasurer
from airflow_provider_hume.emulator.v1.realtime.bucket import TokenBucket
from airflow_provider_hume.emulator.v1.realtime.config import audio_update, default_audio_config
from airflow_provider_hume.emulator.v1.realtime.messages import Message, Step, error
from airflow_provider_hume.emulator.v1.realtime.session import RealtimeSession
from airflow_provider_hume.emulator.v1.runs import RunStore

MAX_MESSAGE_BYTES: Final = 1_048_576
"""Any message on the audio socket: 1 MiB (hume-api-v1.md §4.2)."""
BYTES_PER_SECOND: Final = 32_000
MAX_FRAME_BYTES: Final = 10 * BYTES_PER_SECOND
"""One frame holds at most 10 s of audio, 320,000 bytes (hume-api-v1.md §7.1)."""


def frame_problem(data: bytes) -> str | None:
    """Why a binary frame is not valid audio, or ``None``."""
    if not data:
        return "the frame is empty"
    if len(data) % 2:
        return f"the frame has an odd number of bytes ({len(data)}); samples are 2 bytes each"
    if len(data) > MAX_FRAME_BYTES:
        return f"the frame holds more than 10 s of audio ({len(data)} bytes, at most {MAX_FRAME_BYTES})"
    return None


class AudioSession(RealtimeSession):
    """A session of ``/v1/expression/audio/realtime``."""

    endpoint = "audio"
    max_message_bytes = MAX_MESSAGE_BYTES
    limit_text = "1 MiB"

    def __init__(
        self,
        runs: RunStore,
        user_id: str,
        clock: Callable[[], float],
        *,
        burst_seconds: float,
        measurer: Callable[[int], AudioMeasurer],
    ) -> None:
        super().__init__(runs, user_id, clock)
        self._bucket = TokenBucket(1.0, burst_seconds, clock())
        self._new_measurer = measurer
        self._measurer: AudioMeasurer | None = None
        self.frames = 0

    def default_config(self) -> dict[str, Any]:
        return default_audio_config()

    def parse_update(self, message: Mapping[str, Any]) -> dict[str, Any]:
        return audio_update(message)

    def on_media(self, data: bytes, injected: Rejection | None = None) -> Step:
        self.media_seen = True
        if len(data) > MAX_MESSAGE_BYTES:
            return self.too_large()
        problem = frame_problem(data)
        if problem is not None:
            self.heard()
            self.event("invalid_audio_frame", {"detail": problem})
            return Step([error("invalid_audio_frame", f"{problem}; the frame was discarded", retryable=True)])
        limited = injected is not None and injected.status == 429
        if limited or not self._bucket.take(len(data) / BYTES_PER_SECOND, self._clock()):
            return self.rate_limited()
        if injected is not None:
            text = "measurement failed; open a new connection (fault injected by the emulator)"
            return Step([error("internal_error", text, retryable=False)], end="error")
        self.frames += 1
        self.media_taken += 1
        self.bytes_received += len(data)
        messages = self._measuring().feed(data)
        self.heard()
        return Step(messages)

    def flush(self) -> list[Message]:
        return self._measurer.finish() if self._measurer is not None else []

    def totals(self) -> dict[str, Any]:
        measurer = self._measurer
        return {
            "received": {
                "audio_duration_ms": measurer.received_ms if measurer else 0,
                "frames": self.frames,
            },
            "produced": {
                "utterances": measurer.utterances if measurer else 0,
                "measurements": measurer.measurements if measurer else 0,
            },
        }

    def metered_seconds(self) -> float:
        return self.bytes_received / BYTES_PER_SECOND

    def _measuring(self) -> AudioMeasurer:
        if self._measurer is None:
            self._measurer = self._new_measurer(self.config["measurement_timer_ms"])
        return self._measurer
