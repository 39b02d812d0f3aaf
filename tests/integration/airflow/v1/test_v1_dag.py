"""The example DAG ``hume_v1_calls_to_s3`` under ``dag.test()`` against the emulator and moto's S3 server."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from tests.support import media_samples
from tests.support.airflow_versions import DagBag

DAGS = Path(__file__).resolve().parents[4] / "dags"
#: Requests of at most ~0.3 MB (~9 s of audio): the 30 s call needs four.
SMALL_REQUESTS = "350000"


def _dag(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("HUME_V1_MAX_REQUEST_BYTES", SMALL_REQUESTS)
    bag = DagBag(dag_folder=str(DAGS / "hume_v1_calls_to_s3.py"))
    assert bag.import_errors == {}
    return bag.dags["hume_v1_calls_to_s3"]


def test_the_days_calls_are_measured_tabled_and_their_runs_exported(
    emulator: Any, s3: Any, bucket: str, run_dag: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    today = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    day = today.strftime("%Y-%m-%d")
    calls = [
        media_samples.mp3(tmp_path / "a-support.mp3", 6.0),
        media_samples.m4a(tmp_path / "b-sales.m4a", 7.0),
        media_samples.wav(tmp_path / "c-billing.wav", 5.0, rate=44100, channels=2),
        media_samples.mp3(tmp_path / "d-long.mp3", 30.0),
    ]
    for path in calls:
        s3.upload_file(str(path), bucket, f"calls/{day}/{path.name}")
    dag = _dag(monkeypatch)
    outcome = run_dag_on(run_dag, dag, today + timedelta(days=1))
    assert outcome["dag_state"] == "success", outcome
    summary = outcome["measure_calls"]["xcom"]["return_value"]
    assert summary["files"] == 4
    assert summary["measured"] == 4
    assert summary["failed"] == 0
    lines = [
        json.loads(line)
        for line in s3.get_object(Bucket=bucket, Key=f"hume/v1/{day}/measurements.jsonl")["Body"]
        .read()
        .splitlines()
    ]
    by_name = {line["source"].rsplit("/", 1)[-1]: line for line in lines}
    assert len(by_name["d-long.mp3"]["chunks"]) >= 3, "the long call is split into several requests"
    assert all(line["measurements"] for line in lines), "every call has measurements"
    long_times = [m["audio_end_ms"] for m in by_name["d-long.mp3"]["measurements"]]
    assert max(long_times) > 20000, "the long call's times are on its own timeline"
    table = pq.read_table(
        io.BytesIO(s3.get_object(Bucket=bucket, Key=f"hume/v1/{day}/measurements.parquet")["Body"].read())
    )
    assert table.num_rows == summary["rows"] == sum(len(line["measurements"]) for line in lines)
    export = outcome["export_runs"]["xcom"]["return_value"]
    exported = [
        json.loads(line)
        for line in s3.get_object(Bucket=bucket, Key=f"hume/v1/runs/{day}.jsonl")["Body"].read().splitlines()
    ]
    exported_ids = {run["run_id"] for run in exported}
    assert export["started_after"] == today.isoformat(), export
    assert set(summary["run_ids"]) <= exported_ids, "the day's export holds the measurement runs"
    assert export["count"] == len(exported)
    ours = sum(run["metered_seconds"] for run in exported if run["run_id"] in summary["run_ids"])
    assert summary["metered_seconds"] == pytest.approx(ours)
    assert summary["metered_seconds_source"] == "runs"


def run_dag_on(run_dag: Any, dag: Any, logical_date: datetime) -> dict[str, Any]:
    """``run_dag`` for a manual run at ``logical_date``: its data interval is the day that ends then."""
    original = dag.test

    def test(**kwargs: Any) -> Any:
        return original(logical_date=logical_date, **kwargs)

    dag.test = test
    return run_dag(dag)
