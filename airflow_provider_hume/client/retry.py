"""The one retry policy shared by the sync and async Hume clients.

Reads (GET) are retried on 408, 429, 5xx, connection errors and read timeouts, honouring ``Retry-After``.
The POST that creates a job is retried only when the request provably never reached the server
(connection refused, DNS failure, connect timeout): retrying anything else could start the same paid job
twice. The clients own the I/O; :class:`RetryTracker` owns every decision and every retry log line.
"""

from __future__ import annotations

import enum
import logging
import math
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

log = logging.getLogger(__name__)

_RNG = random.Random()
_MAX_EXPONENT = 62


def is_retryable_status(status: int) -> bool:
    """Whether a response status is worth retrying for an idempotent request."""
    return status in (408, 429) or 500 <= status <= 599


def parse_retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds to wait per ``retry-after-ms`` or ``Retry-After`` (seconds or HTTP date); None if absent.

    Header names are matched case-insensitively; unparsable values count as absent; negative waits become 0.
    """
    lowered = {str(name).lower(): str(value).strip() for name, value in headers.items()}
    milliseconds = _as_number(lowered.get("retry-after-ms"))
    if milliseconds is not None:
        return max(milliseconds / 1000.0, 0.0)
    value = lowered.get("retry-after")
    if not value:
        return None
    seconds = _as_number(value)
    if seconds is not None:
        return max(seconds, 0.0)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        return None
    current = time.time() if now is None else now
    return max(moment.timestamp() - current, 0.0)


def _as_number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


@dataclass(frozen=True)
class RetryPolicy:
    """How many times and how long to wait between retries.

    ``delay`` honours a server's ``Retry-After`` (capped at ``max_retry_after``) and otherwise backs off
    exponentially from ``base_delay`` with ``±jitter`` (a fraction), capped at ``max_delay``.
    """

    max_retries: int = 5
    base_delay: float = 1.0
    max_delay: float = 60.0
    jitter: float = 0.2
    max_retry_after: float = 300.0

    def __post_init__(self) -> None:
        if (
            isinstance(self.max_retries, bool)
            or not isinstance(self.max_retries, int)
            or self.max_retries < 0
        ):
            raise ValueError(f"max_retries must be an integer >= 0 (got {self.max_retries!r})")
        for name in ("base_delay", "max_delay", "max_retry_after"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
                raise ValueError(f"{name} must be a number >= 0 (got {value!r})")
        if (
            isinstance(self.jitter, bool)
            or not isinstance(self.jitter, (int, float))
            or not 0 <= self.jitter <= 1
        ):
            raise ValueError(f"jitter must be between 0 and 1 (got {self.jitter!r})")

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random | None = None) -> float:
        """Seconds to sleep before retry number ``attempt`` (0 for the first retry)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after)
        backoff = min(self.base_delay * 2.0 ** min(attempt, _MAX_EXPONENT), self.max_delay)
        spread = (rng or _RNG).uniform(-self.jitter, self.jitter)
        return max(min(backoff * (1.0 + spread), self.max_delay), 0.0)


class Delivery(enum.Enum):
    """What a transport failure says about whether the server saw the request."""

    NOT_SENT = "not sent"
    """Provably never reached the server: connection refused, DNS failure, connect timeout."""
    MAYBE_SENT = "maybe sent"
    """The request may have been (partly) received: reset, dropped connection, read timeout."""


@dataclass
class RetryTracker:
    """Decides, for one logical request, whether and how long to wait before the next attempt.

    ``idempotent`` requests (GETs) retry on retryable statuses and any transport failure; others (the
    job-creating POST) only on :attr:`Delivery.NOT_SENT` failures. A retry whose delay would end past
    ``deadline`` (Unix time, read from ``clock``) is not made, so a caller with a deadline overshoots it by
    one request at most. Each method returns the delay to sleep, or None to give up.
    """

    policy: RetryPolicy
    method: str
    path: str
    idempotent: bool
    rng: random.Random | None = None
    deadline: float = math.inf
    clock: Callable[[], float] = time.time
    attempt: int = field(default=0, init=False)

    def after_status(self, status: int, headers: Mapping[str, str]) -> float | None:
        """Delay before retrying after an error status, or None when the status is final."""
        if not self.idempotent or not is_retryable_status(status):
            return None
        return self._next(f"HTTP {status}", parse_retry_after(headers))

    def after_rejection(self, status: int, headers: Mapping[str, str]) -> float | None:
        """Delay before retrying an answer the caller knows to be a refusal before any work was done.

        Unlike :meth:`after_status` this applies to non-idempotent requests too: the caller has decided, from
        the answer's status and body, that repeating the request cannot do the work twice.
        """
        return self._next(f"HTTP {status}", parse_retry_after(headers))

    def after_error(self, error: BaseException, delivery: Delivery) -> float | None:
        """Delay before retrying after a transport failure, or None when it must surface."""
        if not self.idempotent and delivery is not Delivery.NOT_SENT:
            return None
        return self._next(type(error).__name__, None)

    def _next(self, reason: str, retry_after: float | None) -> float | None:
        if self.attempt >= self.policy.max_retries:
            return None
        delay = self.policy.delay(self.attempt, retry_after, self.rng)
        if self.clock() + delay >= self.deadline:
            log.warning(
                "Hume %s %s failed (%s); not retrying in %.1f s, which would pass the deadline",
                self.method,
                self.path,
                reason,
                delay,
            )
            return None
        self.attempt += 1
        log.warning(
            "Hume %s %s failed (%s); retrying in %.1f s (attempt %d/%d)",
            self.method,
            self.path,
            reason,
            delay,
            self.attempt,
            self.policy.max_retries,
        )
        return delay
