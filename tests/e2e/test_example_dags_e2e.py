"""The example DAGs on the real scheduler and triggerer, driven through Airflow's REST API."""

from __future__ import annotations

import json
import zipfile
from io import BytesIO
from typing import Any


def _trigger(e2e: Any, dag_id: str) -> str:
    api = e2e.api
    api.wait_for(f"{dag_id} to be parsed", lambda: _dag_exists(api, dag_id))
    response = api.post(f"/api/v2/dags/{dag_id}/dagRuns", {"logical_date": None})
    assert response.status_code == 200, response.text
    return str(response.json()["dag_run_id"])


def _dag_exists(api: Any, dag_id: str) -> bool:
    response = api.session.get(f"{api.handle.url}/api/v2/dags/{dag_id}", timeout=30)
    return response.status_code == 200


def _watch_run(e2e: Any, dag_id: str, run_id: str) -> tuple[str, dict[str, set[str]]]:
    """Poll the run until it ends, recording every state each task instance was seen in."""
    seen: dict[str, set[str]] = {}
    base = f"/api/v2/dags/{dag_id}/dagRuns/{run_id}"

    def finished() -> str | None:
        for ti in e2e.api.get(f"{base}/taskInstances")["task_instances"]:
            seen.setdefault(ti["task_id"], set()).add(str(ti["state"]))
        state = str(e2e.api.get(base)["state"])
        return state if state in ("success", "failed") else None

    final = e2e.api.wait_for(f"run {run_id} of {dag_id} to finish", finished, timeout=240)
    return final, seen


def _xcom(e2e: Any, dag_id: str, run_id: str, task_id: str) -> Any:
    path = f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/xcomEntries/return_value"
    value = e2e.api.get(path)["value"]
    return json.loads(value) if isinstance(value, str) and value.startswith('"') else value


def test_hume_batch_to_s3_waits_in_the_triggerer(e2e: Any) -> None:
    run_id = _trigger(e2e, "hume_batch_to_s3")
    final, seen = _watch_run(e2e, "hume_batch_to_s3", run_id)
    assert final == "success", seen
    assert "deferred" in seen["wait_for_job"], f"the sensor never deferred: {seen['wait_for_job']}"
    job_id = _xcom(e2e, "hume_batch_to_s3", run_id, "submit")
    body = e2e.s3.get_object(Bucket=e2e.bucket, Key=f"hume/{job_id}/predictions.json")["Body"].read()
    predictions = json.loads(body)
    assert {p["source"].get("filename") for p in predictions if p["source"]["type"] == "file"} == {
        "call_snippet.wav",
        "face.png",
    }
    archive = e2e.s3.get_object(Bucket=e2e.bucket, Key=f"hume/{job_id}/artifacts.zip")["Body"].read()
    assert zipfile.ZipFile(BytesIO(archive)).testzip() is None


def test_hume_stream_texts_maps_over_batches(e2e: Any) -> None:
    run_id = _trigger(e2e, "hume_stream_texts")
    final, seen = _watch_run(e2e, "hume_stream_texts", run_id)
    assert final == "success", seen
    summary = _xcom(e2e, "hume_stream_texts", run_id, "summarize")
    assert summary["errors"] == 0
    assert summary["texts"] > 0
    for uri in summary["files"]:
        key = uri.removeprefix(f"s3://{e2e.bucket}/")
        lines = e2e.s3.get_object(Bucket=e2e.bucket, Key=key)["Body"].read().splitlines()
        assert all(json.loads(line)["predictions"]["language"]["predictions"] for line in lines)
