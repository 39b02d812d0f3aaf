"""
Measure the day's call recordings with Hume's ``v1`` API, land a measurements table in S3, export the runs.

Every day the recordings under ``s3://<bucket>/calls/<day>/`` (``<day>`` is the data interval's start date;
any mix of MP3, M4A, WAV at any rate or channel count; a recording longer than one 25 MB request is split and
stitched back) are measured with ``HumeMeasureAudioOperator``: one JSON Lines line per recording and a
Parquet table with one row per measurement under ``hume/v1/<day>/``. Then ``HumeRunsToS3Operator`` writes the
runs (Hume's billing records, with ``metered_seconds``) started in the data interval to
``hume/v1/runs/<day>.jsonl``: the usage export a platform team reconciles against Hume's invoice. A run
belongs to the interval it started in, so a measurement task's runs are exported with the interval during
which it ran (for a scheduled run, the next day's export).

Runs unchanged against the Hume emulator or Hume itself: the endpoint and key come from the ``hume_default``
connection (no host: ``https://api.cloud.hume.ai``), S3 from ``aws_default``, the bucket from the Airflow
Variable ``hume_s3_bucket`` (default ``hume-demo``). ``HUME_V1_MAX_REQUEST_BYTES`` (read when the DAG is
parsed) caps the request size below Hume's 25 MB, so that tests and the demo split a short recording into
several requests cheaply. Needs the ``amazon``, ``media`` and ``parquet`` extras.
"""

from __future__ import annotations

import os
from datetime import datetime

from airflow.sdk import DAG

try:
    from airflow.sdk import CronDataIntervalTimetable
except ImportError:  # Airflow < 3.2
    from airflow.timetables.interval import CronDataIntervalTimetable

from airflow_provider_hume.client.v1 import MAX_REQUEST_BYTES
from airflow_provider_hume.operators.measure_audio import HumeMeasureAudioOperator
from airflow_provider_hume.operators.runs_export import HumeRunsToS3Operator

BUCKET = "{{ var.value.get('hume_s3_bucket', 'hume-demo') }}"
OUTPUT = f"s3://{BUCKET}/hume/v1/{{{{ data_interval_start | ds }}}}"

with DAG(
    dag_id="hume_v1_calls_to_s3",
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
    start_date=datetime(2026, 12, 1),
    catchup=False,
    tags=["hume", "v1", "example"],
    doc_md=__doc__,
):
    measure = HumeMeasureAudioOperator(
        task_id="measure_calls",
        sources=f"s3://{BUCKET}/calls/{{{{ data_interval_start | ds }}}}/",
        output_uri=f"{OUTPUT}/measurements.jsonl",
        output_format="parquet",
        measurement_timer_ms=5000,
        max_concurrency=4,
        on_error="skip",
        allow_empty=True,
        max_request_bytes=int(os.environ.get("HUME_V1_MAX_REQUEST_BYTES", MAX_REQUEST_BYTES)),
        retries=2,
    )
    export_runs = HumeRunsToS3Operator(
        task_id="export_runs",
        output_uri=f"s3://{BUCKET}/hume/v1/runs/{{{{ data_interval_start | ds }}}}.jsonl",
        output_format="jsonl",
        retries=2,
    )
    measure >> export_runs
