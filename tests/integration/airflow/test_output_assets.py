"""The outlets the writing operators declare, and the transfers' Asset events after ``dag.test()`` ran them.

A destination written out in full lands as its own Asset; a templated one through the task's alias, which
queues a run of the DAG scheduled on that alias. The e2e lane runs the example DAG scheduled on one,
``hume_predictions_landed``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG, Asset, AssetAlias

from airflow_provider_hume.assets import is_templated, output_alias
from airflow_provider_hume.operators.measure_audio import HumeMeasureAudioOperator
from airflow_provider_hume.operators.runs_export import HumeRunsToS3Operator
from airflow_provider_hume.transfers import (
    HumeArtifactsToS3Operator,
    HumeArtifactsToStorageOperator,
    HumePredictionsToS3Operator,
    HumePredictionsToStorageOperator,
)
from tests.integration.airflow.conftest import _serialize
from tests.support.transfer_bodies import completed_job


def _events(uri: str) -> list[tuple[dict[str, Any], list[str]]]:
    """Each event of the Asset ``uri``: its extra and the names of the aliases it came through."""
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        query = select(AssetEvent).join(AssetModel, AssetEvent.asset_id == AssetModel.id)
        events = session.scalars(query.where(AssetModel.uri == uri)).all()
        return [(dict(e.extra), [alias.name for alias in e.source_aliases]) for e in events]


def _queued_runs(dag_id: str) -> int:
    from airflow.models.asset import AssetDagRunQueue
    from airflow.utils.session import create_session
    from sqlalchemy import func, select

    with create_session() as session:
        count = select(func.count()).select_from(AssetDagRunQueue)
        return int(session.scalar(count.where(AssetDagRunQueue.target_dag_id == dag_id)) or 0)


def _unpause(dag_id: str) -> None:
    from airflow.models import DagModel
    from airflow.utils.session import create_session

    with create_session() as session:
        session.get(DagModel, dag_id).is_paused = False


def test_destinations_land_as_assets_and_queue_the_dag_scheduled_on_them(
    connections: None, emulator: Any, bucket: str, run_dag: Any
) -> None:
    job_id = completed_job(emulator, ["What a wonderful surprise!"])
    with DAG("hume_assets_test", schedule=None, start_date=datetime(2026, 1, 1), catchup=False) as dag:
        HumePredictionsToS3Operator(
            task_id="static_tables",
            job_id=job_id,
            s3_bucket=bucket,
            s3_key=f"assets/{job_id}/p.csv",
            output_format="csv",
        )
        HumeArtifactsToS3Operator(
            task_id="templated",
            job_id=job_id,
            s3_bucket=bucket,
            s3_key="assets/{{ run_id }}/artifacts.zip",
        )
    schedule = [output_alias("hume_assets_test", "templated")]
    with DAG("hume_assets_downstream", schedule=schedule, start_date=datetime(2026, 1, 1)) as downstream:
        EmptyOperator(task_id="load")
    _serialize(downstream)
    _unpause("hume_assets_downstream")

    outcome = run_dag(dag)
    assert outcome["dag_state"] == "success", outcome

    static_uri = f"s3://{bucket}/assets/{job_id}/p.csv"
    assert _events(static_uri) == [
        (
            {
                "uris": [f"s3://{bucket}/assets/{job_id}/p.{model}.csv" for model in ("language", "ner")],
                "hume_job_id": job_id,
                "body": "predictions",
                "format": "csv",
            },
            [],
        )
    ]
    written = outcome["templated"]["xcom"]["return_value"]
    assert written.startswith(f"s3://{bucket}/assets/")
    assert written.endswith("/artifacts.zip")
    assert _events(written) == [
        (
            {"uris": [written], "hume_job_id": job_id, "body": "artifacts", "format": "zip"},
            ["hume:hume_assets_test.templated"],
        )
    ]
    assert _queued_runs("hume_assets_downstream") == 1


def _transfer(key: str, bucket: str = "lake", **kwargs: Any) -> HumePredictionsToS3Operator:
    with DAG("landing", schedule=None):
        return HumePredictionsToS3Operator(task_id="p", job_id="j", s3_bucket=bucket, s3_key=key, **kwargs)


@pytest.mark.parametrize(
    ("value", "templated"),
    [
        ("hume/p.json", False),
        ("hume/{{ ds }}/p.json", True),
        ("{% if x %}a{% endif %}", True),
        ("{x}", False),
    ],
)
def test_is_templated(value: str, templated: bool) -> None:
    assert is_templated(value) is templated


def test_a_destination_written_out_in_full_is_an_asset() -> None:
    assert _transfer("hume/p.json").outlets == [Asset(uri="s3://lake/hume/p.json")]


@pytest.mark.parametrize(
    ("bucket", "key"), [("lake", "hume/{{ ds }}/p.json"), ("{{ var.value.b }}", "p.json")]
)
def test_a_templated_destination_is_the_tasks_alias(bucket: str, key: str) -> None:
    assert _transfer(key, bucket).outlets == [AssetAlias(name="hume:landing.p")]
    assert output_alias("landing", "p") == AssetAlias(name="hume:landing.p")


def test_given_outlets_are_kept_even_when_empty() -> None:
    mine = Asset(name="warehouse.hume_predictions", uri="s3://lake/curated/")
    assert _transfer("hume/p.json", outlets=[mine]).outlets == [mine]
    assert _transfer("hume/p.json", outlets=[]).outlets == []


def test_a_destination_that_is_no_asset_uri_names_the_task_and_the_fix() -> None:
    with pytest.raises(
        ValueError, match=r"p: the destination \['s3:///p.json'\] is not a valid Asset URI.*outlets"
    ):
        _transfer("p.json", bucket="")


def test_the_artifacts_storage_v1_and_runs_operators_declare_theirs() -> None:
    with DAG("landing", schedule=None):
        artifacts = HumeArtifactsToS3Operator(task_id="a", job_id="j", s3_bucket="lake", s3_key="a.zip")
        measure = HumeMeasureAudioOperator(
            task_id="m",
            sources="s3://lake/in/",
            output_uri="s3://lake/out/m.jsonl",
            output_format="csv",
            table_uri="s3://lake/out/m.csv",
        )
        lines_only = HumeMeasureAudioOperator(
            task_id="l", sources="s3://lake/in/", output_uri="s3://lake/out/{{ ds }}.jsonl"
        )
        runs = HumeRunsToS3Operator(task_id="r", output_uri="s3://lake/runs/day.jsonl")
        stored = HumeArtifactsToStorageOperator(task_id="s", job_id="j", path="gs://lake/hume/a.zip")
        stored_templated = HumePredictionsToStorageOperator(
            task_id="t", job_id="j", path="file:///data/{{ ds }}/p.json"
        )
    assert artifacts.outlets == [Asset(uri="s3://lake/a.zip")]
    assert measure.outlets == [Asset(uri="s3://lake/out/m.jsonl"), Asset(uri="s3://lake/out/m.csv")]
    assert lines_only.outlets == [AssetAlias(name="hume:landing.l")]
    assert runs.outlets == [Asset(uri="s3://lake/runs/day.jsonl")]
    assert stored.outlets == [Asset(uri="gs://lake/hume/a.zip")]
    assert stored_templated.outlets == [AssetAlias(name="hume:landing.t")]
