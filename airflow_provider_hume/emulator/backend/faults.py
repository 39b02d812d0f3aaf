"""Fault injection decisions (no HTTP here; ``http.fault_middleware`` applies them to requests).

Every random decision comes from generators seeded by the emulator's ``seed`` (one for request faults, one
for job faults, so turning on one kind does not shift the other), so the same seed and the same sequence of
requests give the same faults. The rate limit is a token bucket per presented API key (requests without a
key share one): it holds up to ``max(1, rate_limit)`` tokens, refilled at ``rate_limit`` per second on the
emulator's clock.
"""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Final

from airflow_provider_hume.emulator.backend.counters import Counters
from airflow_provider_hume.emulator.backend.settings import FaultSettings

#: Routes whose response bodies ``drop_rate`` may cut short: the two ``v0`` downloads, and the ``v1`` uploads
#: (their run is recorded, the client never reads the results) and runs list.
DROP_ROUTES: Final = frozenset(
    {
        "GET /v0/batch/jobs/{job_id}/predictions",
        "GET /v0/batch/jobs/{job_id}/artifacts",
        "POST /v1/expression/audio/file",
        "POST /v1/expression/video/file",
        "GET /v1/expression/run",
    }
)


@dataclass(frozen=True)
class Rejection:
    """An error status sent instead of calling the API; ``retry_after`` seconds for a 429."""

    status: int
    retry_after: int | None = None


@dataclass(frozen=True)
class FaultDecision:
    """What to do to one request: wait, then reject it, or serve it and maybe drop the connection mid-body."""

    latency_seconds: float = 0.0
    rejection: Rejection | None = None
    drop: bool = False


NO_FAULT: Final = FaultDecision()


class _Bucket:
    """A token bucket: ``take`` returns 0 when a token was available, else the seconds until one is."""

    def __init__(self, rate: float, now: float) -> None:
        self._rate = rate
        self._capacity = max(1.0, rate)
        self._tokens = self._capacity
        self._updated = now

    def take(self, now: float) -> float:
        elapsed = max(0.0, now - self._updated)
        self._tokens = min(self._capacity, self._tokens + elapsed * self._rate)
        self._updated = now
        if self._tokens >= 1:
            self._tokens -= 1
            return 0.0
        return (1 - self._tokens) / self._rate


class FaultInjector:
    """The current faults, changeable at run time, and the seeded decisions they lead to."""

    def __init__(
        self, faults: FaultSettings, *, seed: int, clock: Callable[[], float], counters: Counters
    ) -> None:
        self._start = faults
        self._seed = seed
        self._clock = clock
        self._counters = counters
        self._lock = threading.Lock()
        self._faults = faults
        self._buckets: dict[str, _Bucket] = {}
        self._request_rng = random.Random(f"{seed}:requests")
        self._job_rng = random.Random(f"{seed}:jobs")

    @property
    def settings(self) -> FaultSettings:
        """The faults in force (``times`` counts down as requests are hit)."""
        with self._lock:
            return self._faults

    def set(self, faults: FaultSettings) -> None:
        """Replace the faults; rate-limit buckets start full again."""
        with self._lock:
            self._faults = faults
            self._buckets.clear()

    def reset(self) -> None:
        """Back to the start faults, with freshly seeded generators."""
        with self._lock:
            self._faults = self._start
            self._buckets.clear()
            self._request_rng = random.Random(f"{self._seed}:requests")
            self._job_rng = random.Random(f"{self._seed}:jobs")

    def active(self) -> bool:
        """Whether a request fault may hit any request now; when not, :meth:`decide` needs no route name."""
        faults = self._faults  # one read of an immutable object: no lock needed
        request_faults = faults.rate_limit is not None or faults.error_rate or faults.latency_ms
        return bool(faults.times != 0 and (request_faults or faults.drop_rate))

    def decide(self, route: str, api_key: str | None) -> FaultDecision:
        """The faults for one request to ``route`` (``"GET /v0/batch/jobs/{job_id}"``) with ``api_key``."""
        with self._lock:
            faults = self._faults
            if not faults.applies_to(route):
                return NO_FAULT
            rejection = self._rate_limited(faults, api_key or "")
            if rejection is None and faults.error_rate > 0 and self._request_rng.random() < faults.error_rate:
                status = self._request_rng.choice(faults.error_statuses)
                rejection = Rejection(status)
                self._counters.record_fault("error")
            drop = (
                rejection is None
                and route in DROP_ROUTES
                and faults.drop_rate > 0
                and self._request_rng.random() < faults.drop_rate
            )
            if drop:
                self._counters.record_fault("drop")
            if faults.latency_ms:
                self._counters.record_fault("latency")
            if faults.times is not None and (rejection or drop or faults.latency_ms):
                self._faults = replace(faults, times=faults.times - 1)
            return FaultDecision(faults.latency_ms / 1000, rejection, drop)

    def message_latency(self, route: str) -> float:
        """Seconds to delay the reply to a websocket message on ``route`` (``"WS /v0/stream/models"``)."""
        with self._lock:
            faults = self._faults
            if not faults.latency_ms or not faults.applies_to(route):
                return 0.0
            self._counters.record_fault("latency")
            if faults.times is not None:
                self._faults = replace(faults, times=faults.times - 1)
            return faults.latency_ms / 1000

    def _rate_limited(self, faults: FaultSettings, key: str) -> Rejection | None:
        if faults.rate_limit is None:
            return None
        now = self._clock()
        bucket = self._buckets.setdefault(key, _Bucket(faults.rate_limit, now))
        wait = bucket.take(now)
        if wait <= 0:
            return None
        self._counters.record_fault("rate_limit")
        return Rejection(429, retry_after=max(1, math.ceil(wait)))

    def job_failure(self) -> str | None:
        """Whether a job created now fails: its message, or ``None``."""
        with self._lock:
            faults = self._faults
            if faults.job_failure_rate <= 0 or self._job_rng.random() >= faults.job_failure_rate:
                return None
        self._counters.record_fault("job_failure")
        return faults.job_failure_message
