"""The emulator's state: accepted API keys, settings, jobs, counters and the fault injector. No HTTP here.

A job is QUEUED for ``queue_seconds`` (plus any injected queue delay) after creation, IN_PROGRESS for
``run_seconds`` after that, then COMPLETED (or FAILED when the failure policy or an injected job failure gave
it a message at creation); see :mod:`.jobs`.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Final

from airflow_provider_hume.emulator.backend.auth import user_id_for
from airflow_provider_hume.emulator.backend.counters import Counters
from airflow_provider_hume.emulator.backend.faults import FaultInjector
from airflow_provider_hume.emulator.backend.jobs import Job, Status
from airflow_provider_hume.emulator.backend.listing import JobIndex, ListQuery, select_jobs
from airflow_provider_hume.emulator.backend.request import JobRequest
from airflow_provider_hume.emulator.backend.settings import EmulatorSettings
from airflow_provider_hume.emulator.media.sources import Source

FailurePolicy = Callable[[JobRequest], str | None]
"""Decides at creation whether a job will fail, returning its ``state.message`` (``None``: it completes)."""

#: An end time no clock reaches: a held job stays IN_PROGRESS.
_NEVER_MS: Final = 2**62


class EmulatorState:
    """Jobs of all users, thread-safe; owns the spool directory holding kept input files.

    ``settings`` are the start values; ``queue_seconds`` and ``run_seconds``, when given, override theirs.
    ``faults`` holds the faults in force, ``counters`` what happened since start or :meth:`reset`.
    """

    def __init__(
        self,
        api_keys: Iterable[str],
        *,
        settings: EmulatorSettings | None = None,
        queue_seconds: float | None = None,
        run_seconds: float | None = None,
        clock: Callable[[], float] = time.time,
        failure_policy: FailurePolicy | None = None,
    ) -> None:
        settings = settings or EmulatorSettings()
        self.settings = replace(
            settings,
            queue_seconds=settings.queue_seconds if queue_seconds is None else queue_seconds,
            run_seconds=settings.run_seconds if run_seconds is None else run_seconds,
        )
        self._users = {key: user_id_for(key) for key in api_keys}
        self._clock = clock
        self._failure_policy = failure_policy
        self.counters = Counters()
        self.faults = FaultInjector(
            self.settings.faults, seed=self.settings.seed, clock=clock, counters=self.counters
        )
        self._jobs: dict[str, Job] = {}
        self._indexes: dict[str, JobIndex] = {}
        self._awaiting_callback: set[str] = set()
        self._lock = threading.Lock()
        self._reset_hooks: list[Callable[[], None]] = []
        self.spool_dir = Path(tempfile.mkdtemp(prefix="hume-emulator-"))

    def on_reset(self, hook: Callable[[], None]) -> None:
        """Call ``hook`` on every :meth:`reset` (how the rooms above ``backend`` forget their records)."""
        self._reset_hooks.append(hook)

    def user_for_key(self, api_key: str) -> str | None:
        """The user id of an accepted key, or ``None``."""
        return self._users.get(api_key)

    def now_ms(self) -> int:
        """The clock in Unix milliseconds."""
        return int(self._clock() * 1000)

    def add_job(self, user_id: str, request: JobRequest, sources: Iterable[Source]) -> Job:
        """Create a job starting now."""
        created = self.now_ms()
        queue_seconds = self.settings.queue_seconds + self.faults.settings.queue_delay_seconds
        started = created + round(queue_seconds * 1000)
        failure = self._failure_policy(request) if self._failure_policy else None
        if failure is None:
            failure = self.faults.job_failure()
        ended = started + round(self.settings.run_seconds * 1000)
        job = Job(str(uuid.uuid4()), user_id, request, tuple(sources), created, started, ended, failure)
        with self._lock:
            self._jobs[job.job_id] = job
            self._indexes.setdefault(user_id, JobIndex()).add(job)
            if request.callback_url is not None:
                self._awaiting_callback.add(job.job_id)
        self.counters.record_job()
        return job

    def get_job(self, user_id: str, job_id: str) -> Job | None:
        """The job if it exists and belongs to ``user_id``."""
        with self._lock:
            job = self._jobs.get(job_id)
        return job if job is not None and job.user_id == user_id else None

    def jobs_of(self, user_id: str) -> list[Job]:
        """All jobs of ``user_id``, oldest first."""
        with self._lock:
            index = self._indexes.get(user_id)
            return [] if index is None else index.jobs()

    def list_jobs(self, user_id: str, query: ListQuery, now_ms: int) -> list[Job]:
        """The jobs of ``user_id`` that ``GET /v0/batch/jobs`` with ``query`` lists at ``now_ms``; only the
        jobs in the query's window are looked at (:mod:`.listing`)."""
        with self._lock:
            index = self._indexes.get(user_id)
            return [] if index is None else select_jobs(index, query, now_ms)

    def all_jobs(self) -> list[Job]:
        """Jobs of all users, oldest first."""
        with self._lock:
            return list(self._jobs.values())

    def job_count(self) -> int:
        """Number of jobs of all users."""
        with self._lock:
            return len(self._jobs)

    def job_ids(self) -> list[str]:
        """Ids of all jobs of all users, oldest first."""
        with self._lock:
            return list(self._jobs)

    def job_status(self, job_id: str) -> Status:
        """The current status of any user's job; ``KeyError`` if there is none."""
        with self._lock:
            job = self._jobs[job_id]
        return job.status(self.now_ms())

    def fail_job(self, job_id: str, message: str) -> None:
        """Make a job end as FAILED with ``message`` (at once if it already ended)."""
        self._update(job_id, lambda job: replace(job, failure_message=message))

    def hold_job(self, job_id: str) -> None:
        """Keep a job from ever ending: it stays QUEUED, then IN_PROGRESS."""
        self._update(job_id, lambda job: replace(job, ended_ms=_NEVER_MS))

    def release_job(self, job_id: str) -> None:
        """End a job now (COMPLETED, or FAILED if failed), held or not; one that had ended stays as it is."""
        now = self.now_ms()
        self._update(
            job_id,
            lambda job: replace(job, started_ms=min(job.started_ms, now), ended_ms=min(job.ended_ms, now)),
        )

    def _update(self, job_id: str, change: Callable[[Job], Job]) -> None:
        with self._lock:
            job = change(self._jobs[job_id])
            self._jobs[job_id] = job
            self._indexes[job.user_id].replace(job)

    def take_ended_callbacks(self) -> list[Job]:
        """Jobs with a ``callback_url`` that have ended since the last call (each is returned once)."""
        now = self.now_ms()
        with self._lock:
            ended = [self._jobs[job_id] for job_id in self._awaiting_callback]
            ended = [job for job in ended if job.status(now) in ("COMPLETED", "FAILED")]
            self._awaiting_callback.difference_update(job.job_id for job in ended)
        return ended

    def record_request(self, route: str, status: int) -> None:
        """Count one answered request to ``route`` (e.g. ``GET /v0/batch/jobs/{job_id}``)."""
        self.counters.record_request(route, status)

    def request_counts(self) -> dict[tuple[str, int], int]:
        """Answered requests per (route, status)."""
        return self.counters.request_counts()

    def request_count(self) -> int:
        """Answered requests of all routes."""
        return sum(self.counters.request_counts().values())

    def reset(self) -> None:
        """Forget every job (deleting its kept files), zero the counters, restore the start faults, and run
        the reset hooks (``v1`` runs)."""
        with self._lock:
            jobs = list(self._jobs.values())
            self._jobs.clear()
            self._indexes.clear()
            self._awaiting_callback.clear()
        for job in jobs:
            for source in job.sources:
                for path in source.kept_paths():
                    path.unlink(missing_ok=True)
        self.counters.reset()
        self.faults.reset()
        for hook in self._reset_hooks:
            hook()

    def close(self) -> None:
        """Delete the spool directory and every kept file in it."""
        shutil.rmtree(self.spool_dir, ignore_errors=True)
