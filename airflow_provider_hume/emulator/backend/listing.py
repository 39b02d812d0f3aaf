"""``GET /v0/batch/jobs`` query parameters (hume-api-v0.md §2.5) and job selection.

``status`` and ``type`` may repeat (``?status=QUEUED&status=FAILED``); every emulated job is of type
``INFERENCE``, the only type of Expression Measurement jobs, so another ``type`` matches nothing.
``when=created_before`` keeps jobs created strictly before ``timestamp_ms`` (``created_after``: strictly
after), so paging by the last seen timestamp never repeats a job. Without ``timestamp_ms`` the reference is
"now" and a job created in the current millisecond still counts as before it. Jobs lacking the sort timestamp
(not started or not ended yet) come last in either direction; ties are broken by creation time.

The jobs of a user are kept in a :class:`JobIndex`, in creation order, so a listing never copies or sorts
every job: the ``when``/``timestamp_ms`` window is found by bisection on ``created_ms``, and with the default
``sort_by=created`` the window is walked from the requested end until ``limit`` jobs pass the status filter.
``sort_by=started``/``ended`` select the ``limit`` first jobs of the window with a heap (one pass, no copy).
A listing of ``QUEUED``/``IN_PROGRESS`` jobs only looks at the jobs that have not ended, kept apart.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from airflow_provider_hume.emulator.backend.jobs import STATUSES, Job
from airflow_provider_hume.emulator.backend.validation import RequestInvalid

WHEN: Final = ("created_before", "created_after")
SORT_BY: Final = ("created", "started", "ended")
DIRECTIONS: Final = ("asc", "desc")
JOB_TYPES: Final = ("INFERENCE", "EMBEDDING_GENERATION", "TL_INFERENCE", "TRAINING")
MAX_LIMIT: Final = 65535


@dataclass(frozen=True)
class ListQuery:
    """Validated list parameters with their defaults (``direction`` defaults to ``desc``)."""

    limit: int = 50
    statuses: frozenset[str] = field(default_factory=lambda: frozenset(STATUSES))
    when: str = "created_before"
    timestamp_ms: int | None = None
    sort_by: str = "created"
    direction: str = "desc"
    types: frozenset[str] = frozenset(JOB_TYPES)


def parse_list_query(params: Mapping[str, Sequence[str]]) -> ListQuery:
    """Validate query parameters given as ``name -> values``; unknown names are ignored."""
    statuses = params.get("status") or []
    types = params.get("type") or []
    for name, values, choices in (("status", statuses, STATUSES), ("type", types, JOB_TYPES)):
        for value in values:
            _check_choice(name, value, choices)
    limit = _integer(params, "limit", 0, MAX_LIMIT)
    return ListQuery(
        limit=50 if limit is None else limit,
        statuses=frozenset(statuses) if statuses else frozenset(STATUSES),
        when=_choice(params, "when", "created_before", WHEN),
        timestamp_ms=_integer(params, "timestamp_ms", 0, None),
        sort_by=_choice(params, "sort_by", "created", SORT_BY),
        direction=_choice(params, "direction", "desc", DIRECTIONS),
        types=frozenset(types) if types else frozenset(JOB_TYPES),
    )


#: Statuses of jobs that have not ended: a listing asking only for these looks at the open jobs alone.
OPEN_STATUSES: Final = frozenset({"QUEUED", "IN_PROGRESS"})


class JobIndex:
    """One user's jobs by ``created_ms``, jobs created in the same millisecond in the order they were added;
    kept apart too, the jobs that had not ended when last looked at (few, next to the ended ones).

    Not thread-safe: the state calls it under its lock.
    """

    def __init__(self) -> None:
        self._jobs: list[Job] = []
        self._order: dict[str, int] = {}
        self._open: dict[str, Job] = {}
        self._swept_ms: int | None = None

    def __len__(self) -> int:
        return len(self._jobs)

    def add(self, job: Job) -> None:
        """Add a new job: at the end, unless the clock went back."""
        bisect.insort_right(self._jobs, job, key=_created)
        self._order[job.job_id] = len(self._order)
        self._open[job.job_id] = job

    def replace(self, job: Job) -> None:
        """Put ``job`` in place of the stored job with its id (same ``created_ms``); ``KeyError`` if none."""
        index = bisect.bisect_left(self._jobs, job.created_ms, key=_created)
        while index < len(self._jobs) and self._jobs[index].created_ms == job.created_ms:
            if self._jobs[index].job_id == job.job_id:
                self._jobs[index] = job
                if job.job_id in self._open or self._swept_ms is None or job.ended_ms > self._swept_ms:
                    self._open[job.job_id] = job  # a held job is open again
                return
            index += 1
        raise KeyError(job.job_id)

    def jobs(self) -> list[Job]:
        """Every job, oldest first (a copy)."""
        return list(self._jobs)

    def view(self) -> Sequence[Job]:
        """Every job, oldest first (not a copy: read it under the lock)."""
        return self._jobs

    def open_jobs(self, now_ms: int) -> list[Job]:
        """The jobs that have not ended at ``now_ms``, in the order of :meth:`view`."""
        if self._swept_ms is not None and now_ms < self._swept_ms:  # the clock went back: look at every job
            self._open = {job.job_id: job for job in self._jobs if job.ended_ms > now_ms}
        else:
            for job_id in [job_id for job_id, job in self._open.items() if job.ended_ms <= now_ms]:
                del self._open[job_id]
        self._swept_ms = now_ms
        return sorted(self._open.values(), key=lambda job: (job.created_ms, self._order[job.job_id]))


def window(jobs: Sequence[Job], query: ListQuery, now_ms: int) -> tuple[int, int]:
    """``[low, high)``: the positions in ``jobs`` (oldest first) of those the ``when``/``timestamp_ms``
    filter keeps, found by bisection."""
    if query.timestamp_ms is None:
        reference, inclusive = now_ms, True
    else:
        reference, inclusive = query.timestamp_ms, False
    if query.when == "created_after":
        return bisect.bisect_right(jobs, reference, key=_created), len(jobs)
    cut = bisect.bisect_right if inclusive else bisect.bisect_left
    return 0, cut(jobs, reference, key=_created)


def walk(jobs: Sequence[Job], low: int, high: int, descending: bool) -> Iterator[Job]:
    """The jobs at ``[low, high)`` of ``jobs`` (oldest first), or newest first with same-millisecond jobs
    still in the order they were added (the order a stable descending sort on ``created_ms`` gives)."""
    if not descending:
        yield from map(jobs.__getitem__, range(low, high))
        return
    end = high
    while end > low:
        start = bisect.bisect_left(jobs, jobs[end - 1].created_ms, low, end, key=_created)
        yield from map(jobs.__getitem__, range(start, end))
        end = start


def select_jobs(index: JobIndex, query: ListQuery, now_ms: int) -> list[Job]:
    """Filter, sort and cut the jobs of ``index`` as ``query`` asks, with statuses taken at ``now_ms``.

    Touches only the jobs of the window (only the open ones when only ``QUEUED``/``IN_PROGRESS`` are asked
    for), and with ``sort_by=created`` only those up to the ``limit``-th one that passes the status filter.
    """
    if "INFERENCE" not in query.types or query.limit == 0:
        return []
    jobs = index.open_jobs(now_ms) if query.statuses <= OPEN_STATUSES else index.view()
    low, high = window(jobs, query, now_ms)
    descending = query.direction == "desc"
    every_status = len(query.statuses) == len(STATUSES)

    def wanted(job: Job) -> bool:
        return every_status or job.status(now_ms) in query.statuses

    if query.sort_by == "created":
        return list(itertools.islice(filter(wanted, walk(jobs, low, high, descending)), query.limit))
    value = Job.started_at if query.sort_by == "started" else Job.ended_at
    valued = (job for job in walk(jobs, low, high, False) if value(job, now_ms) is not None and wanted(job))
    pick = heapq.nlargest if descending else heapq.nsmallest
    chosen = pick(query.limit, valued, key=lambda job: (value(job, now_ms), job.created_ms))
    if len(chosen) < query.limit:  # jobs without the timestamp come last, in creation order
        unvalued = (job for job in walk(jobs, low, high, descending) if value(job, now_ms) is None)
        chosen.extend(itertools.islice(filter(wanted, unvalued), query.limit - len(chosen)))
    return chosen


def _created(job: Job) -> int:
    return job.created_ms


def _choice(params: Mapping[str, Sequence[str]], name: str, default: str, choices: tuple[str, ...]) -> str:
    values = params.get(name)
    if not values:
        return default
    _check_choice(name, values[0], choices)
    return values[0]


def _check_choice(name: str, value: str, choices: Iterable[str]) -> None:
    if value not in choices:
        raise RequestInvalid(f"{name} must be one of {', '.join(choices)} (got {value!r})")


def _integer(params: Mapping[str, Sequence[str]], name: str, low: int, high: int | None) -> int | None:
    values = params.get(name)
    if not values:
        return None
    try:
        value = int(values[0])
    except ValueError:
        raise RequestInvalid(f"{name} must be an integer (got {values[0]!r})") from None
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise RequestInvalid(f"{name} must be {bound} (got {value})")
    return value
