"""``hume-emulator`` flags: every setting has one, and invalid values exit with status 2 naming the flag."""

from __future__ import annotations

import pytest

from airflow_provider_hume.emulator.backend.settings import EmulatorSettings, FaultSettings, parse_size
from airflow_provider_hume.emulator.cli import build_parser, main, settings_from_args


def test_defaults_are_the_settings_defaults() -> None:
    assert settings_from_args(build_parser().parse_args([])) == EmulatorSettings()


ALL_FLAGS = ["--queue-seconds", "0.5", "--run-seconds", "0", "--seed", "9", "--job-details-shape", "mid-2023",
             "--callback-backoff", "0.2", "--stream-idle-seconds", "5", "--stream-warnings", "top-level",
             "--keep-alive-seconds", "30", "--rate-limit", "50", "--error-rate", "0.1", "--error-statuses",
             "500,503", "--latency-ms", "20", "--drop-rate", "0.2", "--job-failure-rate", "0.3",
             "--job-failure-message", "no credits", "--queue-delay", "4", "--artifacts-pad-bytes", "1GiB",
             "--fault-route", "GET /v0/batch/jobs", "--fault-route", "POST /v0/batch/jobs",
             "--fault-times", "3"]  # fmt: skip


def test_every_flag_sets_its_field() -> None:
    args = build_parser().parse_args(ALL_FLAGS)
    faults = FaultSettings(
        rate_limit=50, error_rate=0.1, error_statuses=(500, 503), latency_ms=20, drop_rate=0.2,
        job_failure_rate=0.3, job_failure_message="no credits", queue_delay_seconds=4,
        artifacts_pad_bytes=1024**3, routes=("GET /v0/batch/jobs", "POST /v0/batch/jobs"), times=3,
    )  # fmt: skip
    assert settings_from_args(args) == EmulatorSettings(
        queue_seconds=0.5, run_seconds=0, seed=9, job_details_shape="mid-2023", callback_backoff_seconds=0.2,
        stream_idle_seconds=5, stream_warnings="top-level", keep_alive_seconds=30, faults=faults,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("text", "size"),
    [("0", 0), ("1048576", 1048576), ("512KiB", 524288), ("10MB", 10_000_000), ("1gib", 1024**3), ("7 B", 7)],
)
def test_parse_size(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "-1", "1.5GiB", "12XB", "GiB"])
def test_parse_size_refuses_junk(text: str) -> None:
    with pytest.raises(ValueError, match="expected a size"):
        parse_size(text)


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--error-rate", "2"], "--error-rate: must be a probability between 0 and 1"),
        (["--rate-limit", "0"], "--rate-limit: must be a positive number"),
        (["--error-statuses", "500,abc"], "argument --error-statuses: expected comma-separated statuses"),
        (["--error-statuses", "404"], "--error-statuses: must be 5xx statuses"),
        (["--artifacts-pad-bytes", "12XB"], "argument --artifacts-pad-bytes: expected a size"),
        (["--queue-seconds", "-1"], "--queue-seconds: must not be negative"),
        (["--stream-idle-seconds", "0"], "--stream-idle-seconds: must be positive"),
        (["--keep-alive-seconds", "0"], "--keep-alive-seconds: must be at least 1"),
        (["--job-details-shape", "2021"], "argument --job-details-shape: invalid choice"),
        (["--fault-route", "/v0/batch/jobs"], "--fault-route: each must look like"),
        (["--fault-route", "GET /v0/batch/job"], "--fault-route: 'GET /v0/batch/job' is not served here"),
    ],
)
def test_invalid_flags_exit_2_naming_the_flag(
    flags: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--api-key", "k", "--port", "0", *flags])
    assert exited.value.code == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert captured.out == ""
