"""Settings validation and the admin API's JSON form of the faults."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import pytest

from airflow_provider_hume.emulator.backend.settings import (
    FLAG,
    FLAG_GROUP,
    EmulatorSettings,
    FaultSettings,
    Flag,
    SettingError,
    V1Settings,
    parse_statuses,
)


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"rate_limit": 0}, "rate_limit", "positive"),
        ({"error_rate": 1.5}, "error_rate", "between 0 and 1"),
        ({"drop_rate": -0.1}, "drop_rate", "between 0 and 1"),
        ({"job_failure_rate": 2}, "job_failure_rate", "between 0 and 1"),
        ({"error_statuses": (404,)}, "error_statuses", "5xx"),
        ({"error_statuses": ()}, "error_statuses", "5xx"),
        ({"latency_ms": -1}, "latency_ms", "negative"),
        ({"artifacts_pad_bytes": -1}, "artifacts_pad_bytes", "negative"),
        ({"times": -1}, "times", "negative"),
        ({"queue_delay_seconds": float("nan")}, "queue_delay_seconds", "negative"),
        ({"job_failure_message": ""}, "job_failure_message", "empty"),
        ({"routes": ("/v0/batch/jobs",)}, "routes", "GET /v0/batch/jobs/{job_id}"),
    ],
)
def test_invalid_faults_name_the_field(changes: dict[str, Any], field: str, reason: str) -> None:
    with pytest.raises(SettingError) as raised:
        FaultSettings(**changes)
    assert raised.value.field == field
    assert reason in raised.value.reason


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"queue_seconds": -1}, "queue_seconds"),
        ({"run_seconds": float("inf")}, "run_seconds"),
        ({"callback_backoff_seconds": -1}, "callback_backoff_seconds"),
        ({"stream_idle_seconds": 0}, "stream_idle_seconds"),
        ({"job_details_shape": "2021"}, "job_details_shape"),
        ({"stream_warnings": "inline"}, "stream_warnings"),
    ],
)
def test_invalid_emulator_settings_name_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(SettingError) as raised:
        EmulatorSettings(**changes)
    assert raised.value.field == field


def test_json_round_trip() -> None:
    faults = FaultSettings(
        rate_limit=5, error_statuses=(503,), routes=("GET /v0/batch/jobs/{job_id}",), times=2
    )
    data = faults.to_json()
    assert data["error_statuses"] == [503]
    assert data["routes"] == ["GET /v0/batch/jobs/{job_id}"]
    assert FaultSettings.from_json(data) == faults
    assert FaultSettings().to_json()["rate_limit"] is None


def test_from_json_merges_into_a_base() -> None:
    base = FaultSettings(latency_ms=10, error_rate=0.5)
    merged = FaultSettings.from_json({"error_rate": 1, "times": None}, base)
    assert merged == FaultSettings(latency_ms=10, error_rate=1.0)
    assert isinstance(merged.error_rate, float)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"bogus": 1}, "bogus"),
        ({"error_rate": "0.5"}, "error_rate"),
        ({"error_rate": True}, "error_rate"),
        ({"latency_ms": 1.5}, "latency_ms"),
        ({"routes": "GET /v0/batch/jobs"}, "routes"),
        ({"error_statuses": [500, "502"]}, "error_statuses"),
        ({"job_failure_message": 3}, "job_failure_message"),
        ([], "faults"),
    ],
)
def test_from_json_checks_types_and_names(data: Any, field: str) -> None:
    with pytest.raises(SettingError) as raised:
        FaultSettings.from_json(data)
    assert raised.value.field == field


def test_applies_to_routes_and_times() -> None:
    scoped = FaultSettings(routes=("GET /v0/batch/jobs",))
    assert scoped.applies_to("GET /v0/batch/jobs")
    assert not scoped.applies_to("POST /v0/batch/jobs")
    assert FaultSettings().applies_to("POST /v0/batch/jobs")
    assert not FaultSettings(times=0).applies_to("POST /v0/batch/jobs")


@pytest.mark.parametrize("settings_class", [EmulatorSettings, FaultSettings, V1Settings])
def test_every_setting_has_a_flag_or_is_a_group_of_them(settings_class: type) -> None:
    for field in fields(settings_class):
        assert isinstance(field.metadata.get(FLAG), Flag) or FLAG_GROUP in field.metadata, field.name


@pytest.mark.parametrize(("text", "statuses"), [("500", (500,)), ("500,503", (500, 503))])
def test_parse_statuses(text: str, statuses: tuple[int, ...]) -> None:
    assert parse_statuses(text) == statuses


def test_parse_statuses_refuses_junk() -> None:
    with pytest.raises(ValueError, match="expected comma-separated statuses"):
        parse_statuses("500,abc")
