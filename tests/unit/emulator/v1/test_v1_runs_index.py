"""The runs list walks the runs kept in position order (issue 12): the same pages as sorting every run."""

from __future__ import annotations

import random

import pytest

from airflow_provider_hume.emulator.v1.runs import Run, RunFilters, RunStore

START_MS = 1_796_000_000_000


class Clock:
    def __init__(self) -> None:
        self.ms = START_MS

    def __call__(self) -> int:
        return self.ms


def every_page(store: RunStore, filters: RunFilters, size: int, organisation: str | None) -> list[str]:
    seen: list[str] = []
    cursor = None
    while True:
        runs, cursor = store.list(filters, size, cursor, organisation=organisation)
        assert len(runs) <= size
        seen.extend(run.run_id for run in runs)
        if cursor is None:
            return seen


def brute_force(started: list[tuple[Run, int]], filters: RunFilters, organisation: str | None) -> list[str]:
    """Every run sorted newest first (start time, then creation order), then filtered."""
    ordered = sorted(started, key=lambda pair: (pair[0].started_ms, pair[1]), reverse=True)
    return [
        run.run_id
        for run, _ in ordered
        if (organisation is None or run.organisation == organisation) and filters.accepts(run)
    ]


@pytest.mark.parametrize("seed", range(5))
def test_pages_match_sorting_every_run(seed: int) -> None:
    rng = random.Random(seed)
    clock = Clock()
    store = RunStore(clock)
    started: list[tuple[Run, int]] = []
    for number in range(rng.choice([0, 1, 30, 120])):
        clock.ms += rng.choice([0, 0, 1, 2, 50, -7])  # ties, and a clock that goes back
        user = rng.choice(["u1", "u2"])
        run = store.start(rng.choice(["audio", "video"]), rng.choice(["file", "realtime"]), {}, user)
        started.append((run, number))
    offsets = [0, 1, 500, 999, 1000, 1001]
    for _ in range(60):
        bound = START_MS * 1000 + rng.randint(-20, 200) * 1000 + rng.choice(offsets)
        filters = RunFilters(
            endpoint=rng.choice([None, "audio"]),
            started_after_us=rng.choice([None, bound]),
            started_before_us=rng.choice([None, bound + rng.choice([0, 1, 40_000])]),
        )
        organisation = rng.choice([None, "u1"])
        size = rng.choice([1, 2, 7, 200])
        assert every_page(store, filters, size, organisation) == brute_force(started, filters, organisation)
