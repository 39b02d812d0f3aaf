"""The API key never shows up in task logs, XCom or rendered templates of a whole successful run."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from airflow.sdk import DAG

from airflow_provider_hume.operators.batch import HumeBatchSubmitOperator
from airflow_provider_hume.sensors.job import HumeJobSensor
from airflow_provider_hume.transfers import HumePredictionsToS3Operator


def _rendered_fields(dag_id: str) -> list[Any]:
    from airflow.models.renderedtifields import RenderedTaskInstanceFields
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.query(RenderedTaskInstanceFields).filter_by(dag_id=dag_id).all()
        return [row.rendered_fields for row in rows]


def test_key_stays_out_of_logs_xcom_and_rendered_fields(
    emulator: Any, bucket: str, run_dag: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    with DAG("secrets_check", schedule=None, start_date=datetime(2026, 1, 1)) as dag:
        submit = HumeBatchSubmitOperator(task_id="submit", text=["Secrets stay secret."])
        wait = HumeJobSensor(task_id="wait", job_id=submit.output, deferrable=True, poke_interval=0.2)
        wait >> HumePredictionsToS3Operator(
            task_id="predictions",
            job_id=submit.output,
            s3_bucket=bucket,
            s3_key="secrets/{{ run_id }}.json",
            replace=True,
        )
    outcome = run_dag(dag)
    captured = capfd.readouterr()
    assert outcome["dag_state"] == "success", outcome
    rendered = _rendered_fields("secrets_check")
    assert rendered, "the run should have recorded rendered template fields"
    assert emulator.api_key not in captured.out + captured.err
    assert emulator.api_key not in json.dumps(outcome, default=str)
    assert emulator.api_key not in json.dumps(rendered, default=str)
