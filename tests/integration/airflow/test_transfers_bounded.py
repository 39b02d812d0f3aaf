"""The transfers' uploads, bounded in memory: the parts they send, and the ``TransferConfig`` they use.

A body of unknown size goes up in 8 MiB parts with at most 3 read ahead, so memory stays flat; arguments the
DAG gives are merged over those defaults, and the tabular files go up with the same config. The emulator pads
the bodies (``artifacts_pad_bytes``, ``predictions_pad_bytes``) so that they need several parts.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime
from typing import Any, ClassVar

import pytest
from airflow.sdk import DAG

from airflow_provider_hume.emulator.admin_client import EmulatorAdmin
from airflow_provider_hume.transfers import HumeArtifactsToS3Operator, HumePredictionsToS3Operator
from tests.support.transfer_bodies import completed_job, direct_body

START = datetime(2026, 1, 1)
MIB = 1024 * 1024


class _HookRecorder:
    """Keeps every S3 hook the transfer built, to read the ``TransferConfig`` its uploads were given."""

    hooks: ClassVar[list[Any]] = []

    def s3_hook(self) -> Any:
        hook = super().s3_hook()  # type: ignore[misc]
        _HookRecorder.hooks.append(hook)
        return hook


class RecordedArtifacts(_HookRecorder, HumeArtifactsToS3Operator):
    """``HumeArtifactsToS3Operator`` keeping its S3 hooks."""


class RecordedPredictions(_HookRecorder, HumePredictionsToS3Operator):
    """``HumePredictionsToS3Operator`` keeping its S3 hooks."""


@pytest.fixture
def recorded_hooks() -> Iterator[list[Any]]:
    _HookRecorder.hooks.clear()
    yield _HookRecorder.hooks
    _HookRecorder.hooks.clear()


@pytest.fixture
def padded_job(emulator: Any, connections: None) -> Iterator[str]:
    """A completed job whose artifacts and predictions are each padded to about 20 MiB (3 parts of 8 MiB)."""
    job_id = completed_job(emulator, ["What a wonderful surprise!"])
    with (
        EmulatorAdmin(emulator.url, emulator.api_key) as admin,
        admin.faults_injected(artifacts_pad_bytes=20 * MIB, predictions_pad_bytes=20 * MIB),
    ):
        yield job_id


def _parts(s3: Any, bucket: str, key: str) -> tuple[int, int]:
    """The object's size and how many parts it was uploaded in (its multipart ETag ends ``-<parts>``)."""
    head = s3.head_object(Bucket=bucket, Key=key)
    etag = head["ETag"].strip('"')
    return head["ContentLength"], int(etag.partition("-")[2] or 1)


def test_a_stream_goes_up_in_8_mib_parts_with_3_read_ahead(
    emulator: Any, s3: Any, bucket: str, run_dag: Any, padded_job: str, recorded_hooks: list[Any]
) -> None:
    key = f"bounded/{padded_job}/artifacts.zip"
    with DAG("transfer_bounded_defaults", schedule=None, start_date=START) as dag:
        RecordedArtifacts(task_id="copy", job_id=padded_job, s3_bucket=bucket, s3_key=key, replace=False)
    assert run_dag(dag)["copy"]["state"] == "success"

    (hook,) = recorded_hooks
    config = hook.transfer_config
    assert (config.multipart_threshold, config.multipart_chunksize) == (8 * MIB, 8 * MIB)
    assert (config.max_request_concurrency, config.max_in_memory_upload_chunks) == (4, 3)
    assert hook._get_caller() == "RecordedArtifacts"
    size, parts = _parts(s3, bucket, key)
    assert size > 20 * MIB
    assert parts == math.ceil(size / (8 * MIB)) == 3
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == direct_body(
        emulator, padded_job, "artifacts"
    )
    mark = {"hume-job-id": padded_job, "hume-body": "artifacts", "hume-format": "zip"}
    assert s3.head_object(Bucket=bucket, Key=key)["Metadata"] == mark, "set by the multipart upload"
    assert not s3.list_multipart_uploads(Bucket=bucket).get("Uploads")


def test_transfer_config_args_are_merged_over_the_defaults(
    emulator: Any, s3: Any, bucket: str, run_dag: Any, padded_job: str, recorded_hooks: list[Any]
) -> None:
    key = f"bounded/{padded_job}/predictions.json"
    given = {"multipart_chunksize": 5 * MIB, "max_in_memory_upload_chunks": 2}
    with DAG("transfer_bounded_given", schedule=None, start_date=START) as dag:
        RecordedPredictions(
            task_id="copy",
            job_id=padded_job,
            s3_bucket=bucket,
            s3_key=key,
            replace=True,
            transfer_config_args=given,
        )
    assert run_dag(dag)["copy"]["state"] == "success"

    config = recorded_hooks[0].transfer_config
    assert (config.multipart_threshold, config.multipart_chunksize) == (8 * MIB, 5 * MIB)
    assert (config.max_request_concurrency, config.max_in_memory_upload_chunks) == (4, 2)
    assert given == {"multipart_chunksize": 5 * MIB, "max_in_memory_upload_chunks": 2}, "left as given"
    size, parts = _parts(s3, bucket, key)
    assert parts == math.ceil(size / (5 * MIB)) == 5
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == direct_body(
        emulator, padded_job, "predictions"
    )


def test_tabular_files_go_up_with_the_same_bounded_config(
    s3: Any, bucket: str, run_dag: Any, padded_job: str, recorded_hooks: list[Any]
) -> None:
    key = f"bounded/{padded_job}/rows.jsonl"
    with DAG("transfer_bounded_jsonl", schedule=None, start_date=START) as dag:
        RecordedPredictions(
            task_id="copy",
            job_id=padded_job,
            s3_bucket=bucket,
            s3_key=key,
            replace=True,
            output_format="jsonl",
            transfer_config_args={"multipart_chunksize": 6 * MIB},
        )
    assert run_dag(dag)["copy"]["state"] == "success"

    (hook,) = recorded_hooks
    assert hook.transfer_config.multipart_chunksize == 6 * MIB
    assert hook.transfer_config.max_in_memory_upload_chunks == 3
    size, parts = _parts(s3, bucket, key)
    assert size > 8 * MIB, "the padding's frames make a multipart file"
    assert parts == math.ceil(size / (6 * MIB))
