"""``GET /v0/batch/jobs`` query parameters (hume-api-v0.md §2.5) and job selection.

``status`` and ``type`` may repeat (``?status=QUEUED&status=FAILED``); every emulated job is of type
``INFERENCE``, the only type of Expression Measurement jobs, so another ``type`` matches nothing.
``when=created_before`` keeps jobs created strictly before ``timestamp_ms`` (``created_after``: strictly
after), so paging by the last seen timestamp never repeats a job. Without ``timestamp_ms`` the reference is
"now" and a job created in the current millisecond still counts as before it. Jobs lacking the sort timestamp
(not started or not ended yet) come last in either direction; ties are broken by creation time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
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


def select_jobs(jobs: Iterable[Job], query: ListQuery, now_ms: int) -> list[Job]:
    """Filter, sort and cut ``jobs`` as ``query`` asks, with statuses taken at ``now_ms``."""
    reference = now_ms if query.timestamp_ms is None else query.timestamp_ms
    inclusive = query.timestamp_ms is None

    def in_window(job: Job) -> bool:
        if query.when == "created_after":
            return job.created_ms > reference
        return job.created_ms < reference or (inclusive and job.created_ms == reference)

    def sort_value(job: Job) -> int | None:
        if query.sort_by == "started":
            return job.started_at(now_ms)
        if query.sort_by == "ended":
            return job.ended_at(now_ms)
        return job.created_ms

    if "INFERENCE" not in query.types:
        return []
    chosen = [job for job in jobs if job.status(now_ms) in query.statuses and in_window(job)]
    descending = query.direction == "desc"
    chosen.sort(key=lambda job: (sort_value(job) or 0, job.created_ms), reverse=descending)
    chosen.sort(key=lambda job: sort_value(job) is None)
    return chosen[: query.limit]


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
