"""Runs list and events query parameters: RFC 3339 UTC times, ranges, choices (hume-api-v1.md §8)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from airflow_provider_hume.client.errors import HumeValidationError
from airflow_provider_hume.client.v1._runs_query import events_params, run_path, runs_params, time_param

PLUS_TWO = timezone(timedelta(hours=2))


def test_default_query_is_just_the_page_size() -> None:
    assert runs_params() == [("page_size", "50")]


def test_all_filters() -> None:
    params = runs_params(
        page_size=200,
        cursor="abc==",
        user_id=" u1 ",
        status="ENDED",
        mode="file",
        endpoint="video",
        started_after=datetime(2026, 12, 1, 2, 0, tzinfo=PLUS_TWO),
        started_before=datetime(2026, 12, 2, tzinfo=timezone.utc),
    )
    assert params == [
        ("page_size", "200"),
        ("cursor", "abc=="),
        ("user_id", "u1"),
        ("status", "ended"),
        ("mode", "file"),
        ("endpoint", "video"),
        ("started_after", "2026-12-01T00:00:00Z"),
        ("started_before", "2026-12-02T00:00:00Z"),
    ]


def test_microseconds_are_kept() -> None:
    moment = datetime(2026, 12, 1, 0, 0, 0, 250000, tzinfo=timezone.utc)
    assert time_param(moment, "started_after") == "2026-12-01T00:00:00.250000Z"


def test_naive_datetime_is_refused_with_the_fix() -> None:
    with pytest.raises(
        HumeValidationError, match=r"started_after must be timezone-aware.*tzinfo=timezone\.utc"
    ):
        runs_params(started_after=datetime(2026, 12, 1))


@pytest.mark.parametrize(
    "text", ["2026-12-01T00:00:00Z", "2026-12-01T01:00:00+01:00", "2026-12-01T00:00:00.5Z"]
)
def test_rfc3339_strings_pass_through(text: str) -> None:
    assert ("started_before", text) in runs_params(started_before=text)


@pytest.mark.parametrize("text", ["2026-12-01", "2026-12-01T00:00:00", "yesterday", ""])
def test_bad_time_strings(text: str) -> None:
    with pytest.raises(HumeValidationError, match="started_before must be an RFC 3339 time with an offset"):
        runs_params(started_before=text)


def test_window_must_not_be_reversed() -> None:
    with pytest.raises(HumeValidationError, match="started_after must be earlier than started_before"):
        runs_params(started_after="2026-12-02T00:00:00Z", started_before="2026-12-01T00:00:00Z")


@pytest.mark.parametrize(("size", "problem"), [(0, ">= 1"), (201, "between 1 and 200"), ("5", "integer")])
def test_page_size_range(size: Any, problem: str) -> None:
    with pytest.raises(HumeValidationError, match="page_size") as raised:
        runs_params(page_size=size)
    assert problem in str(raised.value)
    with pytest.raises(HumeValidationError, match="page_size"):
        events_params(page_size=size)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"status": "done"}, "status must be one of live, ended, errored"),
        ({"mode": "batch"}, "mode must be one of realtime, file"),
        ({"endpoint": "text"}, "endpoint must be one of audio, video"),
        ({"user_id": ""}, "user_id"),
        ({"cursor": ""}, "cursor"),
        ({"started_after": 5}, "started_after must be a timezone-aware datetime or an RFC 3339 string"),
    ],
)
def test_bad_filters(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(HumeValidationError, match=field):
        runs_params(**kwargs)


def test_events_params() -> None:
    assert events_params() == [("page_size", "50")]
    assert events_params(page_size=1, cursor="x") == [("page_size", "1"), ("cursor", "x")]


def test_run_path_quotes_one_segment() -> None:
    assert run_path(" a b ") == "/v1/expression/run/a%20b"
    assert run_path("r1", "/events") == "/v1/expression/run/r1/events"
    for bad in ("", "..", "a/b", None):
        with pytest.raises(HumeValidationError, match="run_id"):
            run_path(bad)
