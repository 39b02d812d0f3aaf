"""The Hume-to-S3 transfers: no overwrite by surprise (but a retry keeps what an earlier try wrote), bodies
streamed to the right object with their mark, URIs returned."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest

from airflow_provider_hume.transfers.hume_to_s3 import HumeArtifactsToS3Operator, HumePredictionsToS3Operator
from airflow_provider_hume.transfers.output_marks import OutputMark
from tests.unit.airflow.conftest import Logs
from tests.unit.airflow.stubs import API_KEY, BASE_URL, FakeClock, Script
from tests.unit.airflow.transfers.conftest import (
    ARTIFACTS,
    JOB,
    PREDICTIONS,
    BodyClient,
    FakeS3Hook,
    read_through,
)

with contextlib.suppress(ImportError):  # imported at collection: croniter, under it, runs `file` once
    import airflow_provider_hume.lineage  # noqa: F401

NO_CONNECTION = "hume_unit_no_such_connection"


def transfer(cls: type[Any], s3: FakeS3Hook, **kwargs: Any) -> Any:
    kwargs = {"job_id": JOB, "s3_bucket": "out", "s3_key": "jobs/p.json", "replace": True, **kwargs}
    op = cls(task_id="copy", **kwargs)
    op.s3_hook = lambda: s3
    return op


def body_client() -> BodyClient:
    return BodyClient(Script(), FakeClock())


@pytest.mark.parametrize("cls", [HumePredictionsToS3Operator, HumeArtifactsToS3Operator])
def test_replace_defaults_to_false(cls: type[Any]) -> None:
    assert cls(task_id="t", job_id=JOB, s3_bucket="b", s3_key="k").replace is False


@pytest.mark.parametrize(
    ("cls", "body"),
    [
        (HumePredictionsToS3Operator, "predictions of Hume job job-7 (json)"),
        (HumeArtifactsToS3Operator, "artifacts of Hume job job-7 (zip)"),
    ],
)
def test_an_existing_key_is_kept_and_hume_never_called(cls: type[Any], body: str) -> None:
    s3 = FakeS3Hook(("out", "jobs/p.json"))
    op = transfer(cls, s3, replace=False, hume_conn_id=NO_CONNECTION)
    client = body_client()
    read_through(op, client)
    with pytest.raises(FileExistsError) as error:
        op.execute({})
    assert str(error.value) == (
        f"s3://out/jobs/p.json already exists and was not written by this transfer for the {body}; "
        "set replace=True to overwrite it, or choose another s3_key."
    )
    assert s3.objects == {("out", "jobs/p.json"): b"old"}
    assert client.opened == []


@pytest.mark.parametrize(
    ("cls", "mark"),
    [
        (HumePredictionsToS3Operator, OutputMark(JOB, "predictions", "json")),
        (HumeArtifactsToS3Operator, OutputMark(JOB, "artifacts", "zip")),
    ],
)
def test_an_object_an_earlier_try_wrote_counts_as_done(cls: type[Any], mark: OutputMark, logs: Logs) -> None:
    s3 = FakeS3Hook()
    s3.put("out", "jobs/p.json", b"earlier try", mark.metadata())
    op = transfer(cls, s3, replace=False, hume_conn_id=NO_CONNECTION)
    client = body_client()
    read_through(op, client)
    assert op.execute({}) == "s3://out/jobs/p.json"
    assert (s3.uploads, client.opened) == ([], [])
    assert s3.objects[("out", "jobs/p.json")] == b"earlier try"
    assert op.output_uris == ["s3://out/jobs/p.json"]
    assert (
        f"s3://out/jobs/p.json already holds the {mark.body} of Hume job {JOB}, written by an earlier try"
        in (logs.text)
    )


@pytest.mark.parametrize(
    "mark",
    [
        OutputMark("another-job", "predictions", "json"),
        OutputMark(JOB, "artifacts", "zip"),
        OutputMark(JOB, "predictions", "jsonl"),
    ],
    ids=["another job", "another body", "another format"],
)
def test_an_object_written_for_another_output_fails_the_task(mark: OutputMark) -> None:
    s3 = FakeS3Hook()
    s3.put("out", "jobs/p.json", b"other", mark.metadata())
    op = transfer(HumePredictionsToS3Operator, s3, replace=False, hume_conn_id=NO_CONNECTION)
    client = body_client()
    read_through(op, client)
    with pytest.raises(FileExistsError, match=r"^s3://out/jobs/p.json already exists .*set replace=True"):
        op.execute({})
    assert (s3.uploads, client.opened) == ([], [])


def test_predictions_are_streamed_into_the_object(hume_connection: str, logs: Logs) -> None:
    s3 = FakeS3Hook(("out", "jobs/p.json"))
    op = transfer(HumePredictionsToS3Operator, s3, hume_conn_id=hume_connection)
    client = body_client()
    built = read_through(op, client)
    assert op.execute({}) == "s3://out/jobs/p.json"
    assert s3.objects[("out", "jobs/p.json")] == PREDICTIONS
    assert s3.metadata[("out", "jobs/p.json")] == OutputMark(JOB, "predictions", "json").metadata()
    assert len(s3.reads) > 1  # read chunk by chunk, never as one payload
    assert client.opened == [("predictions", JOB)]
    assert [c.base_url for c in built] == [BASE_URL]
    assert op.output_uris == ["s3://out/jobs/p.json"]
    assert f"Streaming the predictions of Hume job {JOB} to s3://out/jobs/p.json" in logs.text
    assert f"Wrote s3://out/jobs/p.json ({len(PREDICTIONS)} B in" in logs.text
    assert API_KEY not in logs.text


def test_artifacts_are_streamed_into_the_object(hume_connection: str) -> None:
    s3 = FakeS3Hook()
    op = transfer(
        HumeArtifactsToS3Operator, s3, s3_key="jobs/a.zip", replace=False, hume_conn_id=hume_connection
    )
    client = body_client()
    read_through(op, client)
    assert op.execute({}) == "s3://out/jobs/a.zip"
    assert s3.checked == [("out", "jobs/a.zip")]
    assert s3.objects == {("out", "jobs/a.zip"): ARTIFACTS}
    assert s3.metadata[("out", "jobs/a.zip")] == {
        "hume-job-id": JOB,
        "hume-body": "artifacts",
        "hume-format": "zip",
    }
    assert client.opened == [("artifacts", JOB)]


def test_csv_gives_one_object_per_model_in_the_documented_order(hume_connection: str) -> None:
    s3 = FakeS3Hook()
    op = transfer(HumePredictionsToS3Operator, s3, output_format="csv", hume_conn_id=hume_connection)
    client = body_client()
    read_through(op, client)
    uris = ["s3://out/jobs/p.json.face.csv", "s3://out/jobs/p.json.language.csv"]
    assert op.execute({}) == uris
    assert op.output_uris == uris
    face = s3.objects[("out", "jobs/p.json.face.csv")].decode().splitlines()
    assert face[0].startswith("job_id,source_type,source,file,model,group_id,frame,time,prob,box_x")
    assert len(face) == 3
    assert face[1].startswith(f"{JOB},url,https://m.example/a.mp4,a.mp4,face,unknown,0,")


def test_jsonl_gives_one_object_at_the_key(hume_connection: str) -> None:
    s3 = FakeS3Hook()
    op = transfer(
        HumePredictionsToS3Operator,
        s3,
        s3_key="rows.jsonl",
        output_format="jsonl",
        hume_conn_id=hume_connection,
    )
    read_through(op, body_client())
    assert op.execute({}) == "s3://out/rows.jsonl"
    assert len(s3.objects[("out", "rows.jsonl")].splitlines()) == 3


def test_an_unknown_output_format_fails_when_the_dag_is_parsed() -> None:
    with pytest.raises(
        ValueError, match=r"output_format must be one of json, jsonl, csv, parquet \(got 'xlsx'\)"
    ):
        HumePredictionsToS3Operator(
            task_id="t", job_id="j", s3_bucket="b", s3_key="k", replace=True, output_format="xlsx"
        )


@pytest.mark.parametrize("cls", [HumePredictionsToS3Operator, HumeArtifactsToS3Operator])
@pytest.mark.parametrize("verify_body", ["unframed", "always"])
def test_verify_body_reaches_the_client(cls: type[Any], verify_body: str, hume_connection: str) -> None:
    client = body_client()
    op = transfer(cls, FakeS3Hook(), verify_body=verify_body, hume_conn_id=hume_connection)
    read_through(op, client)
    op.execute({})
    assert client.verified == [verify_body]


@pytest.mark.parametrize(
    ("verify_body", "message"),
    [
        ("never", r"got 'never' \(a body without a length could then be stored cut short\)"),
        ("sometimes", r"verify_body must be 'unframed' \(the default\) or 'always' for a transfer; got 'so"),
    ],
)
def test_a_bad_verify_body_fails_when_the_dag_is_parsed(verify_body: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        HumeArtifactsToS3Operator(
            task_id="t", job_id="j", s3_bucket="b", s3_key="k", replace=True, verify_body=verify_body
        )


def test_lineage_lists_every_object_written(hume_connection: str) -> None:
    pytest.importorskip("airflow.providers.openlineage")
    op = transfer(
        HumePredictionsToS3Operator, FakeS3Hook(), output_format="csv", hume_conn_id=hume_connection
    )
    read_through(op, body_client())
    op.execute({})
    outputs = op.get_openlineage_facets_on_complete(None).outputs
    assert [(d.namespace, d.name) for d in outputs] == [
        ("s3://out", "jobs/p.json.face.csv"),
        ("s3://out", "jobs/p.json.language.csv"),
    ]


def test_the_ids_the_target_and_the_connections_are_templated() -> None:
    for cls in (HumePredictionsToS3Operator, HumeArtifactsToS3Operator):
        assert {"job_id", "s3_bucket", "s3_key", "hume_conn_id", "aws_conn_id"} <= set(cls.template_fields)
