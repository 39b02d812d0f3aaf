"""Reconnect decisions and back-off (hume-api-v1.md §7.1, §10), on a fake clock."""

from __future__ import annotations

import pytest

from airflow_provider_hume.client.errors import HumeValidationError
from airflow_provider_hume.client.v1.realtime.reconnect import Backoff, ReconnectPolicy, should_reconnect


@pytest.mark.parametrize(
    ("endpoint", "code", "reason", "error", "expected"),
    [
        ("audio", 1000, "server_shutdown", None, True),
        ("video", 1000, "server_shutdown", None, True),
        ("audio", 1000, "client_request", None, False),
        ("audio", 1000, "idle_timeout", None, False),
        ("audio", None, None, None, True),  # no close frame: 1006
        *[("video", code, None, None, True) for code in (1001, 1006, 1011, 1012, 1013)],
        ("audio", 1008, "error", "internal_error", True),
        ("video", 1008, "error", "internal_error", False),
        ("audio", 1008, "error", "config_invalid", False),
        ("audio", 1008, "error", "message_too_large", False),
        ("audio", 1002, None, None, False),
        ("audio", 4000, None, None, False),
    ],
)
def test_should_reconnect(
    endpoint: str, code: int | None, reason: str | None, error: str | None, expected: bool
) -> None:
    assert should_reconnect(endpoint, code, reason, error) is expected  # type: ignore[arg-type]


def test_delays_grow_by_1_3_up_to_10_seconds() -> None:
    backoff = Backoff(ReconnectPolicy(), uniform=lambda low, high: 4.0)
    delays = [backoff.next_delay(0.0) for _ in range(6)]
    assert delays == pytest.approx([4.0, 5.2, 6.76, 8.788, 10.0, 10.0])


def test_the_first_delay_is_drawn_from_1_to_5_seconds() -> None:
    drawn: list[tuple[float, float]] = []

    def uniform(low: float, high: float) -> float:
        drawn.append((low, high))
        return low

    Backoff(ReconnectPolicy(), uniform=uniform)
    assert drawn == [(1.0, 5.0)]


def test_at_most_30_attempts_in_a_row() -> None:
    backoff = Backoff(ReconnectPolicy(), uniform=lambda low, high: 1.0)
    assert all(backoff.next_delay(0.0) is not None for _ in range(30))
    assert backoff.next_delay(0.0) is None


def test_five_seconds_of_uptime_start_the_count_again() -> None:
    backoff = Backoff(ReconnectPolicy(max_attempts=2), uniform=lambda low, high: 1.0)
    backoff.next_delay(0.0)
    backoff.next_delay(0.0)
    backoff.opened(100.0)
    assert backoff.next_delay(104.9) is None  # open for less than 5 s: still counting
    backoff = Backoff(ReconnectPolicy(max_attempts=2), uniform=lambda low, high: 1.0)
    backoff.next_delay(0.0)
    backoff.next_delay(0.0)
    backoff.opened(100.0)
    assert backoff.next_delay(105.0) == 1.0
    assert backoff.attempts == 1


def test_zero_attempts_turn_reconnecting_off() -> None:
    assert Backoff(ReconnectPolicy(max_attempts=0)).next_delay(0.0) is None


@pytest.mark.parametrize(
    "changes",
    [{"max_attempts": -1}, {"first_delay": (5.0, 1.0)}, {"growth": 0.5}, {"max_delay": 2.0}],
)
def test_policy_checks(changes: dict[str, object]) -> None:
    with pytest.raises(HumeValidationError):
        ReconnectPolicy(**changes)  # type: ignore[arg-type]
