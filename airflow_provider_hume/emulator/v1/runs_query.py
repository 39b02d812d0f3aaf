"""The query parameters of the runs routes (hume-api-v1.md §8), checked; problems are ``invalid_request``.

Parameters not listed here are ignored. A repeated parameter takes its last value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from airflow_provider_hume.emulator.v1.errors import V1Error
from airflow_provider_hume.emulator.v1.runs import RUN_ENDPOINTS, RUN_MODES, RUN_STATUSES, RunFilters
from airflow_provider_hume.emulator.v1.timestamps import parse_rfc3339_us

DEFAULT_PAGE_SIZE: Final = 50
MAX_EVENTS_PAGE_SIZE: Final = 200


@dataclass(frozen=True)
class Page:
    """Which page: its size and the cursor from the previous one."""

    size: int
    cursor: str | None


def runs_query(params: Mapping[str, str], max_page_size: int) -> tuple[RunFilters, Page]:
    """The filters and page of ``GET /v1/expression/run``."""
    after, before = (_time(params, name) for name in ("started_after", "started_before"))
    filters = RunFilters(
        user_id=params.get("user_id") or None,
        status=_choice(params, "status", RUN_STATUSES),
        mode=_choice(params, "mode", RUN_MODES),
        endpoint=_choice(params, "endpoint", RUN_ENDPOINTS),
        started_after_us=after,
        started_before_us=before,
    )
    return filters, page(params, max_page_size)


def page(params: Mapping[str, str], max_page_size: int = MAX_EVENTS_PAGE_SIZE) -> Page:
    """``page_size`` (1 to ``max_page_size``, default 50) and ``cursor``."""
    text = params.get("page_size")
    size = DEFAULT_PAGE_SIZE if text is None else _int(text, "page_size")
    if not 1 <= size <= max_page_size:
        raise _invalid(f"page_size must be from 1 to {max_page_size} (got {size})")
    return Page(size, params.get("cursor") or None)


def _choice(params: Mapping[str, str], name: str, choices: tuple[Any, ...]) -> Any:
    value = params.get(name)
    if value is None or value == "":
        return None
    if value not in choices:
        raise _invalid(f"{name} must be one of {', '.join(choices)} (got {value!r})")
    return value


def _time(params: Mapping[str, str], name: str) -> int | None:
    value = params.get(name)
    if not value:
        return None
    try:
        return parse_rfc3339_us(value)
    except ValueError as exc:
        raise _invalid(f"{name}: {exc}") from None


def _int(text: str, name: str) -> int:
    try:
        return int(text.strip(), 10)
    except ValueError:
        raise _invalid(f"{name} must be an integer (got {text!r})") from None


def _invalid(message: str) -> V1Error:
    return V1Error("invalid_request", message)
