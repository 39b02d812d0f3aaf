"""OpenLineage facets of the submit operator and the transfers after their ``execute`` ran for real."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from openlineage.client.serde import Serde

from airflow_provider_hume.client import HumeBatchClient
from airflow_provider_hume.operators.batch import HumeBatchSubmitOperator
from airflow_provider_hume.transfers import HumeArtifactsToS3Operator, HumePredictionsToS3Operator

DATA = Path(__file__).resolve().parents[3] / "dags" / "data"
ALL_MODELS = ["face", "burst", "prosody", "language", "ner", "facemesh"]


class _TI:
    def __init__(self) -> None:
        self.xcom: dict[str, Any] = {}

    def xcom_push(self, key: str, value: Any) -> None:
        self.xcom[key] = value


def _pairs(datasets: Any) -> list[tuple[str, str]]:
    return [(d.namespace, d.name) for d in datasets]


def _wait_completed(emulator: Any, job_id: str) -> None:
    with HumeBatchClient(emulator.api_key, emulator.url) as client:
        while client.get_job_details(job_id).state.status.value != "COMPLETED":
            client.list_jobs()  # a round trip instead of a sleep; emulator jobs end in under a second


def test_submit_facets_name_every_input_and_the_job(
    connections: None, emulator: Any, bucket: str, s3: Any
) -> None:
    wav = DATA / "call_snippet.wav"
    s3.put_object(Bucket=bucket, Key="lineage/in/call.wav", Body=wav.read_bytes())
    op = HumeBatchSubmitOperator(
        task_id="submit",
        urls=["http://127.0.0.1:9/media/a.wav?token=secret", f"s3://{bucket}/lineage/in/"],
        files=[str(wav)],
        text=["Hello"],
    )
    job_id = op.execute({"ti": _TI()})  # type: ignore[arg-type]

    lineage = op.get_openlineage_facets_on_complete(None)
    assert _pairs(lineage.inputs) == [
        ("http://127.0.0.1:9", "/media/a.wav"),
        (f"file://{socket.gethostname()}", str(wav)),
        (f"s3://{bucket}", "lineage/in/call.wav"),
    ]
    facet = json.loads(Serde.to_json(lineage.run_facets["hume_job"]))
    emulator_host = urlsplit(emulator.url).netloc
    assert facet["job_id"] == job_id
    assert facet["models"] == ALL_MODELS
    assert facet["base_url"] == emulator_host
    assert emulator.api_key not in Serde.to_json(lineage.run_facets["hume_job"]) + repr(lineage)


def test_facets_after_a_deferral_come_from_the_trigger_event(connections: None, emulator: Any) -> None:
    fresh = HumeBatchSubmitOperator(
        task_id="submit", text=["Hi"], models={"language": {}}, wait_for_completion=True, deferrable=True
    )
    fresh.execute_complete({}, {"status": "success", "job_id": "job-42", "message": "done"})  # type: ignore[arg-type]
    facet = fresh.get_openlineage_facets_on_complete(None).run_facets["hume_job"]
    assert (facet.job_id, facet.models) == ("job-42", ["language"])  # type: ignore[attr-defined]


def test_transfer_facets_list_every_object_written(
    connections: None, emulator: Any, bucket: str, s3: Any
) -> None:
    job_id = HumeBatchSubmitOperator(task_id="submit", text=["What a wonderful surprise!"]).execute(
        {"ti": _TI()}  # type: ignore[arg-type]
    )
    _wait_completed(emulator, job_id)
    raw = HumePredictionsToS3Operator(
        task_id="p", job_id=job_id, s3_bucket=bucket, s3_key=f"lin/{job_id}/p.json", replace=True
    )
    raw.execute({})  # type: ignore[arg-type]
    assert _pairs(raw.get_openlineage_facets_on_complete(None).outputs) == [
        (f"s3://{bucket}", f"lin/{job_id}/p.json")
    ]
    artifacts = HumeArtifactsToS3Operator(
        task_id="a", job_id=job_id, s3_bucket=bucket, s3_key=f"lin/{job_id}/a.zip", replace=True
    )
    artifacts.execute({})  # type: ignore[arg-type]
    assert _pairs(artifacts.get_openlineage_facets_on_complete(None).outputs) == [
        (f"s3://{bucket}", f"lin/{job_id}/a.zip")
    ]
    tables = HumePredictionsToS3Operator(
        task_id="t",
        job_id=job_id,
        s3_bucket=bucket,
        s3_key=f"lin/{job_id}/p.csv",
        replace=True,
        output_format="csv",
    )
    written = tables.execute({})  # type: ignore[arg-type]
    outputs = _pairs(tables.get_openlineage_facets_on_complete(None).outputs)
    assert outputs == [(f"s3://{bucket}", uri.split("/", 3)[3]) for uri in written]
    assert len(outputs) >= 1
