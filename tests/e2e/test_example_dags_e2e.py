"""The example DAGs on the real scheduler and triggerer, driven through Airflow's REST API."""

from __future__ import annotations

import json
import zipfile
from io import BytesIO
from typing import Any


def check_batch_to_s3_run(e2e: Any) -> None:
    """Run ``hume_batch_to_s3``: it succeeds, the sensor waited in the triggerer, S3 holds the outputs."""
    api = e2e.api
    run_id = api.trigger("hume_batch_to_s3")
    final, seen = api.watch_run("hume_batch_to_s3", run_id)
    assert final == "success", seen
    assert "deferred" in seen["wait_for_job"], f"the sensor never deferred: {seen['wait_for_job']}"
    job_id = api.xcom("hume_batch_to_s3", run_id, "submit")
    body = e2e.s3.get_object(Bucket=e2e.bucket, Key=f"hume/{job_id}/predictions.json")["Body"].read()
    files = {p["source"].get("filename") for p in json.loads(body) if p["source"]["type"] == "file"}
    assert files == {"call_snippet.wav", "face.png"}
    archive = e2e.s3.get_object(Bucket=e2e.bucket, Key=f"hume/{job_id}/artifacts.zip")["Body"].read()
    assert zipfile.ZipFile(BytesIO(archive)).testzip() is None


def test_hume_batch_to_s3_waits_in_the_triggerer(e2e: Any) -> None:
    check_batch_to_s3_run(e2e)


def test_hume_stream_texts_maps_over_batches(e2e: Any) -> None:
    api = e2e.api
    run_id = api.trigger("hume_stream_texts")
    final, seen = api.watch_run("hume_stream_texts", run_id)
    assert final == "success", seen
    summary = api.xcom("hume_stream_texts", run_id, "summarize")
    assert summary["errors"] == 0
    assert summary["texts"] > 0
    for uri in summary["files"]:
        key = uri.removeprefix(f"s3://{e2e.bucket}/")
        lines = e2e.s3.get_object(Bucket=e2e.bucket, Key=key)["Body"].read().splitlines()
        assert all(json.loads(line)["predictions"]["language"]["predictions"] for line in lines)


def test_local_executor_on_postgres(e2e_postgres: Any) -> None:
    """The executor lane closest to production that runs here: LocalExecutor, PostgreSQL metadata DB."""
    database = e2e_postgres.api.get("/api/v2/monitor/health")["metadatabase"]["status"]
    assert database == "healthy"
    check_batch_to_s3_run(e2e_postgres)
