"""What happened on an emulator, for tests to assert on: requests per route and status, jobs created,
faults injected and callback deliveries. Thread-safe; ``snapshot()`` is the admin API's ``counters`` shape."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any, Final, Literal

FaultKind = Literal["rate_limit", "error", "latency", "drop", "job_failure"]
FAULT_KINDS: Final[tuple[FaultKind, ...]] = ("rate_limit", "error", "latency", "drop", "job_failure")
CallbackOutcome = Literal["pending", "delivered", "failed", "skipped"]


class Counters:
    """Counts since start or the last reset."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: Counter[tuple[str, int]] = Counter()
        self._faults: Counter[FaultKind] = Counter()
        self._jobs_created = 0
        self._callbacks: dict[str, dict[str, Any]] = {}

    def record_request(self, route: str, status: int) -> None:
        """Count one answered request to ``route`` (``"GET /v0/batch/jobs/{job_id}"``) with ``status``."""
        with self._lock:
            self._requests[(route, status)] += 1

    def request_counts(self) -> dict[tuple[str, int], int]:
        """Answered requests per (route, status)."""
        with self._lock:
            return dict(self._requests)

    def record_job(self) -> None:
        """Count one created job."""
        with self._lock:
            self._jobs_created += 1

    def jobs_created(self) -> int:
        """Jobs created since start or reset."""
        with self._lock:
            return self._jobs_created

    def record_fault(self, kind: FaultKind) -> None:
        """Count one injected fault."""
        with self._lock:
            self._faults[kind] += 1

    def record_callback_attempt(self, job_id: str, url: str, status: int | None) -> None:
        """Record one delivery attempt of a job's callback; ``status`` is ``None`` when nothing answered."""
        with self._lock:
            self._callback(job_id, url)["statuses"].append(status)

    def record_callback_outcome(self, job_id: str, url: str, outcome: CallbackOutcome) -> None:
        """Record how a job's callback ended (or ``pending`` while retries remain)."""
        with self._lock:
            self._callback(job_id, url)["outcome"] = outcome

    def _callback(self, job_id: str, url: str) -> dict[str, Any]:
        return self._callbacks.setdefault(
            job_id, {"job_id": job_id, "url": url, "outcome": "pending", "statuses": []}
        )

    def snapshot(self) -> dict[str, Any]:
        """Everything as JSON: ``{"requests": [...], "jobs_created", "faults_injected", "callbacks"}``."""
        with self._lock:
            requests = [
                {"route": route, "status": status, "count": count}
                for (route, status), count in sorted(self._requests.items())
            ]
            return {
                "requests": requests,
                "jobs_created": self._jobs_created,
                "faults_injected": {kind: self._faults[kind] for kind in FAULT_KINDS},
                "callbacks": [
                    {**record, "statuses": list(record["statuses"])} for record in self._callbacks.values()
                ],
            }

    def reset(self) -> None:
        """Back to zero."""
        with self._lock:
            self._requests.clear()
            self._faults.clear()
            self._jobs_created = 0
            self._callbacks.clear()
