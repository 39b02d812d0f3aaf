"""Paths and query parameters of the ``v1`` runs endpoints (hume-api-v1.md §8), checked before any request.

Times go out as RFC 3339 in UTC with ``Z``; ``started_after`` is inclusive and ``started_before`` exclusive,
so adjacent windows sharing a boundary neither skip nor repeat a run.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from airflow_provider_hume.client._fields import check_choice, check_int, invalid
from airflow_provider_hume.client.errors import HumeError
from airflow_provider_hume.client.v1._times import format_rfc3339, parse_rfc3339

RUNS_PATH = "/v1/expression/run"
DEFAULT_PAGE_SIZE = 50
RUNS_PAGE_SIZE_MAX = 200
"""✖ A guess: Hume documents no range for the runs list's ``page_size``; this is the events' 1 to 200."""
EVENTS_PAGE_SIZE_MAX = 200
"""The events endpoint's documented ``page_size`` range is 1 to 200."""

STATUSES = ("live", "ended", "errored")
MODES = ("realtime", "file")
ENDPOINTS = ("audio", "video")


def run_path(run_id: Any, suffix: str = "") -> str:
    """``/v1/expression/run/{run_id}{suffix}`` with the id checked and quoted as one path segment."""
    if not isinstance(run_id, str) or not run_id.strip():
        raise invalid("run_id", "must be a non-empty run id", run_id)
    run_id = run_id.strip()
    if run_id in (".", "..") or "/" in run_id:
        raise invalid("run_id", "must be one run id, without '/' and not '.' or '..'", run_id)
    return f"{RUNS_PATH}/{quote(run_id, safe='')}{suffix}"


def page_size_param(page_size: Any, maximum: int) -> str:
    size = check_int(page_size, "page_size", minimum=1)
    if size > maximum:
        raise invalid("page_size", f"must be between 1 and {maximum}", size)
    return str(size)


def cursor_param(cursor: Any) -> str:
    if not isinstance(cursor, str) or not cursor:
        raise invalid("cursor", "must be the next_cursor of the previous page", cursor)
    return cursor


def time_param(value: Any, name: str) -> str:
    """An aware datetime as UTC RFC 3339 with ``Z``, or an RFC 3339 string with an offset, passed through."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise invalid(
                name, "must be timezone-aware (a naive datetime is ambiguous: add tzinfo=timezone.utc)", value
            )
        return format_rfc3339(value)
    if isinstance(value, str):
        try:
            parse_rfc3339(value, name)
        except HumeError:
            raise invalid(
                name, "must be an RFC 3339 time with an offset, such as 2026-12-01T00:00:00Z", value
            ) from None
        return value.strip()
    raise invalid(name, "must be a timezone-aware datetime or an RFC 3339 string", value)


def runs_params(
    *,
    page_size: Any = DEFAULT_PAGE_SIZE,
    cursor: Any = None,
    user_id: Any = None,
    status: Any = None,
    mode: Any = None,
    endpoint: Any = None,
    started_after: Any = None,
    started_before: Any = None,
) -> list[tuple[str, str]]:
    """Query parameters of ``GET /v1/expression/run``; filters left None are not sent."""
    params = [("page_size", page_size_param(page_size, RUNS_PAGE_SIZE_MAX))]
    if cursor is not None:
        params.append(("cursor", cursor_param(cursor)))
    if user_id is not None:
        if not isinstance(user_id, str) or not user_id.strip():
            raise invalid("user_id", "must be a non-empty user id", user_id)
        params.append(("user_id", user_id.strip()))
    for name, value, choices in (
        ("status", status, STATUSES),
        ("mode", mode, MODES),
        ("endpoint", endpoint, ENDPOINTS),
    ):
        if value is not None:
            params.append((name, check_choice(value, name, choices)))
    after = None if started_after is None else time_param(started_after, "started_after")
    before = None if started_before is None else time_param(started_before, "started_before")
    if after is not None and before is not None and parse_rfc3339(after, "") >= parse_rfc3339(before, ""):
        raise invalid("started_after", f"must be earlier than started_before ({before})", after)
    params += [
        (name, value) for name, value in (("started_after", after), ("started_before", before)) if value
    ]
    return params


def events_params(*, page_size: Any = DEFAULT_PAGE_SIZE, cursor: Any = None) -> list[tuple[str, str]]:
    """Query parameters of ``GET /v1/expression/run/{run_id}/events``."""
    params = [("page_size", page_size_param(page_size, EVENTS_PAGE_SIZE_MAX))]
    if cursor is not None:
        params.append(("cursor", cursor_param(cursor)))
    return params
