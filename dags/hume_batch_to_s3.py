"""
Submit a Hume batch job, wait for it in the triggerer, and land its predictions and artifacts in S3.

The predictions land twice: as Hume's raw JSON, and flattened to one CSV per model (one row per prediction,
one column per emotion) under ``table/``.

Runs unchanged against the Hume emulator or any server speaking Hume's ``v0`` API: the endpoint and key come
from the ``hume_default`` connection, S3 from ``aws_default``, and the bucket from the Airflow Variable
``hume_s3_bucket`` (default ``hume-demo``).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from airflow.sdk import DAG

from airflow_provider_hume.operators.batch import HumeBatchSubmitOperator
from airflow_provider_hume.sensors.job import HumeJobSensor
from airflow_provider_hume.transfers import HumeArtifactsToS3Operator, HumePredictionsToS3Operator

DATA = Path(__file__).parent / "data"
BUCKET = "{{ var.value.get('hume_s3_bucket', 'hume-demo') }}"
PREFIX = "hume/{{ ti.xcom_pull(task_ids='submit') }}"

with DAG(
    dag_id="hume_batch_to_s3",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["hume", "example"],
    doc_md=__doc__,
):
    submit = HumeBatchSubmitOperator(
        task_id="submit",
        text=(DATA / "support_messages.txt").read_text(encoding="utf-8").splitlines(),
        files=[str(DATA / "call_snippet.wav"), str(DATA / "face.png")],
        models={
            "language": {"granularity": "sentence", "sentiment": {}},
            "prosody": {"granularity": "utterance"},
            "burst": {},
            "face": {"prob_threshold": 0.8},
        },
    )
    wait = HumeJobSensor(task_id="wait_for_job", job_id=submit.output, deferrable=True, poke_interval=2)
    predictions = HumePredictionsToS3Operator(
        task_id="predictions_to_s3",
        job_id=submit.output,
        s3_bucket=BUCKET,
        s3_key=f"{PREFIX}/predictions.json",
        replace=True,
    )
    table = HumePredictionsToS3Operator(
        task_id="predictions_table_to_s3",
        job_id=submit.output,
        s3_bucket=BUCKET,
        s3_key=f"{PREFIX}/table/predictions.csv",
        output_format="csv",
        replace=True,
    )
    artifacts = HumeArtifactsToS3Operator(
        task_id="artifacts_to_s3",
        job_id=submit.output,
        s3_bucket=BUCKET,
        s3_key=f"{PREFIX}/artifacts.zip",
        replace=True,
    )
    wait >> [predictions, table, artifacts]
