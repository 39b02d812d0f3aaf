"""The waiting policy on its own: poll-interval floor, error budget, deadlines and final verdicts."""

from __future__ import annotations

import math

import pytest

from airflow_provider_hume.client import (
    MIN_POLL_INTERVAL,
    HumeAuthError,
    HumeServerError,
    HumeTLSError,
    HumeValidationError,
    JobState,
    JobStatus,
    JobWait,
    Verdict,
    check_error_budget,
    check_poll_interval,
)

NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    ("value", "expected"), [(0, MIN_POLL_INTERVAL), (0.2, MIN_POLL_INTERVAL), (30, 30.0)]
)
def test_poll_interval_has_a_floor(value: float, expected: float) -> None:
    assert check_poll_interval(value) == expected


@pytest.mark.parametrize("value", [-1, "10", None, math.nan, True])
def test_poll_interval_rejects_what_is_not_a_non_negative_number(value: object) -> None:
    with pytest.raises(HumeValidationError, match="poke_interval"):
        check_poll_interval(value, "poke_interval")


def test_error_budget_defaults_to_five_minutes_of_polls() -> None:
    assert check_error_budget(None, 10.0) == 30
    assert check_error_budget(None, 600.0) == 3
    assert check_error_budget(0, 10.0) == 0
    with pytest.raises(HumeValidationError, match="max_consecutive_poll_errors"):
        check_error_budget(-1, 10.0)


def test_a_good_answer_resets_the_error_count() -> None:
    wait = JobWait("j", poll_interval=10, max_consecutive_poll_errors=1)
    error = HumeServerError("Hume server error (HTTP 503)", 503)
    assert wait.after_error(error, NOW).verdict is Verdict.WAITING
    assert wait.after_state(JobState(JobStatus.IN_PROGRESS), NOW).verdict is Verdict.WAITING
    assert wait.after_error(error, NOW).verdict is Verdict.WAITING
    step = wait.after_error(error, NOW)
    assert step.verdict is Verdict.ERROR
    assert "j after 2 failed polls in a row" in step.message


@pytest.mark.parametrize("error", [HumeAuthError("key rejected", 401), HumeTLSError("TLS handshake failed")])
def test_permanent_errors_end_the_wait_at_once(error: HumeAuthError) -> None:
    step = JobWait("j").after_error(error, NOW)
    assert (step.verdict, step.error) == (Verdict.ERROR, error)


def test_a_timeout_wait_starts_its_clock_at_the_first_poll() -> None:
    wait = JobWait("j", poll_interval=10, timeout=25)
    assert wait.deadline_at(NOW) == NOW + 25
    assert wait.after_state(JobState(JobStatus.QUEUED), NOW + 20).sleep_seconds == 5
    step = wait.after_state(JobState(JobStatus.QUEUED), NOW + 25)
    assert step.verdict is Verdict.TIMEOUT
    assert "last status QUEUED" in step.message
