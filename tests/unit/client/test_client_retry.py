"""Retry policy: retryable statuses, Retry-After parsing, delays, and the GET/POST decisions."""

from __future__ import annotations

import logging
import random
from email.utils import formatdate

import pytest

from airflow_provider_hume.client.retry import (
    Delivery,
    RetryPolicy,
    RetryTracker,
    is_retryable_status,
    parse_retry_after,
)

NOW = 1_700_000_000.0


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504, 599])
def test_retryable_statuses(status: int) -> None:
    assert is_retryable_status(status)


@pytest.mark.parametrize("status", [200, 301, 400, 401, 403, 404, 409, 422, 600])
def test_final_statuses(status: int) -> None:
    assert not is_retryable_status(status)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "5"}, 5.0),
        ({"RETRY-AFTER": "0.25"}, 0.25),
        ({"retry-after": " 12 "}, 12.0),
        ({"Retry-After": "-3"}, 0.0),
        ({"retry-after-ms": "250"}, 0.25),
        ({"Retry-After-Ms": "1500", "Retry-After": "9"}, 1.5),
        ({"Retry-After": formatdate(NOW + 42, usegmt=True)}, 42.0),
        ({"Retry-After": formatdate(NOW - 42, usegmt=True)}, 0.0),
        ({"Retry-After": "soon"}, None),
        ({"Retry-After": "inf"}, None),
        ({"Retry-After": ""}, None),
        ({"retry-after-ms": "abc"}, None),
        ({}, None),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(headers, now=NOW) == expected


def test_delay_honours_retry_after_with_cap() -> None:
    policy = RetryPolicy(max_retry_after=100)
    assert policy.delay(0, 7.0) == 7.0
    assert policy.delay(3, 0.0) == 0.0
    assert policy.delay(0, 1000.0) == 100.0


def test_delay_exponential_with_seeded_jitter() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=60.0, jitter=0.2)
    rng = random.Random(1234)
    delays = [policy.delay(attempt, None, rng) for attempt in range(8)]
    for attempt, delay in enumerate(delays):
        nominal = min(2.0**attempt, 60.0)
        assert nominal * 0.8 <= delay <= min(nominal * 1.2, 60.0)
    again = random.Random(1234)
    assert [policy.delay(a, None, again) for a in range(8)] == delays


def test_delay_without_jitter_and_huge_attempts() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=10.0, jitter=0.0)
    assert [policy.delay(a, None) for a in range(6)] == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0]
    assert policy.delay(10_000, None) == 10.0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_retries": -1},
        {"max_retries": 1.5},
        {"max_retries": True},
        {"base_delay": -1},
        {"max_delay": float("nan")},
        {"jitter": 1.5},
        {"max_retry_after": "10"},
    ],
)
def test_policy_validation(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]


def tracker(idempotent: bool, max_retries: int = 3) -> RetryTracker:
    policy = RetryPolicy(max_retries=max_retries, jitter=0.0)
    return RetryTracker(policy, "GET" if idempotent else "POST", "/v0/batch/jobs", idempotent)


def test_get_retries_statuses_until_exhausted(caplog: pytest.LogCaptureFixture) -> None:
    get = tracker(idempotent=True)
    with caplog.at_level(logging.WARNING, logger="airflow_provider_hume.client.retry"):
        delays = [get.after_status(503, {}) for _ in range(4)]
    assert delays == [1.0, 2.0, 4.0, None]
    assert [r.getMessage() for r in caplog.records] == [
        "Hume GET /v0/batch/jobs failed (HTTP 503); retrying in 1.0 s (attempt 1/3)",
        "Hume GET /v0/batch/jobs failed (HTTP 503); retrying in 2.0 s (attempt 2/3)",
        "Hume GET /v0/batch/jobs failed (HTTP 503); retrying in 4.0 s (attempt 3/3)",
    ]


def test_get_honours_retry_after() -> None:
    assert tracker(idempotent=True).after_status(429, {"Retry-After": "9"}) == 9.0


def test_get_does_not_retry_final_statuses() -> None:
    get = tracker(idempotent=True)
    for status in (400, 401, 403, 404):
        assert get.after_status(status, {}) is None
    assert get.attempt == 0


def test_get_retries_any_transport_failure(caplog: pytest.LogCaptureFixture) -> None:
    get = tracker(idempotent=True)
    with caplog.at_level(logging.WARNING):
        assert get.after_error(ConnectionResetError(), Delivery.MAYBE_SENT) == 1.0
        assert get.after_error(TimeoutError(), Delivery.NOT_SENT) == 2.0
    assert "failed (ConnectionResetError)" in caplog.records[0].getMessage()


def test_post_never_retries_statuses() -> None:
    post = tracker(idempotent=False)
    for status in (408, 429, 500, 503):
        assert post.after_status(status, {"Retry-After": "1"}) is None


def test_post_retries_only_when_not_sent() -> None:
    post = tracker(idempotent=False, max_retries=2)
    assert post.after_error(ConnectionResetError(), Delivery.MAYBE_SENT) is None
    assert post.after_error(ConnectionRefusedError(), Delivery.NOT_SENT) == 1.0
    assert post.after_error(ConnectionRefusedError(), Delivery.NOT_SENT) == 2.0
    assert post.after_error(ConnectionRefusedError(), Delivery.NOT_SENT) is None


def test_zero_retries() -> None:
    assert tracker(idempotent=True, max_retries=0).after_status(503, {}) is None


def test_no_retry_starts_that_would_end_past_the_deadline(caplog: pytest.LogCaptureFixture) -> None:
    clock = [NOW]
    tracker = RetryTracker(
        RetryPolicy(max_retries=5), "GET", "/v0/batch/jobs/j", True, deadline=NOW + 3, clock=lambda: clock[0]
    )
    assert tracker.after_status(503, {"Retry-After": "2"}) == 2.0
    clock[0] += 2.0
    with caplog.at_level(logging.WARNING, logger="airflow_provider_hume.client.retry"):
        assert tracker.after_status(429, {"Retry-After": "10"}) is None
    assert "would pass the deadline" in caplog.text
    assert tracker.attempt == 1


def test_without_a_deadline_retries_follow_the_policy_alone() -> None:
    tracker = RetryTracker(RetryPolicy(max_retries=2), "GET", "/p", True, clock=lambda: NOW)
    assert tracker.after_status(429, {"Retry-After": "100"}) == 100.0
    assert tracker.after_status(429, {"Retry-After": "100"}) == 100.0
    assert tracker.after_status(429, {"Retry-After": "100"}) is None
