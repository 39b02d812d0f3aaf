"""The object-storage transfers as a DAG builds them: paths checked up front, lineage named by URI."""

from __future__ import annotations

import contextlib
import socket
from typing import Any

import pytest
from airflow.sdk import ObjectStoragePath

from airflow_provider_hume.transfers import HumeArtifactsToStorageOperator, HumePredictionsToStorageOperator

with contextlib.suppress(ImportError):  # imported at collection: croniter, under it, runs `file` once
    import airflow_provider_hume.lineage  # noqa: F401


@pytest.mark.parametrize("cls", [HumePredictionsToStorageOperator, HumeArtifactsToStorageOperator])
def test_a_path_without_a_scheme_fails_when_the_dag_is_built(cls: type[Any]) -> None:
    with pytest.raises(
        ValueError, match=r"^path must be a URI with a scheme, e\.g\. s3://bucket/key, .*'/tmp/a'"
    ):
        cls(task_id="t", job_id="j", path="/tmp/a")
    with pytest.raises(TypeError, match="path must be an ObjectStoragePath or a URI string"):
        cls(task_id="t", job_id="j", path=3)


def test_the_path_and_connections_are_templated_and_replace_defaults_to_false() -> None:
    op = HumePredictionsToStorageOperator(task_id="t", job_id="j", path="gs://b/{{ ds }}/p.json")
    assert {"job_id", "path", "conn_id", "hume_conn_id"} <= set(op.template_fields)
    assert op.replace is False
    with pytest.raises(ValueError, match="output_format must be one of"):
        HumePredictionsToStorageOperator(task_id="t", job_id="j", path="gs://b/p", output_format="xml")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("gs://bucket/hume/p.json", ("gs://bucket", "hume/p.json")),
        ("gs://google_cloud_default@bucket/p.json", ("gs://bucket", "p.json")),
        ("abfs://container/p.json", ("abfs://container", "p.json")),
        ("file:///data/p.json", (f"file://{socket.gethostname()}", "/data/p.json")),
        (ObjectStoragePath("s3://bucket/k/p.json", conn_id="aws_default"), ("s3://bucket", "k/p.json")),
        ("s3://aws_default@bucket/k/p.json", ("s3://bucket", "k/p.json")),
    ],
    ids=["gs", "gs-connection-in-uri", "abfs", "file", "s3-with-connection", "s3-connection-in-uri"],
)
def test_lineage_names_the_destination_by_its_uri_never_its_connection(
    path: Any, expected: tuple[str, str]
) -> None:
    op = HumeArtifactsToStorageOperator(task_id="t", job_id="j", path=path)
    outputs = op.get_openlineage_facets_on_complete(None).outputs
    assert [(d.namespace, d.name) for d in outputs] == [expected]


def test_lineage_lists_every_table_written() -> None:
    op = HumePredictionsToStorageOperator(task_id="t", job_id="j", path="gs://b/p.csv", output_format="csv")
    op.output_uris = ["gs://b/p.face.csv", "gs://b/p.language.csv"]
    outputs = op.get_openlineage_facets_on_complete(None).outputs
    assert [(d.namespace, d.name) for d in outputs] == [
        ("gs://b", "p.face.csv"),
        ("gs://b", "p.language.csv"),
    ]


def test_an_s3_object_of_another_job_names_path_as_the_argument_to_change() -> None:
    from airflow_provider_hume.transfers.destinations import S3Destination
    from airflow_provider_hume.transfers.output_marks import OutputMark
    from tests.unit.airflow.transfers.conftest import FakeS3Hook

    destination = S3Destination(FakeS3Hook(("b", "k/p.json")), "b", "k/p.json", field="path")
    with pytest.raises(
        FileExistsError, match=r"^s3://b/k/p\.json already exists .*or choose another path\.$"
    ):
        destination.earlier_output("k/p.json", OutputMark("j", "predictions", "json"))
