"""``s3://`` inputs of HumeBatchSubmitOperator: presigned URLs and streamed uploads from loopback S3."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from airflow.sdk import DAG

from airflow_provider_hume.operators.batch import HumeBatchSubmitOperator

DATA = Path(__file__).resolve().parents[3] / "dags" / "data"
START = datetime(2026, 1, 1)
AUDIO = (DATA / "call_snippet.wav").read_bytes()
IMAGE = (DATA / "face.png").read_bytes()


class _TI:
    """Records XCom pushes, standing in for the task instance when ``execute`` is called directly."""

    def __init__(self) -> None:
        self.xcom: dict[str, Any] = {}

    def xcom_push(self, key: str, value: Any) -> None:
        self.xcom[key] = value


def _media(s3: Any, bucket: str) -> str:
    """A fresh prefix holding one audio file, one image and a folder marker; returns the prefix."""
    prefix = f"media-{uuid.uuid4().hex[:8]}/"
    s3.put_object(Bucket=bucket, Key=prefix, Body=b"")
    s3.put_object(Bucket=bucket, Key=f"{prefix}call.wav", Body=AUDIO)
    s3.put_object(Bucket=bucket, Key=f"{prefix}sub/face.png", Body=IMAGE)
    return prefix


def _predictions(emulator: Any, job_id: str) -> list[dict[str, Any]]:
    response = requests.get(
        f"{emulator.url}/v0/batch/jobs/{job_id}/predictions",
        headers={"X-Hume-Api-Key": emulator.api_key},
        timeout=10,
    )
    response.raise_for_status()
    return list(response.json())


def _run(**kwargs: Any) -> tuple[HumeBatchSubmitOperator, _TI, str]:
    op = HumeBatchSubmitOperator(
        task_id="submit",
        models={"prosody": {}, "face": {}},
        wait_for_completion=True,
        deferrable=False,
        poll_interval=0.1,
        **kwargs,
    )
    ti = _TI()
    job_id = op.execute({"ti": ti})  # type: ignore[arg-type]
    return op, ti, job_id


def _provider_log(caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]) -> str:
    """What the provider logged (the S3 server's own access log, which shows full URLs, left out)."""
    records = [r.getMessage() for r in caplog.records if not r.name.startswith(("werkzeug", "moto"))]
    printed = [line for line in capfd.readouterr().out.splitlines() if "[werkzeug]" not in line]
    return "\n".join(records + printed)


def test_presigned_mode_sends_urls_hume_downloads(
    emulator: Any,
    s3: Any,
    bucket: str,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    prefix = _media(s3, bucket)
    caplog.set_level("INFO")
    op, ti, job_id = _run(urls=[f"s3://{bucket}/{prefix}"], presigned_expiry_seconds=600)
    sources = [p["source"] for p in _predictions(emulator, job_id)]
    assert [s["type"] for s in sources] == ["url", "url"]
    assert all(
        s["url"].startswith("http://127.0.0.1:") and f"/{bucket}/{prefix}" in s["url"] for s in sources
    )
    assert all("Signature=" in s["url"] or "X-Amz-Signature=" in s["url"] for s in sources)
    assert all("error" not in p for p in _predictions(emulator, job_id))
    logged = _provider_log(caplog, capfd)
    assert f"s3://{bucket}/{prefix}call.wav" in logged
    assert "Signature" not in logged
    lineage = op.get_openlineage_facets_on_complete(None)
    assert sorted((d.namespace, d.name) for d in lineage.inputs) == [
        (f"s3://{bucket}", f"{prefix}call.wav"),
        (f"s3://{bucket}", f"{prefix}sub/face.png"),
    ]
    facet = lineage.run_facets["hume_job"]
    assert facet.job_id == job_id
    assert sorted(facet.models) == ["face", "prosody"]
    assert emulator.api_key not in json.dumps(ti.xcom) + repr(lineage)


def test_upload_mode_streams_objects_into_the_multipart_body(emulator: Any, s3: Any, bucket: str) -> None:
    prefix = _media(s3, bucket)
    _, _, job_id = _run(
        files=[f"s3://{bucket}/{prefix}call.wav", str(DATA / "face.png")],
        urls=[f"s3://{bucket}/{prefix}sub/"],
        s3_input_mode="upload",
    )
    predictions = _predictions(emulator, job_id)
    names = sorted(p["source"]["filename"] for p in predictions)
    assert [p["source"]["type"] for p in predictions] == ["file", "file", "file"]
    assert names == ["call.wav", "face.png", "face.png"]
    assert all("error" not in p for p in predictions)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"urls": ["s3://{bucket}/nope/missing.wav"]}, "does not exist"),
        ({"files": ["s3://{bucket}/no-such-prefix/"]}, "holds no objects"),
        (
            {"urls": [*(f"http://127.0.0.1:9/{i}.wav" for i in range(99)), "s3://{bucket}/{prefix}"]},
            "more objects than the 1 Hume still accepts",
        ),
        ({"urls": ["s3:///key"]}, "must look like s3://bucket/key"),
        ({"urls": ["s3://{bucket}/a.wav"], "s3_input_mode": "copy"}, "s3_input_mode must be one of"),
    ],
)
def test_bad_s3_inputs_fail_once_without_reaching_hume(
    emulator: Any,
    s3: Any,
    bucket: str,
    run_dag: Any,
    capfd: pytest.CaptureFixture[str],
    kwargs: dict[str, Any],
    message: str,
) -> None:
    prefix = _media(s3, bucket)
    filled = {
        key: [item.format(bucket=bucket, prefix=prefix) for item in value]
        if isinstance(value, list)
        else value
        for key, value in kwargs.items()
    }
    requests_before = emulator.server.state.request_count()
    with DAG(f"s3_inputs_bad_{uuid.uuid4().hex[:6]}", schedule=None, start_date=START) as dag:
        HumeBatchSubmitOperator(task_id="submit", retries=2, **filled)
    outcome = run_dag(dag)
    assert outcome["submit"]["state"] == "failed"
    assert outcome["submit"]["try_number"] == 1, "invalid input must not be retried"
    assert emulator.server.state.request_count() == requests_before
    assert message in capfd.readouterr().out


def test_presigned_inputs_in_a_dag_run(emulator: Any, s3: Any, bucket: str, run_dag: Any) -> None:
    prefix = _media(s3, bucket)
    with DAG("s3_inputs_dag", schedule=None, start_date=START) as dag:
        HumeBatchSubmitOperator(task_id="submit", files=[f"s3://{bucket}/{prefix}call.wav"], text=["Hi"])
    outcome = run_dag(dag)
    assert outcome["submit"]["state"] == "success"
    job_id = outcome["submit"]["xcom"]["return_value"]
    types = sorted(p["source"]["type"] for p in _predictions_when_done(emulator, job_id))
    assert types == ["text", "url"]


def _predictions_when_done(emulator: Any, job_id: str) -> list[dict[str, Any]]:
    from airflow_provider_hume.client import HumeBatchClient

    with HumeBatchClient(emulator.api_key, emulator.url) as client:
        while client.get_job_details(job_id).state.status.value not in ("COMPLETED", "FAILED"):
            client.list_jobs()  # a cheap round trip instead of sleeping; the job ends in under a second
    return _predictions(emulator, job_id)
