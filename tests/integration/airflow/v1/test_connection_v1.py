"""A ``hume`` connection whose server does not serve ``/v1/expression`` fails the task saying so."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from airflow.sdk import DAG

from airflow_provider_hume.operators.measure_audio import HumeMeasureAudioOperator
from airflow_provider_hume.operators.runs_export import HumeRunsToS3Operator
from tests.integration.airflow.v1.conftest import START
from tests.support import media_samples


def test_a_server_without_v1_fails_the_task_once_with_a_clear_message(
    connections: None,
    s3_server: Any,
    emulator: Any,
    bucket: str,
    run_dag: Any,
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
    capfd: Any,
) -> None:
    # moto's S3 server answers /v1/expression/run with its own 404: a server that is not Hume v1.
    conn = {"conn_type": "hume", "host": s3_server.endpoint_url, "password": emulator.api_key}
    monkeypatch.setenv("AIRFLOW_CONN_HUME_DEFAULT", json.dumps(conn))
    wav = media_samples.wav(tmp_path / "a.wav", 2.0)
    with DAG(f"v1_not_served_{uuid.uuid4().hex[:8]}", schedule=None, start_date=START) as dag:
        HumeMeasureAudioOperator(
            task_id="measure",
            sources=[str(wav)],
            output_uri=f"s3://{bucket}/v1/x.jsonl",
            retries=2,
            retry_delay=0,
        )
        HumeRunsToS3Operator(
            task_id="runs",
            output_uri=f"s3://{bucket}/v1/runs.jsonl",
            started_after="2026-01-01T00:00:00Z",
            started_before="2026-01-02T00:00:00Z",
            retries=2,
            retry_delay=0,
        )
    outcome = run_dag(dag)
    captured = capfd.readouterr()
    output = captured.out + captured.err
    for task in ("measure", "runs"):
        assert outcome[task]["state"] == "failed"
        assert outcome[task]["try_number"] == 1, "a wrong base URL is not retried"
    assert output.count("does not serve Hume's v1 API (/v1/expression)") >= 2, "each task says so"
