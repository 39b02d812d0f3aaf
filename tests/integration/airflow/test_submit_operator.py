"""HumeBatchSubmitOperator inside Airflow (``dag.test()``) against the emulator."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from airflow.sdk import DAG

from airflow_provider_hume.operators.batch import HumeBatchSubmitOperator
from tests.support.airflow_versions import needs_task_state_store, without_task_state_store

DATA = Path(__file__).resolve().parents[3] / "dags" / "data"
START = datetime(2026, 1, 1)


def _job_ids(emulator: Any) -> set[str]:
    return set(emulator.server.state.job_ids())


def test_submits_text_and_files_and_returns_job_id(connections: None, emulator: Any, run_dag: Any) -> None:
    before = _job_ids(emulator)
    with DAG("submit_ok", schedule=None, start_date=START) as dag:
        HumeBatchSubmitOperator(
            task_id="submit",
            text=["I love this."],
            files=[str(DATA / "call_snippet.wav"), str(DATA / "face.png")],
            models={"language": {"granularity": "sentence"}, "prosody": {}, "face": {}},
        )
    outcome = run_dag(dag)
    created = _job_ids(emulator) - before
    assert outcome["submit"]["state"] == "success"
    assert len(created) == 1
    job_id = created.pop()
    assert outcome["submit"]["xcom"]["return_value"] == job_id
    assert outcome["submit"]["xcom"]["job_id"] == job_id


def test_waits_deferrable_until_completed(connections: None, emulator: Any, run_dag: Any) -> None:
    with DAG("submit_wait_deferrable", schedule=None, start_date=START) as dag:
        HumeBatchSubmitOperator(
            task_id="submit", text=["Hello"], wait_for_completion=True, deferrable=True, poll_interval=0.2
        )
    outcome = run_dag(dag)
    assert outcome["submit"]["state"] == "success"
    job_id = outcome["submit"]["xcom"]["return_value"]
    assert emulator.server.state.job_status(job_id) == "COMPLETED"


def test_waits_on_the_worker_when_not_deferrable(connections: None, emulator: Any, run_dag: Any) -> None:
    with DAG("submit_wait_sync", schedule=None, start_date=START) as dag:
        HumeBatchSubmitOperator(
            task_id="submit", text=["Hello"], wait_for_completion=True, deferrable=False, poll_interval=0.1
        )
    outcome = run_dag(dag)
    assert outcome["submit"]["state"] == "success"
    job_id = outcome["submit"]["xcom"]["return_value"]
    assert emulator.server.state.job_status(job_id) == "COMPLETED"


def test_invalid_model_config_fails_before_any_request(
    connections: None, emulator: Any, run_dag: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    requests_before = emulator.server.state.request_count()
    with DAG("submit_invalid", schedule=None, start_date=START) as dag:
        HumeBatchSubmitOperator(
            task_id="submit", text=["Hello"], models={"face": {"prob_threshold": 1.5}}, retries=2
        )
    outcome = run_dag(dag)
    assert outcome["submit"]["state"] == "failed"
    assert outcome["submit"]["try_number"] == 1, "invalid input must not be retried"
    assert emulator.server.state.request_count() == requests_before
    assert "models.face.prob_threshold" in capfd.readouterr().out


def test_wrong_api_key_fails_with_clear_message_and_never_shows_the_key(
    connections: None,
    emulator: Any,
    run_dag: Any,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    wrong_key = "wrong-key-0123456789abcdef0123456789abcdef01234567"
    monkeypatch.setenv(
        "AIRFLOW_CONN_HUME_DEFAULT",
        json.dumps({"conn_type": "hume", "host": emulator.url, "password": wrong_key}),
    )
    with DAG("submit_wrong_key", schedule=None, start_date=START) as dag:
        HumeBatchSubmitOperator(task_id="submit", text=["Hello"], retries=2)
    outcome = run_dag(dag)
    output = capfd.readouterr()
    assert outcome["submit"]["state"] == "failed"
    assert outcome["submit"]["try_number"] == 1, "a rejected key must not be retried"
    assert "rejected the API key" in output.out
    assert wrong_key not in output.out + output.err
    assert wrong_key not in json.dumps(outcome, default=str)


class _CrashAfterSubmit(HumeBatchSubmitOperator):
    """Loses its worker while the first try waits for the job it submitted."""

    def poll_until_complete(self, external_id: str, context: Any) -> None:
        if context["ti"].try_number == 1:
            raise RuntimeError(f"worker lost while waiting for {external_id}")
        super().poll_until_complete(external_id, context)


@needs_task_state_store
def test_retry_reattaches_instead_of_submitting_a_duplicate(
    connections: None, emulator: Any, run_dag: Any
) -> None:
    before = _job_ids(emulator)
    with DAG("submit_retry", schedule=None, start_date=START) as dag:
        _CrashAfterSubmit(task_id="submit", text=["Only once"], retries=1, retry_delay=0)
    outcome = run_dag(dag)
    created = _job_ids(emulator) - before
    assert outcome["submit"]["state"] == "success"
    assert outcome["submit"]["try_number"] == 2
    assert len(created) == 1, f"expected exactly one job, got {created}"
    assert outcome["submit"]["xcom"]["return_value"] == created.pop()


@without_task_state_store
def test_without_the_task_state_store_a_retry_submits_a_second_job(
    connections: None, emulator: Any, run_dag: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    """Airflow < 3.3 (docs/airflow-versions.md): the first try's job runs on, the retry pays for another."""
    before = _job_ids(emulator)
    with DAG("submit_retry_without_store", schedule=None, start_date=START) as dag:
        _CrashAfterSubmit(task_id="submit", text=["Twice"], retries=1, retry_delay=0)
    outcome = run_dag(dag)
    created = _job_ids(emulator) - before
    assert outcome["submit"]["state"] == "success"
    assert outcome["submit"]["try_number"] == 2
    assert len(created) == 2, f"expected a second job, got {created}"
    assert outcome["submit"]["xcom"]["return_value"] in created
    assert "a retry of this task submits a new job" in capfd.readouterr().out
