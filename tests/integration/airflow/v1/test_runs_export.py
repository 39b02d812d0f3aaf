"""``HumeRunsToS3Operator`` against the emulator: bounds (start inclusive, end exclusive), overwrite."""

from __future__ import annotations

import io
import json
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from airflow.sdk import DAG

from airflow_provider_hume.client.v1 import HumeV1Client
from airflow_provider_hume.client.v1.media import prepare_audio
from airflow_provider_hume.operators.runs_export import HumeRunsToS3Operator
from tests.integration.airflow.v1.conftest import START, emulator_runs
from tests.support import media_samples


def _three_runs(emulator: Any, tmp_path: Path) -> list[dict[str, Any]]:
    """Three audio uploads, oldest first, with distinct start times."""
    wav = media_samples.wav(tmp_path / "r.wav", 2.0)
    since = datetime.now().astimezone()
    with HumeV1Client(emulator.api_key, emulator.url) as client, prepare_audio(wav, "r.wav") as prepared:
        (chunk,) = prepared.chunks()
        for _ in range(3):
            client.measure_audio(chunk.part)
    runs = sorted(emulator_runs(emulator, since, "audio"), key=lambda run: run["started_at"])
    assert len(runs) == 3
    assert len({run["started_at"] for run in runs}) == 3
    return runs


def _export(bucket: str, key: str, after: str, before: str, output_format: str) -> DAG:
    with DAG(f"v1_runs_{uuid.uuid4().hex[:8]}", schedule=None, start_date=START) as dag:
        HumeRunsToS3Operator(
            task_id="runs",
            output_uri=f"s3://{bucket}/{key}",
            output_format=output_format,
            started_after=after,
            started_before=before,
            endpoint="audio",
        )
    return dag


def test_bounds_are_inclusive_then_exclusive_and_a_rerun_overwrites(
    emulator: Any, s3: Any, bucket: str, run_dag: Any, tmp_path: Path
) -> None:
    first, second, third = _three_runs(emulator, tmp_path)
    key = f"v1/runs/{uuid.uuid4().hex}.jsonl"
    outcome = run_dag(_export(bucket, key, second["started_at"], third["started_at"], "jsonl"))
    assert outcome["runs"]["state"] == "success", outcome
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode().splitlines()
    assert [json.loads(line)["run_id"] for line in body] == [second["run_id"]]
    result = outcome["runs"]["xcom"]["return_value"]
    assert result["count"] == 1
    assert result["metered_seconds"] == second["metered_seconds"]

    rerun = run_dag(_export(bucket, key, first["started_at"], "2999-01-01T00:00:00Z", "jsonl"))
    assert rerun["runs"]["xcom"]["return_value"]["count"] >= 3
    ids = [
        json.loads(line)["run_id"]
        for line in s3.get_object(Bucket=bucket, Key=key)["Body"].read().splitlines()
    ]
    assert ids[-3:] == [third["run_id"], second["run_id"], first["run_id"]], "newest first, replaced whole"


def test_parquet_export(emulator: Any, s3: Any, bucket: str, run_dag: Any, tmp_path: Path) -> None:
    first, _, third = _three_runs(emulator, tmp_path)
    key = f"v1/runs/{uuid.uuid4().hex}.parquet"
    run_dag(_export(bucket, key, first["started_at"], third["started_at"], "parquet"))
    table = pq.read_table(io.BytesIO(s3.get_object(Bucket=bucket, Key=key)["Body"].read()))
    assert table.num_rows == 2
    assert set(table.column("endpoint").to_pylist()) == {"audio"}
