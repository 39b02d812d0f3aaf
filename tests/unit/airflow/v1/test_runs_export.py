"""``HumeRunsToS3Operator``: the data interval's runs (start inclusive, end exclusive) exported whole."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any

import pyarrow.parquet as pq
import pytest
from airflow.sdk.exceptions import AirflowFailException

from airflow_provider_hume.operators.runs_export import HumeRunsToS3Operator
from tests.unit.airflow.stubs import context
from tests.unit.airflow.v1.v1_stubs import BUCKET, T0, Script, StubV1Hook, lost_run

DAY = timedelta(days=1)


def runs_at(script: Script, *offsets: timedelta) -> None:
    for n, offset in enumerate(offsets):
        run = lost_run(f"run-{n}", metered=10.0 + n)
        script.runs.append(type(run)(**{**run.__dict__, "started_at": T0 + offset}))


def export(script: Script, **kwargs: Any) -> HumeRunsToS3Operator:
    task = HumeRunsToS3Operator(task_id="runs", aws_conn_id=None, **kwargs)
    task.hook = StubV1Hook(script)
    return task


def interval(start: Any, end: Any) -> Any:
    values = context()
    values.update(data_interval_start=start, data_interval_end=end)
    return values


def test_the_interval_is_start_inclusive_end_exclusive(s3: Any, script: Script) -> None:
    runs_at(script, timedelta(0), timedelta(hours=5), DAY, -timedelta(seconds=1))
    result = export(script, output_uri=f"s3://{BUCKET}/runs/day.jsonl").execute(interval(T0, T0 + DAY))
    body = s3.get_object(Bucket=BUCKET, Key="runs/day.jsonl")["Body"].read().decode().splitlines()
    assert sorted(json.loads(line)["run_id"] for line in body) == ["run-0", "run-1"]
    assert result == {
        "uri": f"s3://{BUCKET}/runs/day.jsonl",
        "count": 2,
        "metered_seconds": 21.0,
        "started_after": T0.isoformat(),
        "started_before": (T0 + DAY).isoformat(),
    }


def test_rerunning_an_interval_overwrites_its_object(s3: Any, script: Script) -> None:
    task = export(script, output_uri=f"s3://{BUCKET}/runs/day.parquet", output_format="parquet")
    runs_at(script, timedelta(hours=1))
    assert task.execute(interval(T0, T0 + DAY))["count"] == 1
    runs_at(script, timedelta(hours=1), timedelta(hours=2))
    assert task.execute(interval(T0, T0 + DAY))["count"] == 3
    table = pq.read_table(io.BytesIO(s3.get_object(Bucket=BUCKET, Key="runs/day.parquet")["Body"].read()))
    assert table.num_rows == 3
    assert table.column_names[:3] == ["run_id", "user_id", "status"]


def test_bad_filters_fail_when_the_dag_is_parsed() -> None:
    with pytest.raises(ValueError, match="status must be one of"):
        HumeRunsToS3Operator(task_id="r", output_uri="s3://b/k", status="done")
    with pytest.raises(ValueError, match="output_format must be one of jsonl, parquet"):
        HumeRunsToS3Operator(task_id="r", output_uri="s3://b/k", output_format="csv")


def test_no_interval_and_no_bounds_names_the_fix(s3: Any, script: Script) -> None:
    with pytest.raises(AirflowFailException, match="pass started_after and started_before"):
        export(script, output_uri=f"s3://{BUCKET}/r.jsonl").execute(context())


def test_an_empty_data_interval_names_the_timetable_and_the_fix(s3: Any, script: Script) -> None:
    with pytest.raises(AirflowFailException, match=r"The interval is empty.*CronDataIntervalTimetable"):
        export(script, output_uri=f"s3://{BUCKET}/r.jsonl").execute(interval(T0, T0))
