"""A job that COMPLETED with a failed source, inside Airflow (``dag.test()``) against the emulator.

The emulator fetches URLs from loopback hosts only: any other URL gives that source a "could not download"
error, and a file of no known format gives a ``results.errors`` entry (docs/emulator.md), while the job
itself completes. ``on_source_error`` decides whether the task fails.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from airflow.sdk import DAG

from airflow_provider_hume.operators.batch import HumeBatchSubmitOperator
from airflow_provider_hume.sensors.job import HumeJobSensor

START = datetime(2026, 1, 1)
SIGNATURE = "X-Amz-Signature=not-for-logs"
BAD_URL = f"https://media.example.com/missing.mp4?{SIGNATURE}"
BAD_URL_SHOWN = "https://media.example.com/missing.mp4?..."
MODELS = {"language": {}, "prosody": {}}


def _num_errors(emulator: Any, job_id: str) -> int:
    response = requests.get(
        f"{emulator.url}/v0/batch/jobs/{job_id}", headers={"X-Hume-Api-Key": emulator.api_key}, timeout=10
    )
    response.raise_for_status()
    return int(response.json()["state"]["num_errors"])


@pytest.mark.parametrize("deferrable", [False, True], ids=["worker", "deferrable"])
def test_warn_succeeds_and_logs_each_failed_source(
    connections: None,
    emulator: Any,
    run_dag: Any,
    capfd: pytest.CaptureFixture[str],
    tmp_path: Path,
    deferrable: bool,
) -> None:
    unreadable = tmp_path / "notes.bin"
    unreadable.write_bytes(b"\x00\x01 not a medium \xfe" * 64)
    with DAG(f"partial_warn_{deferrable}", schedule=None, start_date=START) as dag:
        HumeBatchSubmitOperator(
            task_id="submit",
            text=["A calm and happy day."],
            urls=[BAD_URL],
            files=[str(unreadable)],
            models=MODELS,
            wait_for_completion=True,
            deferrable=deferrable,
            poll_interval=0.2,
        )
    outcome = run_dag(dag)
    out = capfd.readouterr().out
    assert outcome["submit"]["state"] == "success"
    job_id = outcome["submit"]["xcom"]["return_value"]
    assert _num_errors(emulator, job_id) == 2
    assert f"{BAD_URL_SHOWN}: could not download {BAD_URL_SHOWN}" in out
    assert "notes.bin: unsupported file type" in out
    assert "2 failed input(s) in 2 of 3 source(s)" in out
    assert SIGNATURE not in out


@pytest.mark.parametrize("deferrable", [False, True], ids=["worker", "deferrable"])
def test_fail_fails_the_task_naming_the_failed_source(
    connections: None, run_dag: Any, capfd: pytest.CaptureFixture[str], deferrable: bool
) -> None:
    with DAG(f"partial_fail_{deferrable}", schedule=None, start_date=START) as dag:
        HumeBatchSubmitOperator(
            task_id="submit",
            text=["A calm and happy day."],
            urls=[BAD_URL],
            models=MODELS,
            wait_for_completion=True,
            deferrable=deferrable,
            poll_interval=0.2,
            on_source_error="fail",
            retries=2,
        )
    outcome = run_dag(dag)
    out = capfd.readouterr().out
    assert outcome["submit"]["state"] == "failed"
    assert outcome["submit"]["try_number"] == 1, "a failed source is not retried"
    assert "completed with 1 failed input(s) in 1 of 2 source(s) (on_source_error='fail')" in out
    assert f"{BAD_URL_SHOWN}: could not download" in out
    assert SIGNATURE not in out


def _submit(emulator: Any, body: dict[str, Any]) -> str:
    response = requests.post(
        f"{emulator.url}/v0/batch/jobs", json=body, headers={"X-Hume-Api-Key": emulator.api_key}, timeout=10
    )
    response.raise_for_status()
    return str(response.json()["job_id"])


@pytest.mark.parametrize(
    ("mode", "deferrable", "on_source_error", "state"),
    [
        ("poke", False, "warn", "success"),
        ("reschedule", False, "fail", "failed"),
        ("poke", True, "fail", "failed"),
    ],
    ids=["poke-warn", "reschedule-fail", "deferrable-fail"],
)
def test_the_sensor_judges_failed_sources_the_same_way(
    connections: None,
    emulator: Any,
    run_dag: Any,
    capfd: pytest.CaptureFixture[str],
    mode: str,
    deferrable: bool,
    on_source_error: str,
    state: str,
) -> None:
    job_id = _submit(emulator, {"text": ["Hello there."], "urls": [BAD_URL], "models": {"language": {}}})
    with DAG(f"partial_sensor_{mode}_{deferrable}", schedule=None, start_date=START) as dag:
        HumeJobSensor(
            task_id="wait",
            job_id=job_id,
            mode=mode,
            deferrable=deferrable,
            poke_interval=0.2,
            timeout=60,
            on_source_error=on_source_error,
        )
    outcome = run_dag(dag)
    out = capfd.readouterr().out
    assert outcome["wait"]["state"] == state
    assert f"{BAD_URL_SHOWN}: could not download" in out
    assert SIGNATURE not in out


PREDICTIONS_ROUTE = "GET /v0/batch/jobs/{job_id}/predictions"


def _prediction_reads(emulator: Any) -> int:
    counts = emulator.server.state.request_counts()
    return sum(n for (route, _), n in counts.items() if route == PREDICTIONS_ROUTE)


def test_a_job_without_errors_reads_no_predictions(connections: None, emulator: Any, run_dag: Any) -> None:
    before = _prediction_reads(emulator)
    with DAG("partial_none", schedule=None, start_date=START) as dag:
        HumeBatchSubmitOperator(
            task_id="submit",
            text=["Hello"],
            wait_for_completion=True,
            deferrable=False,
            poll_interval=0.2,
            on_source_error="fail",
        )
    outcome = run_dag(dag)
    assert outcome["submit"]["state"] == "success"
    assert _prediction_reads(emulator) == before
