"""The example DAG ``hume_stream_texts`` runs with ``dag.test()`` against the emulator and the S3 server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.airflow_versions import DagBag

DAGS = Path(__file__).resolve().parents[3] / "dags"


def test_hume_stream_texts(emulator: Any, s3: Any, bucket: str, run_dag: Any) -> None:
    bag = DagBag(dag_folder=str(DAGS / "hume_stream_texts.py"))
    assert bag.import_errors == {}
    outcome = run_dag(bag.dags["hume_stream_texts"])
    assert outcome["dag_state"] == "success", outcome
    summary = outcome["summarize"]["xcom"]["return_value"]
    lines = [line for line in (DAGS / "data" / "stream_texts.txt").read_text().splitlines() if line.strip()]
    assert summary["texts"] == len(lines)
    assert summary["errors"] == 0
    assert len(summary["top_emotions"]) == 3
    assert len(summary["files"]) == -(-len(lines) // 10)
    first = summary["files"][0].removeprefix(f"s3://{bucket}/")
    records = [
        json.loads(line) for line in s3.get_object(Bucket=bucket, Key=first)["Body"].read().splitlines()
    ]
    assert {record["id"] for record in records} == {f"line-{n}" for n in range(1, 11)}
    sentences = records[0]["predictions"]["language"]["predictions"]
    assert all(prediction["sentiment"] for prediction in sentences)
