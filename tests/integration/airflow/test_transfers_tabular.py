"""Predictions flattened to JSON Lines, CSV and Parquet, from the emulator into the loopback S3 server."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import requests
from airflow.sdk import DAG

from airflow_provider_hume.client.tabular_schema import (
    EXPRESSIONS_48,
    EXPRESSIONS_53,
    MODEL_COLUMNS,
    SENTIMENT_COLUMNS,
    TOXICITY_COLUMNS,
)
from airflow_provider_hume.operators.batch import HumeBatchSubmitOperator
from airflow_provider_hume.sensors.job import HumeJobSensor
from airflow_provider_hume.transfers import HumePredictionsToS3Operator
from tests.support.samples import image_bytes, wav_bytes

START = datetime(2026, 1, 1)
TABLE_MODELS = ["face", "burst", "prosody", "language", "ner", "facemesh"]
ALL_MODELS: dict[str, Any] = {
    "face": {},
    "burst": {},
    "prosody": {},
    "language": {"sentiment": {}, "toxicity": {}},
    "ner": {},
    "facemesh": {},
}


@pytest.fixture
def job_id(emulator: Any, run_dag: Any, connections: None, tmp_path: Path) -> str:
    """A completed job with every model: a WAV, a PNG, landmarks, bad landmarks and a text."""
    inputs = {
        "voice.wav": wav_bytes(3.0),
        "photo.png": image_bytes(640, 480),
        "mesh.json": json.dumps([[[0.1, 0.2, 0.3]] * 478] * 2).encode(),
        "bad.json": b"{}",
    }
    for name, data in inputs.items():
        (tmp_path / name).write_bytes(data)
    with DAG(f"tabular_setup_{tmp_path.name}", schedule=None, start_date=START) as dag:
        submit = HumeBatchSubmitOperator(
            task_id="submit",
            files=[str(tmp_path / name) for name in inputs],
            text=["Barack Obama visited New York. It was great!"],
            models=ALL_MODELS,
        )
        HumeJobSensor(task_id="wait", job_id=submit.output, poke_interval=0.1, timeout=60)
    outcome = run_dag(dag)
    assert outcome["wait"]["state"] == "success"
    return str(outcome["submit"]["xcom"]["return_value"])


def _prediction_counts(emulator: Any, job_id: str) -> dict[str, int]:
    body = requests.get(
        f"{emulator.url}/v0/batch/jobs/{job_id}/predictions",
        headers={"X-Hume-Api-Key": emulator.api_key},
        timeout=10,
    ).json()
    counts: dict[str, int] = {}
    for source in body:
        for entry in (source.get("results") or {}).get("predictions", []):
            for model, found in entry["models"].items():
                total = sum(len(group["predictions"]) for group in found["grouped_predictions"])
                counts[model] = counts.get(model, 0) + total
    return counts


def test_every_output_format(emulator: Any, s3: Any, bucket: str, run_dag: Any, job_id: str) -> None:
    prefix = f"tab/{job_id}"
    with DAG("tabular_formats", schedule=None, start_date=START) as dag:
        for output_format, key in [
            ("json", "p.json"),
            ("jsonl", "p.jsonl"),
            ("csv", "p.csv"),
            ("parquet", "parquet/"),
        ]:
            HumePredictionsToS3Operator(
                task_id=output_format,
                job_id=job_id,
                s3_bucket=bucket,
                s3_key=f"{prefix}/{key}",
                replace=False,
                output_format=output_format,
            )
    outcome = run_dag(dag)
    counts = _prediction_counts(emulator, job_id)
    assert sorted(counts) == sorted(TABLE_MODELS)

    def read(key: str) -> bytes:
        body: bytes = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        return body

    assert outcome["json"]["xcom"]["return_value"] == f"s3://{bucket}/{prefix}/p.json"
    assert json.loads(read(f"{prefix}/p.json"))[0]["source"]["type"] == "file"

    assert outcome["jsonl"]["xcom"]["return_value"] == f"s3://{bucket}/{prefix}/p.jsonl"
    records = [json.loads(line) for line in read(f"{prefix}/p.jsonl").decode().splitlines()]
    assert {model: sum(r["model"] == model for r in records) for model in TABLE_MODELS} == counts
    assert all(r["job_id"] == job_id for r in records)
    assert not any(r["file"] == "bad.json" for r in records)

    assert outcome["csv"]["xcom"]["return_value"] == [
        f"s3://{bucket}/{prefix}/p.{m}.csv" for m in TABLE_MODELS
    ]
    for model in TABLE_MODELS:
        header, *rows = list(csv.reader(io.StringIO(read(f"{prefix}/p.{model}.csv").decode())))
        assert header == [column.name for column in MODEL_COLUMNS[model]]
        assert len(rows) == counts[model]

    assert outcome["parquet"]["xcom"]["return_value"] == [
        f"s3://{bucket}/{prefix}/parquet/{m}.parquet" for m in TABLE_MODELS
    ]
    language = pq.read_table(io.BytesIO(read(f"{prefix}/parquet/language.parquet")))
    assert language.num_rows == counts["language"]
    assert language.schema.names[-68:] == [*EXPRESSIONS_53, *SENTIMENT_COLUMNS, *TOXICITY_COLUMNS]
    face = pq.read_table(io.BytesIO(read(f"{prefix}/parquet/face.parquet"))).to_pylist()
    assert [row["source"] for row in face] == ["photo.png"] * counts["face"]
    assert all(isinstance(row[name], float) for row in face for name in EXPRESSIONS_48)


def test_existing_model_table_is_kept_unless_replace(s3: Any, bucket: str, run_dag: Any, job_id: str) -> None:
    key = f"tab/{job_id}/keep.csv"
    s3.put_object(Bucket=bucket, Key=f"tab/{job_id}/keep.ner.csv", Body=b"keep me")
    with DAG("tabular_no_replace", schedule=None, start_date=START) as dag:
        HumePredictionsToS3Operator(
            task_id="p", job_id=job_id, s3_bucket=bucket, s3_key=key, replace=False, output_format="csv"
        )
    assert run_dag(dag)["p"]["state"] == "failed"
    assert s3.get_object(Bucket=bucket, Key=f"tab/{job_id}/keep.ner.csv")["Body"].read() == b"keep me"
    assert s3.list_objects_v2(Bucket=bucket, Prefix=f"tab/{job_id}/keep.face").get("KeyCount", 0) == 0

    with DAG("tabular_replace", schedule=None, start_date=START) as dag:
        HumePredictionsToS3Operator(
            task_id="p", job_id=job_id, s3_bucket=bucket, s3_key=key, replace=True, output_format="csv"
        )
    assert run_dag(dag)["p"]["state"] == "success"
    ner = s3.get_object(Bucket=bucket, Key=f"tab/{job_id}/keep.ner.csv")["Body"].read()
    assert ner.startswith(b"job_id,source_type,source,file,model,group_id,entity,")


def test_a_second_run_keeps_the_tables_the_first_wrote(
    s3: Any, bucket: str, run_dag: Any, job_id: str
) -> None:
    keys = [f"again/{job_id}/{model}.csv" for model in TABLE_MODELS]

    def run() -> dict[str, Any]:
        with DAG("tabular_again", schedule=None, start_date=START) as dag:  # replace=False by default
            HumePredictionsToS3Operator(
                task_id="p", job_id=job_id, s3_bucket=bucket, s3_key=f"again/{job_id}/", output_format="csv"
            )
        outcome: dict[str, Any] = run_dag(dag)["p"]
        assert outcome["state"] == "success"
        assert outcome["xcom"]["return_value"] == [f"s3://{bucket}/{key}" for key in keys]
        return outcome

    run()
    marks = {key: s3.head_object(Bucket=bucket, Key=key)["Metadata"] for key in keys}
    assert {mark["hume-tables"] for mark in marks.values()} == {",".join(TABLE_MODELS)}
    assert {(mark["hume-job-id"], mark["hume-format"]) for mark in marks.values()} == {(job_id, "csv")}
    # The bodies replaced by markers, the first run's metadata kept: an upload by a later run would show.
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=b"first run", Metadata=marks[key])

    run()
    assert all(s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"first run" for key in keys)

    # A try that stopped before its last table: the next one writes only that table.
    s3.delete_object(Bucket=bucket, Key=keys[-1])
    run()
    assert all(s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"first run" for key in keys[:-1])
    assert s3.get_object(Bucket=bucket, Key=keys[-1])["Body"].read().startswith(b"job_id,")
    assert s3.head_object(Bucket=bucket, Key=keys[-1])["Metadata"] == marks[keys[-1]]


def test_unknown_output_format_fails_at_parse_time() -> None:
    with pytest.raises(ValueError, match="output_format"):
        HumePredictionsToS3Operator(
            task_id="p", job_id="j", s3_bucket="b", s3_key="k", replace=True, output_format="xlsx"
        )
