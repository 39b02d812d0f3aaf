"""``s3://`` inputs of HumeBatchSubmitOperator while S3 misbehaves: a fault proxy sits before moto's server.

The ``aws_default`` connection points at the proxy, which passes requests to the loopback S3 server and
changes the answers a test asks for: a ``503 SlowDown`` on ``ListObjectsV2``, a ``500`` on ``HeadObject``, a
``GetObject`` body cut in the middle (a reset, or a clean close short of its length). What must hold:

* an S3 error that passes is absorbed by boto's own retries: the task succeeds with exactly one Hume job;
* an S3 error that lasts fails the task naming it, before any Hume job is created;
* an object body cut while it streams into the multipart upload never becomes a job holding a truncated
  file: the upload to Hume fails, the emulator has no new job, and the retried task submits the whole file.

The connection asks boto for its ``standard`` retry mode with 3 attempts, so a lasting fault fails in about
a second or two (boto's default ``legacy`` mode makes 5 attempts).
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from airflow.sdk import DAG

from airflow_provider_hume.operators.batch import HumeBatchSubmitOperator
from tests.support.airflow_versions import HAS_TASK_STATE_STORE
from tests.support.fault_proxy import FaultProxy, Rule, drop_mid_body, end_early, status_after_upstream

DATA = Path(__file__).resolve().parents[3] / "dags" / "data"
START = datetime(2026, 1, 1)
AUDIO = (DATA / "call_snippet.wav").read_bytes()
#: Every attempt of a request hit for good: more than boto's attempts times the task's tries.
ALWAYS = 1000
SLOW_DOWN = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code>'
    b"<Message>Please reduce your request rate.</Message><RequestId>FAULTPROXY</RequestId></Error>"
)


@pytest.fixture
def s3_proxy(s3_server: Any) -> Iterator[FaultProxy]:
    with FaultProxy(s3_server.endpoint_url) as proxy:
        yield proxy


@pytest.fixture
def aws_via_proxy(
    connections: None, s3_server: Any, s3_proxy: FaultProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``aws_default`` pointing at the proxy, with boto's ``standard`` retries (3 attempts per call)."""
    aws = {
        "conn_type": "aws",
        "login": s3_server.access_key,
        "password": s3_server.secret_key,
        "extra": {
            "endpoint_url": s3_proxy.url,
            "region_name": s3_server.region,
            "config_kwargs": {"retries": {"mode": "standard", "total_max_attempts": 3}},
        },
    }
    monkeypatch.setenv("AIRFLOW_CONN_AWS_DEFAULT", json.dumps(aws))


def _audio_object(s3: Any, bucket: str, body: bytes = AUDIO, name: str | None = None) -> tuple[str, str]:
    """A fresh prefix holding one WAV file; returns the prefix and the key.

    The file name is unique too: a retried upload looks for the job its first try may have created by file
    name (S3 objects are known by name only), and must not find the jobs of earlier tests.
    """
    prefix = f"faults-{uuid.uuid4().hex[:8]}/"
    key = f"{prefix}{name or f'call-{uuid.uuid4().hex[:8]}.wav'}"
    s3.put_object(Bucket=bucket, Key=key, Body=body)
    return prefix, key


def _job_details(emulator: Any, job_id: str) -> dict[str, Any]:
    response = requests.get(
        f"{emulator.url}/v0/batch/jobs/{job_id}", headers={"X-Hume-Api-Key": emulator.api_key}, timeout=10
    )
    response.raise_for_status()
    details: dict[str, Any] = response.json()
    return details


def _run(run_dag: Any, emulator: Any, **kwargs: Any) -> tuple[dict[str, Any], list[str]]:
    """Run one submit task (one retry allowed); its outcome and the ids of the jobs created meanwhile."""
    before = set(emulator.server.state.job_ids())
    with DAG(f"s3_faults_{uuid.uuid4().hex[:8]}", schedule=None, start_date=START) as dag:
        HumeBatchSubmitOperator(task_id="submit", models={"prosody": {}}, retries=1, retry_delay=0, **kwargs)
    outcome = run_dag(dag)
    created = [job_id for job_id in emulator.server.state.job_ids() if job_id not in before]
    return outcome["submit"], created


def _inject_list(proxy: FaultProxy, bucket: str, times: int) -> Rule:
    """``503 SlowDown`` on ``ListObjectsV2`` (``GET /<bucket>?list-type=2&prefix=...``)."""
    return proxy.inject("GET", rf"/{bucket}/?", status_after_upstream(503, SLOW_DOWN), times=times)


def _inject_head(proxy: FaultProxy, bucket: str, times: int) -> Rule:
    """``500`` (no body, as for any ``HEAD``) on ``HeadObject``."""
    return proxy.inject("HEAD", rf"/{bucket}/.+", status_after_upstream(500, b""), times=times)


FAULTS = {
    "503 SlowDown on ListObjectsV2": (_inject_list, "urls", "{prefix}", "SlowDown", "ListObjectsV2"),
    "500 on HeadObject": (_inject_head, "urls", "{key}", "500", "HeadObject"),
    "500 on HeadObject in upload mode": (_inject_head, "files", "{key}", "500", "HeadObject"),
}


def _fault_case(name: str, s3: Any, bucket: str) -> tuple[Any, dict[str, Any], str, str]:
    inject, field, template, code, operation = FAULTS[name]
    prefix, key = _audio_object(s3, bucket)
    kwargs: dict[str, Any] = {field: [f"s3://{bucket}/" + template.format(prefix=prefix, key=key)]}
    if field == "files":
        kwargs["s3_input_mode"] = "upload"
    return inject, kwargs, code, operation


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_passing_s3_error_is_retried_by_boto_and_one_job_is_created(
    aws_via_proxy: None, s3_proxy: FaultProxy, s3: Any, bucket: str, emulator: Any, run_dag: Any, fault: str
) -> None:
    inject, kwargs, _, _ = _fault_case(fault, s3, bucket)
    rule = inject(s3_proxy, bucket, times=2)
    outcome, created = _run(run_dag, emulator, **kwargs)
    assert rule.hits == 2, "both faults were served, and boto's third attempt went through"
    assert outcome["state"] == "success"
    assert outcome["try_number"] == 1, "boto absorbed the errors: no task retry"
    assert created == [outcome["xcom"]["return_value"]]


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_lasting_s3_error_fails_the_task_before_any_hume_job(
    aws_via_proxy: None,
    s3_proxy: FaultProxy,
    s3: Any,
    bucket: str,
    emulator: Any,
    run_dag: Any,
    capfd: pytest.CaptureFixture[str],
    fault: str,
) -> None:
    inject, kwargs, code, operation = _fault_case(fault, s3, bucket)
    hume_requests = emulator.server.state.request_count()
    rule = inject(s3_proxy, bucket, times=ALWAYS)
    outcome, created = _run(run_dag, emulator, **kwargs)
    out = capfd.readouterr().out
    assert outcome["state"] == "failed"
    assert outcome["try_number"] == 2, "an S3 error may pass: the task is retried"
    assert rule.hits == 2 * 3, "3 attempts by boto in each of the 2 tries"
    assert created == []
    assert emulator.server.state.request_count() == hume_requests, "Hume was never called"
    assert f"An error occurred ({code}) when calling the {operation} operation" in out
    assert "(reached max retries: 2)" in out
    assert emulator.api_key not in out


CUTS = {
    "reset mid-body": drop_mid_body(fraction=0.5),
    "clean close short of Content-Length": end_early(fraction=0.5, keep_length=True),
}


@pytest.mark.parametrize("cut", list(CUTS))
def test_a_body_cut_mid_upload_never_becomes_a_truncated_job(
    aws_via_proxy: None,
    s3_proxy: FaultProxy,
    s3: Any,
    bucket: str,
    emulator: Any,
    run_dag: Any,
    capfd: pytest.CaptureFixture[str],
    cut: str,
) -> None:
    """The first try's upload breaks off with the S3 body; its retry submits the whole file, once."""
    prefix, key = _audio_object(s3, bucket)
    rule = s3_proxy.inject("GET", f"/{bucket}/{re.escape(key)}", CUTS[cut], times=1)
    outcome, created = _run(run_dag, emulator, files=[f"s3://{bucket}/{prefix}"], s3_input_mode="upload")
    out = capfd.readouterr().out
    assert rule.hits == 1
    assert outcome["state"] == "success"
    assert outcome["try_number"] == 2, "the first try's upload failed"
    assert created == [outcome["xcom"]["return_value"]], "one job, from the retry"
    files = _job_details(emulator, created[0])["request"]["files"]
    assert [(f["filename"], f["md5sum"]) for f in files] == [
        (key.rsplit("/", 1)[-1], hashlib.md5(AUDIO, usedforsecurity=False).hexdigest())
    ], "the job holds the whole file"
    searched = "No job matches the earlier try's submit: it created none" in out
    assert searched == HAS_TASK_STATE_STORE, "a retry searches only where try 1 left a record"


def test_a_body_cut_on_every_attempt_fails_the_task_without_any_job(
    aws_via_proxy: None,
    s3_proxy: FaultProxy,
    s3: Any,
    bucket: str,
    emulator: Any,
    run_dag: Any,
    capfd: pytest.CaptureFixture[str],
) -> None:
    _, key = _audio_object(s3, bucket)
    rule = s3_proxy.inject("GET", f"/{bucket}/{re.escape(key)}", drop_mid_body(fraction=0.5), times=ALWAYS)
    outcome, created = _run(run_dag, emulator, files=[f"s3://{bucket}/{key}"], s3_input_mode="upload")
    out = capfd.readouterr().out
    assert outcome["state"] == "failed"
    assert outcome["try_number"] == 2
    assert rule.hits == 2, "one GetObject per try: a broken body is not read again within the try"
    assert created == []
    assert emulator.api_key not in out


def test_a_retried_upload_never_adopts_another_tasks_job_for_a_same_named_object(
    aws_via_proxy: None, s3_proxy: FaultProxy, s3: Any, bucket: str, emulator: Any, run_dag: Any
) -> None:
    """Two partitions hold ``clip.wav`` with different audio; the second upload breaks once, then retries.

    The retry must submit its own file, not re-attach to the first task's job (that would hand the first
    partition's predictions to the second). Today the search for a lost submit compares S3 parts by name.
    """
    name = f"clip-{uuid.uuid4().hex[:8]}.wav"
    other = bytearray(AUDIO)
    other[-1000:] = bytes(1000)  # the same WAV header and length, other samples
    first_prefix, _ = _audio_object(s3, bucket, name=name)
    second_prefix, second_key = _audio_object(s3, bucket, body=bytes(other), name=name)
    first, first_created = _run(
        run_dag, emulator, files=[f"s3://{bucket}/{first_prefix}"], s3_input_mode="upload"
    )
    assert first["state"] == "success"
    assert len(first_created) == 1
    s3_proxy.inject("GET", f"/{bucket}/{re.escape(second_key)}", drop_mid_body(fraction=0.5), times=1)
    second, second_created = _run(
        run_dag, emulator, files=[f"s3://{bucket}/{second_prefix}"], s3_input_mode="upload"
    )
    assert second["state"] == "success"
    assert second["xcom"]["return_value"] != first_created[0], "re-attached to the other partition's job"
    assert second_created == [second["xcom"]["return_value"]]
    files = _job_details(emulator, second_created[0])["request"]["files"]
    assert [f["md5sum"] for f in files] == [hashlib.md5(bytes(other), usedforsecurity=False).hexdigest()]
