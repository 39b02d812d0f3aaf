"""Every example DAG runs with ``dag.test()`` against the emulator and the S3 server."""

from __future__ import annotations

import json
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

from tests.support.airflow_versions import DagBag

DAGS = Path(__file__).resolve().parents[3] / "dags"


def _dagbag() -> DagBag:
    return DagBag(dag_folder=str(DAGS))


def test_example_dags_import_cleanly() -> None:
    bag = _dagbag()
    assert bag.import_errors == {}
    assert "hume_batch_to_s3" in bag.dags


def test_hume_batch_to_s3(emulator: Any, s3: Any, bucket: str, run_dag: Any) -> None:
    dag = _dagbag().dags["hume_batch_to_s3"]
    outcome = run_dag(dag)
    assert outcome["dag_state"] == "success", outcome
    job_id = outcome["submit"]["xcom"]["return_value"]
    predictions = json.loads(
        s3.get_object(Bucket=bucket, Key=f"hume/{job_id}/predictions.json")["Body"].read()
    )
    sources = {p["source"]["type"] for p in predictions}
    assert sources == {"text", "file"}
    filenames = {p["source"].get("filename") for p in predictions if p["source"]["type"] == "file"}
    assert filenames == {"call_snippet.wav", "face.png"}
    archive = s3.get_object(Bucket=bucket, Key=f"hume/{job_id}/artifacts.zip")["Body"].read()
    assert zipfile.ZipFile(BytesIO(archive)).testzip() is None
    tables = outcome["predictions_table_to_s3"]["xcom"]["return_value"]
    assert tables == [
        f"s3://{bucket}/hume/{job_id}/table/predictions.{model}.csv"
        for model in ("face", "burst", "prosody", "language")
    ]
    language_key = f"hume/{job_id}/table/predictions.language.csv"
    language = s3.get_object(Bucket=bucket, Key=language_key)["Body"].read()
    header, *rows = language.decode().splitlines()
    assert header.startswith("job_id,source_type,source,file,model,group_id,text,")
    assert "Sarcasm" in header.split(",")
    assert rows
