"""The send-rate limit of a realtime session (hume-api-v1.md §7.1): a token bucket on the emulator's clock.

Audio pays the seconds of audio in a frame (refilled at 1 s per second), video one token per frame (refilled
at 3 per second). The bucket starts full. A frame costing more than the whole bucket (audio frames may hold up
to 10 s) passes when the bucket is full and leaves it in debt, so the average rate still holds.
"""

from __future__ import annotations

_EPSILON = 1e-9


class TokenBucket:
    """``take(cost, now)``: whether a frame costing ``cost`` may pass at ``now`` (seconds, monotonic)."""

    def __init__(self, rate: float, capacity: float, now: float) -> None:
        if rate <= 0 or capacity <= 0:
            raise ValueError("rate and capacity must be positive")
        self.rate = rate
        self.capacity = capacity
        self._tokens = capacity
        self._updated = now

    def take(self, cost: float, now: float) -> bool:
        """Take ``cost`` tokens if the bucket holds them (or is full); ``False`` leaves it unchanged."""
        self._tokens = min(self.capacity, self._tokens + max(0.0, now - self._updated) * self.rate)
        self._updated = max(self._updated, now)
        if self._tokens + _EPSILON < min(cost, self.capacity):
            return False
        self._tokens -= cost
        return True
