"""A client of the emulator's admin API (``/_emulator/``, see ``http.admin``), over HTTP so that it drives an
in-process emulator and one in another process or container alike. Needs only ``requests``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any

import requests


class EmulatorAdminError(RuntimeError):
    """The admin API refused a call; ``status`` is the HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"emulator admin API answered {status}: {message}")
        self.status = status


class EmulatorAdmin:
    """``EmulatorAdmin(url, api_key)``: read counters, set faults, reset, fail or hold jobs, shut realtime
    sessions down."""

    def __init__(self, url: str, api_key: str, *, timeout: float = 10.0) -> None:
        self._base = f"{url.rstrip('/')}/_emulator"
        self._timeout = timeout
        self._session = requests.Session()
        self._session.trust_env = False
        self._session.headers["X-Hume-Api-Key"] = api_key

    def faults(self) -> dict[str, Any]:
        """The faults in force (``times`` counts down as requests are hit)."""
        faults: dict[str, Any] = self._call("GET", "/faults")
        return faults

    def set_faults(self, **faults: Any) -> dict[str, Any]:
        """Make ``faults`` (``FaultSettings`` fields) the only ones in force; returns them all."""
        result: dict[str, Any] = self._call("PUT", "/faults", faults)
        return result

    def update_faults(self, **faults: Any) -> dict[str, Any]:
        """Change only the given fault fields; returns all faults."""
        result: dict[str, Any] = self._call("PATCH", "/faults", faults)
        return result

    @contextmanager
    def faults_injected(self, **faults: Any) -> Iterator[dict[str, Any]]:
        """Set ``faults`` (as :meth:`set_faults`) for a ``with`` block, then restore the previous faults."""
        previous = self.faults()
        try:
            yield self.set_faults(**faults)
        finally:
            self.set_faults(**previous)

    def reset(self) -> None:
        """Forget all jobs, zero the counters and restore the faults the emulator started with."""
        self._call("POST", "/reset")

    def counters(self) -> dict[str, Any]:
        """Counts since start or reset: ``requests`` (``[{"route", "status", "count"}]``), ``jobs_created``,
        ``faults_injected`` and ``callbacks``."""
        counters: dict[str, Any] = self._call("GET", "/counters")
        return counters

    def jobs_created(self) -> int:
        """Jobs created since start or the last reset."""
        return int(self.counters()["jobs_created"])

    def request_count(self, route: str | None = None, status: int | None = None) -> int:
        """Answered API requests, optionally only to ``route`` (``"GET /v0/batch/jobs/{job_id}"``) or with
        ``status``."""
        return sum(
            entry["count"]
            for entry in self.counters()["requests"]
            if route in (None, entry["route"]) and status in (None, entry["status"])
        )

    def jobs(self) -> list[dict[str, Any]]:
        """``[{"job_id", "user_id", "status"}]`` of every user's jobs, oldest first."""
        jobs: list[dict[str, Any]] = self._call("GET", "/jobs")
        return jobs

    def fail_job(self, job_id: str, message: str | None = None) -> dict[str, Any]:
        """End the job as FAILED with ``message`` (default: the faults' ``job_failure_message``)."""
        body = {} if message is None else {"message": message}
        result: dict[str, Any] = self._call("POST", f"/jobs/{job_id}/fail", body)
        return result

    def hold_job(self, job_id: str) -> dict[str, Any]:
        """Keep the job from ever ending."""
        result: dict[str, Any] = self._call("POST", f"/jobs/{job_id}/hold")
        return result

    def release_job(self, job_id: str) -> dict[str, Any]:
        """End the job now (COMPLETED, or FAILED if it was failed), held or not."""
        result: dict[str, Any] = self._call("POST", f"/jobs/{job_id}/release")
        return result

    def shutdown_realtime(self, after_frames: int | None = None) -> dict[str, int]:
        """End every live ``v1`` realtime session now as ``server_shutdown`` (``{"sessions": n}``), or with
        ``after_frames`` arm the switch for the ``n``-th media frame taken in from now on, in whichever
        session (``{"armed": n}``)."""
        body = {} if after_frames is None else {"after_frames": after_frames}
        result: dict[str, int] = self._call("POST", "/v1/realtime/shutdown", body)
        return result

    def close(self) -> None:
        """Close the HTTP session."""
        self._session.close()

    def __enter__(self) -> EmulatorAdmin:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self._session.request(method, self._base + path, json=body, timeout=self._timeout)
        if response.status_code >= 400:
            raise EmulatorAdminError(response.status_code, response.text)
        return response.json() if response.content else None
