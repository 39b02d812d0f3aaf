"""The job index behind ``GET /v0/batch/jobs``: the same jobs, in the same order, as filtering and sorting
every job would give, while touching only the jobs a listing returns (issue 12)."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Iterator
from dataclasses import replace

import pytest

from airflow_provider_hume.emulator.backend.jobs import STATUSES, Job
from airflow_provider_hume.emulator.backend.listing import (
    DIRECTIONS,
    SORT_BY,
    WHEN,
    JobIndex,
    ListQuery,
    select_jobs,
    walk,
)
from airflow_provider_hume.emulator.backend.request import JobRequest

USER = "user"
HELD_MS = 2**62
REQUEST = JobRequest(text=("x",))


def job(number: int, created: int, queued: int = 10, running: int = 10, failed: bool = False) -> Job:
    started = created + queued
    message = "boom" if failed else None
    return Job(f"job-{number:05d}", USER, REQUEST, (), created, started, started + running, message)


def reference(jobs: Iterable[Job], query: ListQuery, now_ms: int) -> list[Job]:
    """What the listing did before the index: filter, then two stable sorts of every job."""
    reference_ms = now_ms if query.timestamp_ms is None else query.timestamp_ms
    inclusive = query.timestamp_ms is None

    def in_window(job: Job) -> bool:
        if query.when == "created_after":
            return job.created_ms > reference_ms
        return job.created_ms < reference_ms or (inclusive and job.created_ms == reference_ms)

    def sort_value(job: Job) -> int | None:
        if query.sort_by == "started":
            return job.started_at(now_ms)
        if query.sort_by == "ended":
            return job.ended_at(now_ms)
        return job.created_ms

    if "INFERENCE" not in query.types:
        return []
    chosen = [job for job in jobs if job.status(now_ms) in query.statuses and in_window(job)]
    chosen.sort(key=lambda job: (sort_value(job) or 0, job.created_ms), reverse=query.direction == "desc")
    chosen.sort(key=lambda job: sort_value(job) is None)
    return chosen[: query.limit]


def indexed(jobs: Iterable[Job]) -> JobIndex:
    index = JobIndex()
    for each in jobs:
        index.add(each)
    return index


def random_jobs(rng: random.Random, count: int) -> list[Job]:
    """Jobs created in bursts (many in the same millisecond), the clock sometimes going back, with varied
    queue and run times (so started/ended orders differ from the creation order) and some failures."""
    jobs = []
    clock = 1_000
    for number in range(count):
        clock += rng.choice([0, 0, 0, 1, 3, 7, -5])
        jobs.append(
            job(number, clock, rng.choice([0, 5, 20]), rng.choice([0, 5, 50]), failed=rng.random() < 0.2)
        )
    return jobs


def random_queries(rng: random.Random, jobs: list[Job]) -> Iterator[ListQuery]:
    times = [each.created_ms for each in jobs] or [1_000]
    for _ in range(300):
        statuses = rng.sample(STATUSES, rng.randint(1, 4))
        yield ListQuery(
            limit=rng.choice([0, 1, 2, 5, 50, 65535]),
            statuses=frozenset(statuses),
            when=rng.choice(WHEN),
            timestamp_ms=rng.choice([None, rng.choice(times), rng.choice(times) + 1, 0, 10**13]),
            sort_by=rng.choice(SORT_BY),
            direction=rng.choice(DIRECTIONS),
            types=rng.choice([frozenset({"INFERENCE"}), frozenset({"TRAINING"}), ListQuery().types]),
        )


@pytest.mark.parametrize("seed", range(8))
def test_same_jobs_in_the_same_order_as_sorting_every_job(seed: int) -> None:
    rng = random.Random(seed)
    jobs = random_jobs(rng, rng.choice([0, 1, 7, 60, 200]))
    index = indexed(jobs)
    times = [900, 1_020, 1_100, 1_300, 5_000]
    for query in random_queries(rng, jobs):
        if jobs and rng.random() < 0.1:  # the admin API holds or fails a job (a new Job in its place)
            position = rng.randrange(len(jobs))
            if rng.random() < 0.5:
                jobs[position] = replace(jobs[position], ended_ms=HELD_MS)
            else:
                jobs[position] = replace(jobs[position], failure_message="failed by the admin API")
            index.replace(jobs[position])
        now = rng.choice(times) if seed % 2 else sorted(times)[min(len(times) - 1, query.limit % 5)]
        assert select_jobs(index, query, now) == reference(jobs, query, now), query


def test_jobs_of_the_same_millisecond_keep_their_order_in_both_directions() -> None:
    jobs = [job(0, 100), job(1, 200), job(2, 200), job(3, 200), job(4, 300)]
    index = indexed(jobs)
    ids = [
        [each.job_id[-1] for each in select_jobs(index, ListQuery(direction=direction), 1_000)]
        for direction in DIRECTIONS
    ]
    assert ids == [list("01234"), list("41230")]
    assert [each.job_id[-1] for each in select_jobs(index, ListQuery(limit=2), 1_000)] == list("41")


def test_a_clock_that_went_back_still_lists_by_creation_time() -> None:
    index = indexed([job(0, 300), job(1, 100), job(2, 200)])
    listed = select_jobs(index, ListQuery(direction="asc"), 1_000)
    assert [each.created_ms for each in listed] == [100, 200, 300]
    assert [each.created_ms for each in index.jobs()] == [100, 200, 300]


def test_when_and_timestamp_bounds() -> None:
    index = indexed([job(0, 100), job(1, 200), job(2, 200), job(3, 300)])
    created = [[each.created_ms for each in select_jobs(index, query, 200)] for query in (
        ListQuery(direction="asc"),  # "now" is inclusive
        ListQuery(direction="asc", timestamp_ms=200),  # a given timestamp is not
        ListQuery(direction="asc", when="created_after", timestamp_ms=100),
        ListQuery(direction="asc", when="created_after"),
    )]  # fmt: skip
    assert created == [[100, 200, 200], [100], [200, 200, 300], [300]]


def test_missing_timestamps_come_last_in_creation_order() -> None:
    jobs = [job(0, 100, running=100), job(1, 110), job(2, 190), job(3, 150)]  # at 200: 0 and 2 not ended
    index = indexed(jobs)
    for direction, expected in (("desc", "3120"), ("asc", "1302")):
        listed = select_jobs(index, ListQuery(sort_by="ended", direction=direction), 200)
        assert "".join(each.job_id[-1] for each in listed) == expected


def test_replace_swaps_the_job_in_place() -> None:
    index = indexed([job(0, 100), job(1, 100), job(2, 100)])
    failed = job(1, 100, failed=True)
    index.replace(failed)
    assert index.jobs()[1] is failed
    with pytest.raises(KeyError):
        index.replace(job(9, 100))


def test_a_listing_touches_only_what_it_returns(monkeypatch: pytest.MonkeyPatch) -> None:
    jobs = [job(number, 1_000 + number // 3) for number in range(10_000)]
    index = indexed(jobs)
    looked_at: list[str] = []
    status = Job.status

    def counting_status(self: Job, now_ms: int) -> str:
        looked_at.append(self.job_id)
        return status(self, now_ms)

    monkeypatch.setattr(Job, "status", counting_status)
    now = 10**6
    for query in (
        ListQuery(limit=5, statuses=frozenset({"COMPLETED"})),
        ListQuery(limit=3, statuses=frozenset({"COMPLETED"}), when="created_after", timestamp_ms=2_000),
        ListQuery(limit=4, statuses=frozenset({"COMPLETED"}), direction="asc", timestamp_ms=3_000),
    ):
        listed = select_jobs(index, query, now)
        assert len(listed) == query.limit
        assert len(looked_at) == query.limit
        assert listed == reference(jobs, query, now)
        looked_at.clear()


def test_open_statuses_look_only_at_open_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    jobs = [job(number, 1_000 + number, queued=5, running=5) for number in range(10_000)]
    index = indexed(jobs)
    query = ListQuery(limit=50, statuses=frozenset({"QUEUED", "IN_PROGRESS"}))
    now = 1_000 + 9_995
    assert select_jobs(index, query, now) == reference(jobs, query, now)  # sweeps the ended jobs out once
    looked_at: list[str] = []
    status = Job.status

    def counting_status(self: Job, now_ms: int) -> str:
        looked_at.append(self.job_id)
        return status(self, now_ms)

    monkeypatch.setattr(Job, "status", counting_status)
    listed = select_jobs(index, query, now + 1)
    assert [each.job_id for each in listed] == [f"job-{number:05d}" for number in range(9_996, 9_986, -1)]
    assert len(looked_at) == 10  # the 10 not-ended jobs, not the 10,000
    held = replace(jobs[0], ended_ms=HELD_MS)
    index.replace(held)  # a held job is open again
    assert select_jobs(index, query, now + 1)[-1] == held
    assert select_jobs(index, query, 900) == []  # the clock went back: every job is QUEUED, but created later


def test_an_empty_index_lists_nothing() -> None:
    assert select_jobs(JobIndex(), ListQuery(), 0) == []
    assert list(itertools.islice(walk([], 0, 0, True), 1)) == []
