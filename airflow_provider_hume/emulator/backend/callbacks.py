"""Job callbacks (hume-api-v0.md §2.9, §8): once a job with a ``callback_url`` ends, POST its body to it.

The API layer gives the body (``body(job)``: ``{"job_id", "status": "COMPLETED", "predictions"}`` or
``{"job_id", "status": "FAILED", "message"}`` for ``v0``); this module only schedules and delivers it.

A background thread, running while the app runs (its lifespan), checks for ended jobs every
``POLL_SECONDS``, so callbacks fire even if nobody polls the job. Each callback gets up to ``TRIES``
attempts: any 2xx response ends it, anything else (status, connection error, timeout) is retried after
``backoff``, then twice that. Only loopback URLs are called; others are skipped. Every attempt and outcome is
recorded in the state's counters.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final

import requests

from airflow_provider_hume.emulator.backend.jobs import Job
from airflow_provider_hume.emulator.backend.state import EmulatorState
from airflow_provider_hume.emulator.media.fetch import is_loopback_url

TRIES: Final = 3
POLL_SECONDS: Final = 0.05
TIMEOUT_SECONDS: Final = 10.0
WORKERS: Final = 4


class CallbackDispatcher:
    """Delivers the callbacks of ``state``'s jobs from a background thread between ``start`` and ``stop``.

    ``body(job)`` is the JSON posted for an ended job.
    """

    def __init__(self, state: EmulatorState, body: Callable[[Job], dict[str, Any]]) -> None:
        self._state = state
        self._body = body
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hume-emulator-callbacks", daemon=True)
        self._pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="hume-emulator-callback")

    def start(self) -> None:
        """Start watching for ended jobs."""
        self._thread.start()

    def stop(self) -> None:
        """Stop watching, cut pending retries short and wait for requests in flight."""
        self._stopping.set()
        self._thread.join()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _run(self) -> None:
        while not self._stopping.wait(POLL_SECONDS):
            for job in self._state.take_ended_callbacks():
                self._pool.submit(self._deliver, job)

    def _deliver(self, job: Job) -> None:
        url = job.request.callback_url
        counters = self._state.counters
        if url is None:
            return
        if not is_loopback_url(url):
            counters.record_callback_outcome(job.job_id, url, "skipped")
            return
        body = self._body(job)
        backoff = self._state.settings.callback_backoff_seconds
        with requests.Session() as session:
            session.trust_env = False
            for attempt in range(TRIES):
                if attempt and self._stopping.wait(backoff * 2 ** (attempt - 1)):
                    break
                status = _post(session, url, body)
                counters.record_callback_attempt(job.job_id, url, status)
                if status is not None and 200 <= status < 300:
                    counters.record_callback_outcome(job.job_id, url, "delivered")
                    return
        counters.record_callback_outcome(job.job_id, url, "failed")


def _post(session: requests.Session, url: str, body: dict[str, Any]) -> int | None:
    """The status of one POST, or ``None`` when no response came."""
    try:
        with session.post(url, json=body, timeout=TIMEOUT_SECONDS, allow_redirects=False) as response:
            return response.status_code
    except requests.RequestException:
        return None
