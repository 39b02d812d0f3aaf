"""Fixtures for running the provider's operators inside Airflow: a metadata DB and connections."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

BUCKET = "hume-test-bucket"


def hume_conn_json(url: str, api_key: str) -> str:
    return json.dumps({"conn_type": "hume", "host": url, "password": api_key})


@pytest.fixture
def connections(airflow_db: None, emulator: Any, s3_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """``hume_default`` pointing at the emulator and ``aws_default`` at the S3 server, with a bucket."""
    monkeypatch.setenv("AIRFLOW_CONN_HUME_DEFAULT", hume_conn_json(emulator.url, emulator.api_key))
    aws = {
        "conn_type": "aws",
        "login": s3_server.access_key,
        "password": s3_server.secret_key,
        "extra": {"endpoint_url": s3_server.endpoint_url, "region_name": s3_server.region},
    }
    monkeypatch.setenv("AIRFLOW_CONN_AWS_DEFAULT", json.dumps(aws))
    monkeypatch.setenv("AIRFLOW_VAR_HUME_S3_BUCKET", BUCKET)
    s3 = s3_client(s3_server)
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    if BUCKET not in existing:
        s3.create_bucket(Bucket=BUCKET)


@pytest.fixture
def s3(connections: None, s3_server: Any) -> Any:
    """A boto3 S3 client for the loopback server, whose bucket ``BUCKET`` exists."""
    return s3_client(s3_server)


@pytest.fixture
def bucket(connections: None) -> str:
    return BUCKET


def s3_client(s3_server: Any) -> Any:
    """A client that checks no response checksum: the tests compare whole bodies, and botocore 1.42 rejects
    the checksum moto 5.1.18 (both the floor lane's) gives a multipart object."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=s3_server.endpoint_url,
        aws_access_key_id=s3_server.access_key,
        aws_secret_access_key=s3_server.secret_key,
        region_name=s3_server.region,
        config=Config(response_checksum_validation="when_required"),
    )


def _serialize(dag: Any) -> None:
    """Write a DAG defined in a test to the metadata DB, as the DAG processor does for files it parses."""
    from airflow.dag_processing.bundles.manager import DagBundlesManager

    from tests.support.airflow_versions import DagBag, sync_bag_to_db

    DagBundlesManager().sync_bundles_to_db()
    bag = DagBag(dag_folder=None, collect_dags=False)
    bag.bag_dag(dag)
    sync_bag_to_db(bag, "dags-folder", None)


@pytest.fixture
def run_dag() -> Callable[..., dict[str, Any]]:
    """Run a DAG with ``dag.test()``; return each task's final state, XCom return value and try number."""

    def _run(dag: Any) -> dict[str, Any]:
        from airflow.models import TaskInstance
        from airflow.models.xcom import XComModel
        from airflow.utils.session import create_session

        _serialize(dag)
        dag_run = dag.test()
        outcome: dict[str, Any] = {"dag_state": str(dag_run.state)}
        with create_session() as session:
            tis = session.query(TaskInstance).filter_by(dag_id=dag.dag_id, run_id=dag_run.run_id).all()
            for ti in tis:
                xcoms = {
                    x.key: x.value
                    for x in session.query(XComModel).filter_by(
                        dag_id=dag.dag_id, run_id=dag_run.run_id, task_id=ti.task_id
                    )
                }
                outcome[ti.task_id] = {"state": str(ti.state), "try_number": ti.try_number, "xcom": xcoms}
        return outcome

    return _run
