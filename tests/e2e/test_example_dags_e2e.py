"""The example DAGs on the real scheduler and triggerer, driven through Airflow's REST API."""

from __future__ import annotations

import json
import zipfile
from io import BytesIO
from typing import Any


def check_batch_to_s3_run(e2e: Any) -> str:
    """Run ``hume_batch_to_s3``: it succeeds, the sensor waited in the triggerer, S3 holds the outputs.

    Returns the Hume job id."""
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
    return str(job_id)


def test_hume_batch_to_s3_waits_in_the_triggerer_and_its_predictions_start_the_dag_scheduled_on_them(
    e2e: Any,
) -> None:
    api = e2e.api
    api.wait_parsed("hume_predictions_landed")
    job_id = check_batch_to_s3_run(e2e)

    def landed_run() -> str | None:
        runs = api.get("/api/v2/dags/hume_predictions_landed/dagRuns")["dag_runs"]
        done = [r for r in runs if r["run_type"] == "asset_triggered" and r["state"] in ("success", "failed")]
        return str(done[0]["dag_run_id"]) if done else None

    run_id = api.wait_for("the asset-triggered run of hume_predictions_landed", landed_run)
    final, seen = api.watch_run("hume_predictions_landed", run_id)
    assert final == "success", seen
    uri = f"s3://{e2e.bucket}/hume/{job_id}/predictions.json"
    [landed] = api.xcom("hume_predictions_landed", run_id, "report_landed")
    assert (landed["uri"], landed["hume_job_id"], landed["objects"]) == (uri, job_id, [uri])


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
