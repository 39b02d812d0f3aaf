"""The one launcher of scripts and benchmarks: ``hume-emulator`` as a child process, stopped on exit."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import requests

from airflow_provider_hume.emulator.process import EmulatorStartError, emulator_process


def test_the_child_serves_with_its_flags_and_key_then_stops(tmp_path: Path) -> None:
    log_path = tmp_path / "emulator.log"
    with emulator_process("--job-details-shape", "2022", log_path=log_path, api_key="child-key") as emulator:
        assert emulator.url.startswith("http://127.0.0.1:")
        headers = {"X-Hume-Api-Key": emulator.api_key}
        job = requests.post(
            f"{emulator.url}/v0/batch/jobs", json={"text": ["Hi"]}, headers=headers, timeout=10
        )
        details = requests.get(
            f"{emulator.url}/v0/batch/jobs/{job.json()['job_id']}", headers=headers, timeout=10
        )
        assert "creation_timestamp" in details.json()
        pid = emulator.pid
    assert "child-key" not in log_path.read_text()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_a_child_that_refuses_its_flags_raises_with_its_log() -> None:
    with (
        pytest.raises(EmulatorStartError, match="--error-rate: must be a probability"),
        emulator_process("--error-rate", "2"),
    ):
        pytest.fail("the emulator started")
