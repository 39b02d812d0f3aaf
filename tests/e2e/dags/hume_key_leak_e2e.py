"""DAGs for ``tests/e2e/test_key_leak_e2e.py``: one pipeline per connection, polling every second.

``hume_secrets_success`` uses ``hume_default`` (the stack's emulator); ``hume_secrets_echo`` uses
``hume_secrets_proxy``, which the test creates through the REST API, pointing at a proxy that echoes the key.
Each is submit -> deferrable sensor (two failed polls tolerated in a row) -> predictions to S3.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import DAG

from airflow_provider_hume.operators.batch import HumeBatchSubmitOperator
from airflow_provider_hume.sensors.job import HumeJobSensor
from airflow_provider_hume.transfers import HumePredictionsToS3Operator

PIPELINES = {"hume_secrets_success": "hume_default", "hume_secrets_echo": "hume_secrets_proxy"}

for dag_id, conn_id in PIPELINES.items():
    with DAG(dag_id, schedule=None, start_date=datetime(2026, 1, 1), catchup=False, tags=["hume", "e2e"]):
        submit = HumeBatchSubmitOperator(
            task_id="submit", text=["Secrets stay secret."], hume_conn_id=conn_id
        )
        wait = HumeJobSensor(
            task_id="wait_for_job",
            job_id=submit.output,
            hume_conn_id=conn_id,
            deferrable=True,
            poke_interval=1,
            timeout=120,
            max_consecutive_poll_errors=2,
        )
        wait >> HumePredictionsToS3Operator(
            task_id="predictions_to_s3",
            job_id=submit.output,
            hume_conn_id=conn_id,
            s3_bucket="{{ var.value.get('hume_s3_bucket', 'hume-demo') }}",
            s3_key="secrets/{{ run_id }}/predictions.json",
            replace=True,
        )
