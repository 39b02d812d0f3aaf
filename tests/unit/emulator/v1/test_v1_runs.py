"""The run store (hume-api-v1.md §8): ids, status, billing, newest-first cursor pages, filters, events."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

import pytest

from airflow_provider_hume.emulator.v1.errors import V1Error
from airflow_provider_hume.emulator.v1.runs import Run, RunFilters, RunStore
from airflow_provider_hume.emulator.v1.runs_query import page, runs_query
from airflow_provider_hume.emulator.v1.timestamps import format_ms, parse_rfc3339_us

START_MS = 1_796_000_000_000
CONFIG = {"schema": "v4"}


class Clock:
    def __init__(self) -> None:
        self.ms = START_MS

    def __call__(self) -> int:
        return self.ms


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(clock: Clock) -> RunStore:
    return RunStore(clock, live_silence_ms=300_000, event_cap=3)


def every_page(
    store: RunStore, filters: RunFilters, size: int, organisation: str | None = None
) -> list[list[Run]]:
    pages, cursor = [], None
    while True:
        runs, cursor = store.list(filters, size, cursor, organisation=organisation)
        pages.append(runs)
        if cursor is None:
            return pages


def test_run_ids_are_uuid7_with_the_start_time(store: RunStore) -> None:
    run = store.start("audio", "file", CONFIG, "user")
    parsed = uuid.UUID(run.run_id)
    assert parsed.version == 7
    assert parsed.int >> 80 == START_MS


def test_a_run_is_live_until_it_finishes_and_billed_at_least_ten_seconds(
    store: RunStore, clock: Clock
) -> None:
    run = store.start("video", "file", CONFIG, "user")
    assert run.summary()["status"] == "live"
    assert run.summary()["ended_at"] is None
    clock.ms += 1500
    ended = store.finish(run.run_id, "ended", 2 / 3, bytes_received=1234)
    assert ended.summary() == {
        **run.summary(),
        "status": "ended",
        "ended_at": format_ms(START_MS + 1500),
        "bytes_received": 1234,
        "metered_seconds": 10.0,
    }
    long = store.start("audio", "file", CONFIG, "user")
    assert store.finish(long.run_id, "ended", 26.0).metered_seconds == 26.0
    failed = store.start("audio", "file", CONFIG, "user")
    assert store.finish(failed.run_id, "errored", 0).metered_seconds == 0


def test_a_silent_live_run_reads_errored_until_heard_from_again(store: RunStore, clock: Clock) -> None:
    run = store.start("audio", "realtime", CONFIG, "user")
    clock.ms += 300_000
    assert store.get(run.run_id) == run
    clock.ms += 1
    silent = store.get(run.run_id)
    assert silent is not None
    assert (silent.status, silent.ended_ms) == ("errored", START_MS)
    store.touch(run.run_id, metered_seconds=4.5)
    live = store.get(run.run_id)
    assert live is not None
    assert (live.status, live.ended_ms, live.metered_seconds) == ("live", None, 4.5)


def test_touch_can_replace_the_config_and_nothing_else(store: RunStore) -> None:
    run = store.start("video", "realtime", CONFIG, "user")
    new = {"schema": "v4", "image": {"type": "image/jpeg"}, "face": {"threshold": 0.5, "min_size": 30}}
    store.touch(run.run_id, config=new)
    new["face"] = {}  # the store keeps its own copy
    touched = store.get(run.run_id)
    assert touched is not None
    assert touched.to_api()["config"]["face"] == {"threshold": 0.5, "min_size": 30}
    assert touched == replace(run, config=touched.config)
    store.touch(run.run_id, metered_seconds=1.0)
    again = store.get(run.run_id)
    assert again is not None
    assert again.config == touched.config


def test_runs_belong_to_their_organisation(store: RunStore) -> None:
    run = store.start("audio", "file", CONFIG, "user-a")
    assert store.get(run.run_id, "user-a") == run
    assert store.get(run.run_id, "user-b") is None
    assert store.list(RunFilters(), 10, organisation="user-b") == ([], None)


@pytest.mark.parametrize("size", [1, 2, 3, 7, 8])
def test_pages_are_newest_first_and_cover_every_run_once(store: RunStore, clock: Clock, size: int) -> None:
    ids = []
    for index in range(7):
        clock.ms += index % 2  # pairs share a start millisecond
        ids.append(store.start("audio", "file", CONFIG, "user").run_id)
    pages = every_page(store, RunFilters(), size)
    assert [run.run_id for page_ in pages for run in page_] == ids[::-1]
    assert all(len(page_) == size for page_ in pages[:-1])
    assert 0 < len(pages[-1]) <= size


def test_a_cursor_is_not_shifted_by_new_runs(store: RunStore, clock: Clock) -> None:
    ids = [store.start("audio", "file", CONFIG, "user").run_id for _ in range(4)]
    first, cursor = store.list(RunFilters(), 2)
    clock.ms += 10
    store.start("audio", "file", CONFIG, "user")
    rest, end = store.list(RunFilters(), 2, cursor)
    assert [run.run_id for run in first + rest] == ids[::-1]
    assert end is None


def test_the_last_page_has_no_cursor_even_when_full(store: RunStore) -> None:
    for _ in range(2):
        store.start("audio", "file", CONFIG, "user")
    assert store.list(RunFilters(), 2)[1] is None


def test_filters_combine(store: RunStore, clock: Clock) -> None:
    audio_file = store.start("audio", "file", CONFIG, "u1")
    store.finish(audio_file.run_id, "ended", 12)
    video_live = store.start("video", "realtime", CONFIG, "u1")
    other_user = store.start("audio", "file", CONFIG, "u2", organisation="u1")

    def found(**filters: Any) -> list[str]:
        return [run.run_id for run in store.list(RunFilters(**filters), 50, organisation="u1")[0]]

    assert found(endpoint="video") == [video_live.run_id]
    assert found(mode="file", status="ended") == [audio_file.run_id]
    assert found(user_id="u2") == [other_user.run_id]
    assert found(status="live", endpoint="audio") == [other_user.run_id]


def test_adjacent_time_ranges_neither_skip_nor_repeat(store: RunStore, clock: Clock) -> None:
    starts = {}
    for offset in (0, 999, 1000, 1001, 2000):
        clock.ms = START_MS + offset
        starts[offset] = store.start("audio", "file", CONFIG, "user").run_id
    boundary = parse_rfc3339_us(format_ms(START_MS + 1000))
    before = store.list(RunFilters(started_before_us=boundary), 50)[0]
    after = store.list(RunFilters(started_after_us=boundary), 50)[0]
    assert [run.run_id for run in before] == [starts[999], starts[0]]
    assert [run.run_id for run in after] == [starts[2000], starts[1001], starts[1000]]
    # a boundary a microsecond past a run's start excludes it
    just_after = parse_rfc3339_us(format_ms(START_MS + 1000).replace("Z", "001Z"))
    assert [run.run_id for run in store.list(RunFilters(started_after_us=just_after), 50)[0]] == [
        starts[2000],
        starts[1001],
    ]


def test_a_foreign_cursor_is_refused(store: RunStore) -> None:
    for cursor in ("garbage", "ZTox", "!!"):
        with pytest.raises(ValueError, match="cursor is not one this server returned"):
            store.list(RunFilters(), 10, cursor)


def test_events_are_numbered_paged_and_capped_per_kind(store: RunStore) -> None:
    run = store.start("video", "realtime", CONFIG, "user")
    for _ in range(4):
        store.add_event(run.run_id, "rate_limited")
    assert store.add_event(run.run_id, "invalid_image_frame", {"detail": "not a JPEG"})
    first = store.events(run.run_id, 2)
    assert [(event["seq"], event["kind"]) for event in first.events] == [
        (1, "rate_limited"),
        (2, "rate_limited"),
    ]
    assert first.events[0]["detail"] is None
    second = store.events(run.run_id, 2, first.next_cursor)
    assert [event["seq"] for event in second.events] == [3, 4]
    assert second.events[1]["detail"] == {"detail": "not a JPEG"}
    assert second.next_cursor is None
    assert "next_cursor" not in second.to_api()
    assert (second.at_cap, second.capped_kinds, second.gaps) == (True, ["rate_limited"], False)


def test_a_clean_run_has_no_events(store: RunStore) -> None:
    run = store.start("audio", "file", CONFIG, "user")
    assert store.events(run.run_id).to_api() == {
        "events": [],
        "at_cap": False,
        "capped_kinds": [],
        "gaps": False,
    }


def test_reset_forgets_every_run(store: RunStore) -> None:
    store.start("audio", "file", CONFIG, "user")
    store.reset()
    assert store.all_runs() == []


@pytest.mark.parametrize(
    ("text", "expected_us"),
    [
        ("2026-12-01T00:00:00Z", 1_796_083_200_000_000),
        ("2026-12-01T01:00:00+01:00", 1_796_083_200_000_000),
        ("2026-12-01t00:00:00.1234567z", 1_796_083_200_123_456),
        ("2026-12-01 00:00:00.5-00:30", 1_796_085_000_500_000),
    ],
)
def test_rfc3339_times_are_read_exactly(text: str, expected_us: int) -> None:
    assert parse_rfc3339_us(text) == expected_us


@pytest.mark.parametrize(
    "text", ["2026-12-01", "2026-12-01T00:00:00", "yesterday", "2026-13-01T00:00:00Z", "1796083200"]
)
def test_other_times_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"RFC 3339|month|day"):
        parse_rfc3339_us(text)


def test_the_query_is_checked() -> None:
    filters, wanted = runs_query({"status": "ended", "started_after": "2026-12-01T00:00:00Z", "x": "y"}, 200)
    assert filters == RunFilters(status="ended", started_after_us=1_796_083_200_000_000)
    assert (wanted.size, wanted.cursor) == (50, None)
    assert page({"page_size": "200", "cursor": "abc"}).size == 200
    for params in (
        {"page_size": "0"},
        {"page_size": "201"},
        {"page_size": "ten"},
        {"status": "done"},
        {"mode": "batch"},
        {"endpoint": "text"},
        {"started_before": "soon"},
    ):
        with pytest.raises(V1Error) as raised:
            runs_query(params, 200)
        assert (raised.value.code, raised.value.status) == ("invalid_request", 400)
