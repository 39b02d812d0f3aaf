"""When and how soon a realtime stream opens a new session (hume-api-v1.md §7.1, §10).

The rules are those of Hume's SDK (``reconnect/_policy.py``): reconnect after ``session.closed`` with reason
``server_shutdown`` (whatever the close code), after close codes 1001/1006/1011/1012/1013 (1006: no close
frame), and after 1008 only for an audio ``internal_error``. The first delay is drawn from 1 to 5 s, each next
one is 1.3 times longer, up to 10 s; 30 attempts in a row at most, and a connection that stayed open 5 s
starts the count again. A refused handshake is retried for 408, 429 and 5xx; other 4xx are final. Every
reconnect is a new session, so a new run.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from airflow_provider_hume.client._fields import invalid
from airflow_provider_hume.client.v1.realtime.messages import Endpoint

RECONNECT_CODES: Final = frozenset({1001, 1006, 1011, 1012, 1013})
POLICY_VIOLATION: Final = 1008
ABNORMAL_CLOSURE: Final = 1006


@dataclass(frozen=True)
class ReconnectPolicy:
    """The reconnect schedule; ``max_attempts=0`` turns reconnecting off."""

    max_attempts: int = 30
    first_delay: tuple[float, float] = (1.0, 5.0)
    growth: float = 1.3
    max_delay: float = 10.0
    min_uptime: float = 5.0

    def __post_init__(self) -> None:
        low, high = self.first_delay
        if self.max_attempts < 0:
            raise invalid("ReconnectPolicy.max_attempts", "must be >= 0", self.max_attempts)
        if not 0 <= low <= high:
            raise invalid(
                "ReconnectPolicy.first_delay", "must be (low, high) with 0 <= low <= high", self.first_delay
            )
        if self.growth < 1 or self.max_delay < high or self.min_uptime < 0:
            raise invalid(
                "ReconnectPolicy", "needs growth >= 1, max_delay >= first_delay[1], min_uptime >= 0", self
            )


def should_reconnect(
    endpoint: Endpoint, close_code: int | None, closed_reason: str | None, error_code: str | None
) -> bool:
    """Whether a session that ended this way may be followed by a new one.

    ``close_code`` is the server's close code (``None``: no close frame), ``closed_reason`` the reason of the
    ``session.closed`` received (if any), ``error_code`` the last ``error`` code of the session.
    """
    if closed_reason == "server_shutdown":
        return True
    code = ABNORMAL_CLOSURE if close_code is None else close_code
    if code == POLICY_VIOLATION:
        return endpoint == "audio" and error_code == "internal_error"
    return code in RECONNECT_CODES


class Backoff:
    """Spaces attempts out and ends them after too many in a row; ``uniform`` draws the first delay."""

    def __init__(
        self, policy: ReconnectPolicy, uniform: Callable[[float, float], float] = random.uniform
    ) -> None:
        self._policy = policy
        self._first = uniform(*policy.first_delay)
        self._made = 0
        self._opened_at: float | None = None

    @property
    def attempts(self) -> int:
        """Attempts made in the current run of failures."""
        return self._made

    def opened(self, now: float) -> None:
        """A connection opened at ``now`` (monotonic seconds)."""
        self._opened_at = now

    def next_delay(self, now: float) -> float | None:
        """Seconds to wait before the next attempt, or ``None`` when no attempt is left."""
        policy = self._policy
        if self._opened_at is not None and now - self._opened_at >= policy.min_uptime:
            self._made = 0
        self._opened_at = None
        if self._made >= policy.max_attempts:
            return None
        self._made += 1
        return min(policy.max_delay, self._first * policy.growth ** (self._made - 1))
