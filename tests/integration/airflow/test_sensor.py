"""HumeJobSensor in poke, reschedule and deferrable modes, inside Airflow against the emulator."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
import requests
from airflow.sdk import DAG

from airflow_provider_hume.sensors.job import HumeJobSensor

START = datetime(2026, 1, 1)


def _submit_text_job(emulator: Any, text: str = "A calm and happy day.") -> str:
    response = requests.post(
        f"{emulator.url}/v0/batch/jobs",
        json={"text": [text], "models": {"language": {}}},
        headers={"X-Hume-Api-Key": emulator.api_key},
        timeout=10,
    )
    response.raise_for_status()
    return str(response.json()["job_id"])


@pytest.mark.parametrize(
    ("mode", "deferrable"),
    [("poke", False), ("reschedule", False), ("poke", True)],
    ids=["poke", "reschedule", "deferrable"],
)
def test_sensor_succeeds_when_job_completes(
    connections: None, emulator: Any, run_dag: Any, mode: str, deferrable: bool
) -> None:
    job_id = _submit_text_job(emulator)
    with DAG(f"sensor_{mode}_{deferrable}", schedule=None, start_date=START) as dag:
        HumeJobSensor(
            task_id="wait", job_id=job_id, mode=mode, deferrable=deferrable, poke_interval=0.2, timeout=60
        )
    outcome = run_dag(dag)
    assert outcome["wait"]["state"] == "success"
    assert outcome["wait"]["xcom"]["return_value"] == job_id


@pytest.mark.parametrize("deferrable", [False, True], ids=["poke", "deferrable"])
def test_sensor_fails_with_hume_message_and_job_id(
    connections: None, emulator: Any, run_dag: Any, capfd: pytest.CaptureFixture[str], deferrable: bool
) -> None:
    job_id = _submit_text_job(emulator)
    emulator.server.state.fail_job(job_id, "user 'abcde' has exceeded their usage limit")
    with DAG(f"sensor_failed_{deferrable}", schedule=None, start_date=START) as dag:
        HumeJobSensor(task_id="wait", job_id=job_id, deferrable=deferrable, poke_interval=0.2, timeout=60)
    outcome = run_dag(dag)
    out = capfd.readouterr().out
    assert outcome["wait"]["state"] == "failed"
    assert "exceeded their usage limit" in out
    assert job_id in out


def test_deferrable_sensor_times_out_at_its_deadline(
    connections: None, emulator: Any, run_dag: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    job_id = _submit_text_job(emulator)
    emulator.server.state.hold_job(job_id)
    with DAG("sensor_timeout", schedule=None, start_date=START) as dag:
        HumeJobSensor(task_id="wait", job_id=job_id, deferrable=True, poke_interval=0.2, timeout=1)
    outcome = run_dag(dag)
    assert outcome["wait"]["state"] == "failed"
    assert "did not finish before the deadline" in capfd.readouterr().out
