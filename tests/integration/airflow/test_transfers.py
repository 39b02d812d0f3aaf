"""Predictions and artifacts streamed from the emulator into the loopback S3 server."""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests
from airflow.sdk import DAG

from airflow_provider_hume.operators.batch import HumeBatchSubmitOperator
from airflow_provider_hume.sensors.job import HumeJobSensor
from airflow_provider_hume.transfers import HumeArtifactsToS3Operator, HumePredictionsToS3Operator
from tests.integration.airflow.conftest import hume_conn_json
from tests.support.loopback import serve_in_thread

START = datetime(2026, 1, 1)


def _completed_job(emulator: Any, run_dag: Any, name: str) -> str:
    with DAG(f"{name}_setup", schedule=None, start_date=START) as dag:
        submit = HumeBatchSubmitOperator(task_id="submit", text=["What a wonderful surprise!"])
        HumeJobSensor(task_id="wait", job_id=submit.output, poke_interval=0.1, timeout=60)
    outcome = run_dag(dag)
    assert outcome["wait"]["state"] == "success"
    return str(outcome["submit"]["xcom"]["return_value"])


def test_predictions_and_artifacts_land_in_s3(emulator: Any, s3: Any, bucket: str, run_dag: Any) -> None:
    job_id = _completed_job(emulator, run_dag, "transfer_ok")
    with DAG("transfer_ok", schedule=None, start_date=START) as dag:
        HumePredictionsToS3Operator(
            task_id="predictions", job_id=job_id, s3_bucket=bucket, s3_key=f"t/{job_id}/p.json", replace=False
        )
        HumeArtifactsToS3Operator(
            task_id="artifacts", job_id=job_id, s3_bucket=bucket, s3_key=f"t/{job_id}/a.zip", replace=False
        )
    outcome = run_dag(dag)
    assert outcome["predictions"]["xcom"]["return_value"] == f"s3://{bucket}/t/{job_id}/p.json"
    assert outcome["artifacts"]["xcom"]["return_value"] == f"s3://{bucket}/t/{job_id}/a.zip"

    stored = s3.get_object(Bucket=bucket, Key=f"t/{job_id}/p.json")["Body"].read()
    direct = requests.get(
        f"{emulator.url}/v0/batch/jobs/{job_id}/predictions",
        headers={"X-Hume-Api-Key": emulator.api_key},
        timeout=10,
    ).content
    assert stored == direct
    assert json.loads(stored)[0]["source"]["type"] == "text"
    archive = s3.get_object(Bucket=bucket, Key=f"t/{job_id}/a.zip")["Body"].read()
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        assert any(name.endswith(".csv") for name in zf.namelist())


def test_existing_key_is_kept_unless_replace(emulator: Any, s3: Any, bucket: str, run_dag: Any) -> None:
    job_id = _completed_job(emulator, run_dag, "transfer_replace")
    key = f"t/{job_id}/existing.json"
    s3.put_object(Bucket=bucket, Key=key, Body=b"keep me")
    with DAG("transfer_no_replace", schedule=None, start_date=START) as dag:
        HumePredictionsToS3Operator(task_id="p", job_id=job_id, s3_bucket=bucket, s3_key=key, replace=False)
    assert run_dag(dag)["p"]["state"] == "failed"
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"keep me"

    with DAG("transfer_replace", schedule=None, start_date=START) as dag:
        HumePredictionsToS3Operator(task_id="p", job_id=job_id, s3_bucket=bucket, s3_key=key, replace=True)
    assert run_dag(dag)["p"]["state"] == "success"
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read().startswith(b"[")


def test_a_second_run_keeps_what_the_first_wrote(emulator: Any, s3: Any, bucket: str, run_dag: Any) -> None:
    job_id = _completed_job(emulator, run_dag, "transfer_again")
    keys = {"p": f"t/{job_id}/again.json", "a": f"t/{job_id}/again.zip"}

    def run() -> dict[str, Any]:
        with DAG("transfer_again", schedule=None, start_date=START) as dag:  # replace=False by default
            HumePredictionsToS3Operator(task_id="p", job_id=job_id, s3_bucket=bucket, s3_key=keys["p"])
            HumeArtifactsToS3Operator(task_id="a", job_id=job_id, s3_bucket=bucket, s3_key=keys["a"])
        outcome: dict[str, Any] = run_dag(dag)
        return outcome

    first = run()
    assert {first[task]["state"] for task in keys} == {"success"}
    marks = {task: s3.head_object(Bucket=bucket, Key=key)["Metadata"] for task, key in keys.items()}
    assert marks == {
        "p": {"hume-job-id": job_id, "hume-body": "predictions", "hume-format": "json"},
        "a": {"hume-job-id": job_id, "hume-body": "artifacts", "hume-format": "zip"},
    }
    # The bodies replaced by markers, the first run's metadata kept: an upload by the second run would show.
    for task, key in keys.items():
        s3.put_object(Bucket=bucket, Key=key, Body=b"first run", Metadata=marks[task])

    second = run()
    for task, key in keys.items():
        assert second[task]["state"] == "success"
        assert second[task]["xcom"]["return_value"] == f"s3://{bucket}/{key}"
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"first run"


def test_an_object_written_for_another_job_fails_without_replace(
    emulator: Any, s3: Any, bucket: str, run_dag: Any
) -> None:
    job_id = _completed_job(emulator, run_dag, "transfer_other_job")
    key = f"t/{job_id}/other.json"
    other = {"hume-job-id": "another-job", "hume-body": "predictions", "hume-format": "json"}
    s3.put_object(Bucket=bucket, Key=key, Body=b"another job's", Metadata=other)
    with DAG("transfer_other_job", schedule=None, start_date=START) as dag:
        HumePredictionsToS3Operator(task_id="p", job_id=job_id, s3_bucket=bucket, s3_key=key)
    assert run_dag(dag)["p"]["state"] == "failed"
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"another job's"


def test_jinja_connection_ids_render_and_are_used(
    emulator: Any, s3: Any, bucket: str, run_dag: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_HUME_RESEARCH", hume_conn_json(emulator.url, emulator.api_key))
    monkeypatch.setenv("AIRFLOW_CONN_AWS_RESEARCH", os.environ["AIRFLOW_CONN_AWS_DEFAULT"])
    # The default connections lead nowhere: only the rendered ids can make the run succeed.
    monkeypatch.setenv("AIRFLOW_CONN_HUME_DEFAULT", hume_conn_json(emulator.url, "not-the-key"))
    nowhere = {
        "conn_type": "aws",
        "login": "x",
        "password": "y",
        "extra": {"endpoint_url": "http://127.0.0.1:9"},
    }
    monkeypatch.setenv("AIRFLOW_CONN_AWS_DEFAULT", json.dumps(nowhere))
    hume_conn = "hume_{{ params.team }}"
    with DAG("templated_conn_ids", schedule=None, start_date=START, params={"team": "research"}) as dag:
        submit = HumeBatchSubmitOperator(task_id="submit", text=["Lovely!"], hume_conn_id=hume_conn)
        wait = HumeJobSensor(
            task_id="wait", job_id=submit.output, poke_interval=0.1, timeout=60, hume_conn_id=hume_conn
        )
        wait >> HumePredictionsToS3Operator(
            task_id="p",
            job_id=submit.output,
            s3_bucket=bucket,
            s3_key="templated/{{ ti.xcom_pull(task_ids='submit') }}.json",
            hume_conn_id=hume_conn,
            aws_conn_id="aws_{{ params.team }}",
        )
    outcome = run_dag(dag)
    assert {outcome[task]["state"] for task in ("submit", "wait", "p")} == {"success"}
    job_id = outcome["submit"]["xcom"]["return_value"]
    assert s3.get_object(Bucket=bucket, Key=f"templated/{job_id}.json")["Body"].read().startswith(b"[")


class _TruncatingHandler(BaseHTTPRequestHandler):
    """Promises 100 MiB of predictions, sends 40 MiB, then drops the connection."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(100 * 1024 * 1024))
        self.end_headers()
        chunk = b" " * (1024 * 1024)
        for _ in range(40):
            self.wfile.write(chunk)
        self.wfile.flush()
        self.connection.close()

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def truncating_server() -> Iterator[str]:
    with serve_in_thread(ThreadingHTTPServer(("127.0.0.1", 0), _TruncatingHandler)) as url:
        yield url


def test_interrupted_transfer_leaves_no_object(
    s3: Any, bucket: str, run_dag: Any, truncating_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = {"conn_type": "hume", "host": truncating_server, "password": "k", "extra": {"max_retries": 0}}
    monkeypatch.setenv("AIRFLOW_CONN_HUME_TRUNCATING", json.dumps(conn))
    key = "t/truncated/predictions.json"
    with DAG("transfer_truncated", schedule=None, start_date=START) as dag:
        HumePredictionsToS3Operator(
            task_id="p",
            job_id="job-1",
            s3_bucket=bucket,
            s3_key=key,
            replace=True,
            hume_conn_id="hume_truncating",
        )
    assert run_dag(dag)["p"]["state"] == "failed"
    assert s3.list_objects_v2(Bucket=bucket, Prefix=key).get("KeyCount", 0) == 0
    assert not s3.list_multipart_uploads(Bucket=bucket).get("Uploads")
