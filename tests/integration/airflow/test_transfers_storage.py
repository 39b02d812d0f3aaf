"""The object-storage transfers through Airflow, to the local filesystem (``file://``) and to S3 (moto).

One completed job (its artifacts padded to about 10 MiB, so that they take many pieces and two S3 parts)
is copied by every scenario: a first run writes each format and marks it, a second run (``replace=False``)
keeps what the first wrote and refuses another job's object, and a run whose bodies break off mid-way
stores nothing, keeping the objects already there.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

import pytest
from airflow.sdk import DAG, ObjectStoragePath

from airflow_provider_hume.emulator.admin_client import EmulatorAdmin
from airflow_provider_hume.transfers import HumeArtifactsToStorageOperator, HumePredictionsToStorageOperator
from airflow_provider_hume.transfers.storage import CHUNK_BYTES
from tests.integration.airflow.conftest import hume_conn_json
from tests.support import fault_proxy as proxies
from tests.support.fault_proxy import FaultProxy, end_early
from tests.support.transfer_bodies import completed_job, direct_body

START = datetime(2026, 1, 1)
MIB = 1024 * 1024
PAD_BYTES = 10 * MIB
PREVIOUS = b"the object of an earlier run"

fault_proxy = proxies.fault_proxy


class _LargestRead:
    """Passes reads through, remembering the largest piece read at once."""

    def __init__(self, body: BinaryIO) -> None:
        self._body = body

    def read(self, size: int = -1) -> bytes:
        chunk = self._body.read(size)
        RecordedArtifacts.largest_reads.append(len(chunk))
        return chunk


class RecordedArtifacts(HumeArtifactsToStorageOperator):
    """``HumeArtifactsToStorageOperator`` remembering the size of every read from the body."""

    largest_reads: ClassVar[list[int]] = []

    @contextmanager
    def open_body(self, client: Any) -> Iterator[Any]:
        with super().open_body(client) as body:
            yield _LargestRead(body)


@pytest.fixture(scope="module")
def padded_job(emulator: Any) -> Iterator[str]:
    """A completed job of two texts whose artifacts are padded to about 10 MiB while the module runs."""
    job_id = completed_job(emulator, ["What a wonderful surprise!", "This is awful."])
    with (
        EmulatorAdmin(emulator.url, emulator.api_key) as admin,
        admin.faults_injected(artifacts_pad_bytes=PAD_BYTES),
    ):
        yield job_id


def _xattrs(path: Path) -> dict[str, str]:
    return {name[5:]: os.getxattr(path, name).decode() for name in os.listxattr(path)}


def _transfers(job_id: str, out: Path, bucket: str) -> None:
    """The five transfers of one run (inside a ``DAG`` block)."""
    HumePredictionsToStorageOperator(
        task_id="json_file", job_id=job_id, path="file://{{ params.out }}/predictions.json"
    )
    RecordedArtifacts(task_id="zip_file", job_id=job_id, path=ObjectStoragePath(f"file://{out}/a.zip"))
    HumePredictionsToStorageOperator(
        task_id="csv_file", job_id=job_id, path=f"file://{out}/tables/", output_format="csv"
    )
    HumePredictionsToStorageOperator(
        task_id="json_s3", job_id=job_id, path=f"s3://{bucket}/storage/{job_id}/p.json", conn_id="aws_default"
    )
    HumeArtifactsToStorageOperator(
        task_id="zip_s3",
        job_id=job_id,
        path=ObjectStoragePath(f"s3://{bucket}/storage/{job_id}/a.zip", conn_id="aws_default"),
    )


def test_each_store_gets_whole_marked_objects_and_a_retry_keeps_them(
    emulator: Any, s3: Any, bucket: str, run_dag: Any, padded_job: str, tmp_path: Path
) -> None:
    job_id, out = padded_job, tmp_path / "out"
    RecordedArtifacts.largest_reads.clear()
    with DAG("storage_first", schedule=None, start_date=START, params={"out": str(out)}) as dag:
        _transfers(job_id, out, bucket)
    first = run_dag(dag)

    assert {first[task]["state"] for task in ("json_file", "zip_file", "csv_file", "json_s3", "zip_s3")} == {
        "success"
    }
    returned = {task: first[task]["xcom"]["return_value"] for task in ("json_file", "zip_file", "csv_file")}
    assert returned == {
        "json_file": f"file://{out}/predictions.json",
        "zip_file": f"file://{out}/a.zip",
        "csv_file": [f"file://{out}/tables/language.csv", f"file://{out}/tables/ner.csv"],
    }
    assert first["zip_s3"]["xcom"]["return_value"] == f"s3://{bucket}/storage/{job_id}/a.zip"
    predictions, artifacts = (
        direct_body(emulator, job_id, "predictions"),
        direct_body(emulator, job_id, "artifacts"),
    )
    assert len(artifacts) > PAD_BYTES
    assert (out / "predictions.json").read_bytes() == predictions
    assert (out / "a.zip").read_bytes() == artifacts
    assert max(RecordedArtifacts.largest_reads) == CHUNK_BYTES, "the body is read in pieces of 1 MiB"
    assert sum(RecordedArtifacts.largest_reads) == len(artifacts)
    assert (out / "tables" / "language.csv").read_text().startswith("job_id,source_type,source,")
    assert sorted(os.listdir(out)) == ["a.zip", "predictions.json", "tables"], "no temporary file left"
    assert _xattrs(out / "a.zip") == {"hume-job-id": job_id, "hume-body": "artifacts", "hume-format": "zip"}
    assert _xattrs(out / "tables" / "ner.csv")["hume-tables"] == "language,ner"
    assert s3.get_object(Bucket=bucket, Key=f"storage/{job_id}/a.zip")["Body"].read() == artifacts
    head = s3.head_object(Bucket=bucket, Key=f"storage/{job_id}/p.json")
    assert head["Metadata"] == {"hume-job-id": job_id, "hume-body": "predictions", "hume-format": "json"}

    # The bodies replaced in place, their marks kept: a write by the second run would show.
    kept = [
        out / "predictions.json",
        out / "a.zip",
        out / "tables" / "language.csv",
        out / "tables" / "ner.csv",
    ]
    for path in kept:
        with path.open("r+b") as file:
            file.truncate(0)
            file.write(PREVIOUS)
    other = out / "other.json"
    other.write_bytes(b"another job's")
    os.setxattr(other, "user.hume-job-id", b"another-job")
    os.setxattr(other, "user.hume-body", b"predictions")
    os.setxattr(other, "user.hume-format", b"json")
    with DAG("storage_second", schedule=None, start_date=START, params={"out": str(out)}) as dag:
        _transfers(job_id, out, bucket)
        HumePredictionsToStorageOperator(task_id="other_job", job_id=job_id, path=f"file://{other}")
    second = run_dag(dag)

    for task in ("json_file", "zip_file", "csv_file", "json_s3", "zip_s3"):
        assert second[task]["state"] == "success"
        assert second[task]["xcom"]["return_value"] == first[task]["xcom"]["return_value"]
    for path in kept:
        assert path.read_bytes() == PREVIOUS
    assert second["other_job"]["state"] == "failed"
    assert other.read_bytes() == b"another job's"


def test_bodies_that_break_off_store_nothing_and_keep_what_was_there(
    emulator: Any,
    s3: Any,
    bucket: str,
    run_dag: Any,
    padded_job: str,
    fault_proxy: FaultProxy,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_HUME_DEFAULT", hume_conn_json(fault_proxy.url, emulator.api_key))
    rule = fault_proxy.inject(
        "GET", r"/v0/batch/jobs/[^/]+/artifacts", end_early(fraction=0.6, keep_length=False), times=2
    )
    local = tmp_path / "cut" / "a.zip"
    local.parent.mkdir()
    local.write_bytes(PREVIOUS)
    key = f"cut/{padded_job}/a.zip"
    s3.put_object(Bucket=bucket, Key=key, Body=PREVIOUS)
    with DAG("storage_cut", schedule=None, start_date=START) as dag:
        HumeArtifactsToStorageOperator(
            task_id="file", job_id=padded_job, path=f"file://{local}", replace=True
        )
        HumeArtifactsToStorageOperator(
            task_id="s3", job_id=padded_job, path=f"s3://{bucket}/{key}", conn_id="aws_default", replace=True
        )
    outcome = run_dag(dag)

    assert (outcome["file"]["state"], outcome["s3"]["state"]) == ("failed", "failed")
    assert rule.hits == 2
    assert local.read_bytes() == PREVIOUS
    assert os.listdir(local.parent) == ["a.zip"], "no temporary file left"
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == PREVIOUS
    assert not s3.list_multipart_uploads(Bucket=bucket).get("Uploads")
