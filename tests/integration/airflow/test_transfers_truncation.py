"""Transfers whose body is cut on the way, through a fault-injecting proxy in front of the emulator.

A body cut at 60 % without a length (the connection simply closes) used to be stored as if whole. Now the try
fails before the upload completes: nothing at the key (an earlier object stays), no open multipart upload, and
a log that names the cut; with ``retries=1`` the second try stores the whole, valid body.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from airflow.sdk import DAG

from airflow_provider_hume.emulator.admin_client import EmulatorAdmin
from airflow_provider_hume.transfers import HumeArtifactsToS3Operator, HumePredictionsToS3Operator
from tests.integration.airflow.conftest import hume_conn_json
from tests.support import fault_proxy as proxies
from tests.support.fault_proxy import FaultProxy, end_chunked_early, end_early
from tests.support.transfer_bodies import completed_job, direct_body

START = datetime(2026, 1, 1)
#: Bodies of about 40 MiB, as in the issue (a 42 MB ZIP): several 8 MiB parts of the upload.
PAD_BYTES = 40 * 1024 * 1024
PREVIOUS = b"the object of an earlier run"

fault_proxy = proxies.fault_proxy


@pytest.fixture
def via_proxy(
    connections: None, emulator: Any, fault_proxy: FaultProxy, monkeypatch: pytest.MonkeyPatch
) -> FaultProxy:
    """``hume_default`` pointing at the proxy instead of the emulator."""
    monkeypatch.setenv("AIRFLOW_CONN_HUME_DEFAULT", hume_conn_json(fault_proxy.url, emulator.api_key))
    return fault_proxy


@pytest.fixture
def padded_artifacts(emulator: Any) -> Iterator[str]:
    """A completed job whose artifacts ZIP is about 40 MiB (a stored ``padding.bin`` at its end)."""
    with (
        EmulatorAdmin(emulator.url, emulator.api_key) as admin,
        admin.faults_injected(artifacts_pad_bytes=PAD_BYTES),
    ):
        yield completed_job(emulator, ["What a wonderful surprise!", "This is awful."])


@pytest.fixture
def padded_predictions(emulator: Any) -> Iterator[str]:
    """A completed job whose predictions are about 40 MiB (a padding source at their end)."""
    with (
        EmulatorAdmin(emulator.url, emulator.api_key) as admin,
        admin.faults_injected(predictions_pad_bytes=PAD_BYTES),
    ):
        yield completed_job(emulator, ["What a wonderful surprise!", "This is awful."])


def _task_log(caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]) -> str:
    records = [r.getMessage() for r in caplog.records if not r.name.startswith(("werkzeug", "moto"))]
    captured = capfd.readouterr()
    printed = [line for line in (captured.out + captured.err).splitlines() if "[werkzeug]" not in line]
    return "\n".join(records + printed)


def _no_open_uploads(s3: Any, bucket: str) -> bool:
    return not s3.list_multipart_uploads(Bucket=bucket).get("Uploads")


def _transfer(kind: str, job_id: str, bucket: str, key: str, retries: int, **kwargs: Any) -> Any:
    cls = HumeArtifactsToS3Operator if kind == "artifacts" else HumePredictionsToS3Operator
    return cls(
        task_id="copy",
        job_id=job_id,
        s3_bucket=bucket,
        s3_key=key,
        replace=True,
        retries=retries,
        retry_delay=0,
        **kwargs,
    )


def test_artifacts_cut_at_60_percent_without_length_store_nothing(
    emulator: Any,
    s3: Any,
    bucket: str,
    run_dag: Any,
    via_proxy: FaultProxy,
    padded_artifacts: str,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    job_id = padded_artifacts
    key = f"cut/{job_id}/artifacts.zip"
    s3.put_object(Bucket=bucket, Key=key, Body=PREVIOUS)
    rule = via_proxy.inject(
        "GET", r"/v0/batch/jobs/[^/]+/artifacts", end_early(fraction=0.6, keep_length=False)
    )
    caplog.set_level("INFO")
    with DAG("transfer_cut_artifacts", schedule=None, start_date=START) as dag:
        _transfer("artifacts", job_id, bucket, key, retries=0)
    outcome = run_dag(dag)

    assert outcome["copy"]["state"] == "failed"
    assert rule.hits == 1
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == PREVIOUS
    assert _no_open_uploads(s3, bucket)
    log = _task_log(caplog, capfd)
    total = len(direct_body(emulator, job_id, "artifacts"))
    assert f"The artifacts of Hume job {job_id} did not arrive whole: " in log
    assert "inside entry 'padding.bin'" in log
    assert f"({int(total * 0.6):,} bytes received, no length announced)" in log
    assert f"Nothing was written to s3://{bucket}/{key} (an object already there is untouched)" in log
    assert emulator.api_key not in log


def test_predictions_cut_at_60_percent_without_length_store_nothing(
    emulator: Any,
    s3: Any,
    bucket: str,
    run_dag: Any,
    via_proxy: FaultProxy,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    job_id = completed_job(emulator, ["What a wonderful surprise!", "This is awful."])
    key = f"cut/{job_id}/predictions.json"
    s3.put_object(Bucket=bucket, Key=key, Body=PREVIOUS)
    via_proxy.inject("GET", r"/v0/batch/jobs/[^/]+/predictions", end_early(fraction=0.6, keep_length=False))
    with DAG("transfer_cut_predictions", schedule=None, start_date=START) as dag:
        _transfer("predictions", job_id, bucket, key, retries=0)
    outcome = run_dag(dag)

    assert outcome["copy"]["state"] == "failed"
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == PREVIOUS
    assert _no_open_uploads(s3, bucket)
    log = _task_log(caplog, capfd)
    assert f"The predictions of Hume job {job_id} did not arrive whole: " in log
    assert "the JSON is incomplete or invalid at its end" in log


def test_large_predictions_cut_after_some_parts_went_up_store_nothing(
    s3: Any,
    bucket: str,
    run_dag: Any,
    via_proxy: FaultProxy,
    padded_predictions: str,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    job_id = padded_predictions
    key = f"cut/{job_id}/large-predictions.json"
    s3.put_object(Bucket=bucket, Key=key, Body=PREVIOUS)
    via_proxy.inject("GET", r"/v0/batch/jobs/[^/]+/predictions", end_early(fraction=0.6, keep_length=False))
    with DAG("transfer_cut_large_predictions", schedule=None, start_date=START) as dag:
        _transfer("predictions", job_id, bucket, key, retries=0)
    outcome = run_dag(dag)

    assert outcome["copy"]["state"] == "failed"
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == PREVIOUS
    assert _no_open_uploads(s3, bucket)
    log = _task_log(caplog, capfd)
    assert f"The predictions of Hume job {job_id} did not arrive whole: " in log
    assert "the JSON is incomplete or invalid at its end" in log


@pytest.mark.parametrize("kind", ["artifacts", "predictions"])
def test_the_retry_stores_the_whole_body(
    emulator: Any, s3: Any, bucket: str, run_dag: Any, via_proxy: FaultProxy, padded_artifacts: str, kind: str
) -> None:
    job_id = padded_artifacts
    key = f"retried/{job_id}/{kind}"
    rule = via_proxy.inject(
        "GET", rf"/v0/batch/jobs/[^/]+/{kind}", end_early(fraction=0.6, keep_length=False)
    )
    with DAG(f"transfer_cut_then_retried_{kind}", schedule=None, start_date=START) as dag:
        _transfer(kind, job_id, bucket, key, retries=1)
    outcome = run_dag(dag)

    assert outcome["copy"]["state"] == "success"
    assert outcome["copy"]["try_number"] == 2
    assert rule.hits == 1
    assert via_proxy.requests.count(("GET", f"/v0/batch/jobs/{job_id}/{kind}")) == 2
    stored = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    assert stored == direct_body(emulator, job_id, kind)
    if kind == "artifacts":
        with zipfile.ZipFile(io.BytesIO(stored)) as archive:
            assert archive.testzip() is None
            assert "padding.bin" in archive.namelist()
    else:
        assert json.loads(stored)[0]["source"]["type"] == "text"
    assert _no_open_uploads(s3, bucket)


@pytest.mark.parametrize("kind", ["artifacts", "predictions"])
def test_verify_body_always_refuses_a_chunked_body_its_server_ended_early(
    emulator: Any,
    s3: Any,
    bucket: str,
    run_dag: Any,
    via_proxy: FaultProxy,
    padded_artifacts: str,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    kind: str,
) -> None:
    """The last chunk sent after a cut: HTTP sees a whole body; ``verify_body="always"`` reads the format
    to its end and stores nothing (the default reads only the head of a framed body: see
    test_client_truncation)."""
    job_id = padded_artifacts
    key = f"ended/{job_id}/{kind}"
    s3.put_object(Bucket=bucket, Key=key, Body=PREVIOUS)
    cut = len(direct_body(emulator, job_id, kind)) // 2
    via_proxy.inject("GET", rf"/v0/batch/jobs/[^/]+/{kind}", end_chunked_early(cut, last_chunk=True))
    with DAG(f"transfer_ended_early_{kind}", schedule=None, start_date=START) as dag:
        _transfer(kind, job_id, bucket, key, retries=0, verify_body="always")
    outcome = run_dag(dag)

    assert outcome["copy"]["state"] == "failed"
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == PREVIOUS
    assert _no_open_uploads(s3, bucket)
    log = _task_log(caplog, capfd)
    assert f"The {kind} of Hume job {job_id} did not arrive whole: the body ended early or is damaged" in log
