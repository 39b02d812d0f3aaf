"""Send pacing for the realtime sockets (hume-api-v1.md §7.1): token buckets on an injected clock.

Audio may be sent at 1 s of audio per second; :class:`AudioPacer` holds at most ``burst_seconds`` of
allowance (a frame longer than that waits for a full bucket and leaves it in debt), and a ``rate_limited``
reply empties it, so the resent frame waits one frame's length. Video may be sent at 3 frames per second;
:class:`FramePacer` starts with one frame of allowance and holds two, halves its rate on each
``rate_limited`` (down to 0.5 fps) and climbs back by one frame per second for each second of frames the
server accepts — the SDK's ``stream_video`` schedule (hume-api-v1.md §10). ``speed`` multiplies every rate:
it is a test aid for an emulator started with a matching rate multiplier, never for Hume.
"""

from __future__ import annotations

import math
from typing import Final

AUDIO_SECONDS_PER_SECOND: Final = 1.0
MAX_FPS: Final = 3.0
MIN_FPS: Final = 0.5
_BURST_FRAMES: Final = 2.0
_STARTING_FRAMES: Final = 1.0


class _Bucket:
    """Tokens refilled at ``rate`` per second up to ``capacity``; the level may go below zero (debt)."""

    def __init__(self, rate: float, capacity: float, tokens: float, now: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = tokens
        self._updated = now

    def refill(self, now: float) -> None:
        self.tokens = min(self.capacity, self.tokens + max(0.0, now - self._updated) * self.rate)
        self._updated = max(self._updated, now)

    def delay(self, cost: float, now: float) -> float:
        """Seconds until ``cost`` may be taken (0 now); rounded up to the millisecond."""
        self.refill(now)
        missing = min(cost, self.capacity) - self.tokens
        return 0.0 if missing <= 1e-9 else math.ceil(missing * 1000 / self.rate - 1e-6) / 1000

    def take(self, cost: float, now: float) -> None:
        self.refill(now)
        self.tokens -= cost


class AudioPacer:
    """Seconds of audio allowed per second (``speed``), with ``burst_seconds`` of allowance at most."""

    def __init__(self, now: float, *, speed: float = 1.0, burst_seconds: float = 0.2) -> None:
        if not (math.isfinite(speed) and speed > 0) or not (
            math.isfinite(burst_seconds) and burst_seconds > 0
        ):
            raise ValueError("speed and burst_seconds must be positive")
        rate = AUDIO_SECONDS_PER_SECOND * speed
        self._bucket = _Bucket(rate, burst_seconds, burst_seconds, now)

    def delay(self, seconds_of_audio: float, now: float) -> float:
        """Seconds to wait before a frame holding ``seconds_of_audio`` may be sent."""
        return self._bucket.delay(seconds_of_audio, now)

    def sent(self, seconds_of_audio: float, now: float) -> None:
        """Account for a frame sent at ``now``."""
        self._bucket.take(seconds_of_audio, now)

    def rejected(self, now: float) -> None:
        """The server said ``rate_limited``: the next frame waits its own length before it is sent."""
        self._bucket.refill(now)
        self._bucket.tokens = min(self._bucket.tokens, 0.0)


class FramePacer:
    """Frames allowed per second: 3 x ``speed`` at most, halved per rejection, 0.5 x ``speed`` at least."""

    def __init__(self, now: float, *, speed: float = 1.0, fps: float = MAX_FPS) -> None:
        if not (math.isfinite(speed) and speed > 0) or not 0 < fps <= MAX_FPS:
            raise ValueError(f"speed must be positive and fps in (0, {MAX_FPS:g}]")
        self._speed = speed
        self.max_rate = fps * speed
        self.min_rate = min(MIN_FPS * speed, self.max_rate)
        self._bucket = _Bucket(self.max_rate, _BURST_FRAMES, _STARTING_FRAMES, now)
        self._sends = 0
        self._slowed_after = 0

    @property
    def rate(self) -> float:
        """Frames per second now."""
        return self._bucket.rate

    def delay(self, now: float) -> float:
        """Seconds to wait before the next frame may be sent."""
        return self._bucket.delay(1.0, now)

    def sent(self, now: float) -> int:
        """Account for a frame sent at ``now``; its send number (from 1), to pass back with its reply."""
        self._bucket.take(1.0, now)
        self._sends += 1
        return self._sends

    def rejected(self, send_number: int, now: float) -> None:
        """``rate_limited`` for send ``send_number``: halve the rate once per burst of rejections."""
        if send_number <= self._slowed_after:
            return
        bucket = self._bucket
        bucket.refill(now)
        bucket.rate = max(self.min_rate, bucket.rate / 2)
        bucket.tokens = 0.0
        bucket.capacity = min(_BURST_FRAMES, max(1.0, bucket.rate))
        self._slowed_after = self._sends

    def accepted(self, send_number: int, now: float) -> None:
        """A reply other than ``rate_limited`` for send ``send_number``: climb back towards the maximum."""
        bucket = self._bucket
        if send_number <= self._slowed_after or bucket.rate >= self.max_rate:
            return
        bucket.refill(now)
        bucket.rate = min(self.max_rate, bucket.rate + self._speed**2 / bucket.rate)
