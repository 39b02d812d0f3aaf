"""``HumeBatchSubmitOperator``: validation before any call, submit-once resume, waiting, deferral, lineage."""

from __future__ import annotations

import contextlib
import json
import socket
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from airflow.sdk.exceptions import AirflowException, AirflowFailException, TaskDeferred

from airflow_provider_hume.client import (
    HumeAuthError,
    HumeError,
    HumeJobFailedError,
    HumeNotFoundError,
    HumeServerError,
    JobRequest,
)
from airflow_provider_hume.links.job import XCOM_KEY
from airflow_provider_hume.operators import batch as batch_module
from airflow_provider_hume.operators.batch import HumeBatchSubmitOperator
from airflow_provider_hume.triggers.events import HumeJobTimeoutError
from airflow_provider_hume.triggers.job import HumeJobTrigger
from tests.unit.airflow.conftest import Logs
from tests.unit.airflow.stubs import (
    API_KEY,
    BASE_URL,
    JOB_ID,
    START,
    Answer,
    FakeClock,
    FakeStateStore,
    FakeTaskInstance,
    Script,
    StubClient,
    StubHook,
    context,
)

with contextlib.suppress(ImportError):  # imported at collection: croniter, under it, runs `file` once
    from airflow_provider_hume.lineage import HumeJobRunFacet

EARLIER = "job-0"
HTTP = [f"https://media.example.com/{n}.mp4" for n in range(101)]
S3 = [f"s3://bucket/{n}.wav" for n in range(101)]
LOCAL = [f"/data/{n}.wav" for n in range(101)]


def submit(answers: list[Answer] | None = None, **kwargs: Any) -> HumeBatchSubmitOperator:
    op = HumeBatchSubmitOperator(task_id="submit", **kwargs)
    op.hook = StubHook(Script(answers or ["COMPLETED"]), FakeClock())
    return op


def script(op: HumeBatchSubmitOperator) -> Script:
    assert isinstance(op.hook, StubHook)
    return op.hook.script


# Validation: every bad argument fails the task (no retries) before anything is sent


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"text": "x", "models": {"face": {"fps_pred": "x"}}}, "models.face.fps_pred must be a number"),
        ({"text": "x", "models": {"smell": {}}}, "models has unknown model 'smell'"),
        ({"text": "x", "models": {}}, "models enables no model"),
        ({"files": 123}, "files must be a string or a list of strings (got int)"),
        ({"urls": [1]}, "urls[0] must be a string (got int)"),
        ({"urls": ["ftp://x/a.wav"]}, "urls[0] must be an absolute http(s) URL"),
        ({"text": ["ok", " "]}, "text[1] must be a non-empty string"),
        ({"text": "x", "callback_url": "nope"}, "callback_url must be an absolute http(s) URL"),
        ({}, "a Hume job needs at least one input"),
        ({"urls": HTTP}, "urls has 101 entries but Hume accepts at most 100"),
        ({"files": LOCAL}, "files has 101 entries but Hume accepts at most 100"),
        ({"urls": HTTP[:60] + S3[:41]}, "urls has 101 entries (s3:// entries included)"),
        ({"urls": HTTP[:99], "files": S3[:2]}, "urls has 101 entries (s3:// entries included)"),
        (
            {"files": LOCAL[:60], "urls": S3[:41], "s3_input_mode": "upload"},
            "files has 101 entries (s3:// entries included)",
        ),
        ({"text": "x", "s3_input_mode": "download"}, "s3_input_mode must be one of ('presigned', 'upload')"),
        (
            {"urls": "s3://b/a.wav", "presigned_expiry_seconds": 0},
            "presigned_expiry_seconds must be an integer",
        ),
        ({"urls": "s3://b/a.wav", "presigned_expiry_seconds": True}, "presigned_expiry_seconds"),
        ({"urls": "s3://b/a.wav", "presigned_expiry_seconds": "3600"}, "presigned_expiry_seconds"),
        ({"urls": "s3://b/a.wav", "presigned_expiry_seconds": 7 * 86400 + 1}, "from 1 to 604800"),
        ({"urls": ["s3:///key"]}, "urls[0] must look like s3://bucket/key"),
        ({"files": ["/a.wav", "s3://my bucket/k"]}, "files[1] must look like s3://bucket/key"),
    ],
)
def test_bad_input_fails_naming_the_field_before_any_call(kwargs: dict[str, Any], fragment: str) -> None:
    op = submit(**kwargs)
    store = FakeStateStore()
    with pytest.raises(AirflowFailException) as failure:
        op.execute(context(store=store))
    assert str(failure.value).startswith("Invalid Hume job request: ")
    assert fragment in str(failure.value)
    assert (script(op).submitted, script(op).polls, store.values) == ([], 0, {})


def test_the_request_sent_is_built_from_the_arguments() -> None:
    op = submit(
        urls="https://media.example.com/a.mp4",
        text="Hello there",
        models={"language": {"granularity": "sentence"}},
        transcription=False,
        notify=True,
    )
    op.execute(context())
    (request,) = script(op).submitted
    assert isinstance(request, JobRequest)
    assert request.to_api() == {
        "models": {"language": {"granularity": "sentence"}},
        "transcription": None,
        "urls": ["https://media.example.com/a.mp4"],
        "text": ["Hello there"],
        "notify": True,
    }


# Submit once per intent: the resume steps and the task state store


def test_without_a_state_store_it_submits_and_says_a_retry_submits_again(logs: Logs) -> None:
    op = submit(text="x")
    ti = FakeTaskInstance()
    assert op.execute(context(ti)) == JOB_ID
    assert len(script(op).submitted) == 1
    assert ti.xcom["job_id"] == JOB_ID
    assert "a retry of this task submits a new job" in logs.text
    assert f"Submitted Hume job {JOB_ID}" in logs.text


def test_a_first_try_submits_once_and_remembers_the_job() -> None:
    op = submit(text="x")
    store = FakeStateStore()
    assert op.execute(context(store=store)) == JOB_ID
    assert len(script(op).submitted) == 1
    assert store.values == {HumeBatchSubmitOperator.external_id_key: JOB_ID}
    assert script(op).polls == 0


@pytest.mark.parametrize("status", ["QUEUED", "IN_PROGRESS", "COMPLETED"])
def test_a_retry_reattaches_to_a_live_or_finished_job(status: str, logs: Logs) -> None:
    op = submit([status], text="x")
    ti = FakeTaskInstance()
    store = FakeStateStore(hume_job_id=EARLIER)
    assert op.execute(context(ti, store)) == EARLIER
    assert script(op).submitted == []
    assert ti.xcom["job_id"] == EARLIER
    assert ti.xcom[XCOM_KEY].endswith(f"/jobs/{EARLIER}")
    assert f"Re-attaching to Hume job {EARLIER} ({status})" in logs.text


@pytest.mark.parametrize(
    ("answer", "status"),
    [("FAILED:bad media", "FAILED"), (HumeNotFoundError("Hume job not found (HTTP 404)", 404), "UNKNOWN")],
)
def test_a_retry_submits_anew_when_the_earlier_job_failed_or_is_unknown(
    answer: Answer, status: str, logs: Logs
) -> None:
    op = submit([answer], text="x")
    store = FakeStateStore(hume_job_id=EARLIER)
    assert op.execute(context(store=store)) == JOB_ID
    assert len(script(op).submitted) == 1
    assert store.values["hume_job_id"] == JOB_ID
    assert f"Job {EARLIER} from an earlier try is {status}; submitting a new one." in logs.at("warning")


class RefusingClient(StubClient):
    """Hume answers the submission with ``error``."""

    error: HumeError

    def submit_job(self, request: JobRequest, files: Any = ()) -> str:
        raise self.error


class RefusingHook(StubHook):
    def __init__(self, error: HumeError) -> None:
        super().__init__(Script(), FakeClock())
        self.error = error

    def get_client(self, **overrides: Any) -> StubClient:
        client = RefusingClient(self.script, self.clock)
        client.error = self.error
        return client


def test_a_rejected_key_fails_without_retries_and_a_server_error_may_retry() -> None:
    op = HumeBatchSubmitOperator(task_id="submit", text="x")
    op.hook = RefusingHook(HumeAuthError("Hume rejected the API key (HTTP 401)", 401))
    with pytest.raises(AirflowFailException, match="rejected the API key"):
        op.execute(context())
    op = HumeBatchSubmitOperator(task_id="submit", text="x")
    op.hook = RefusingHook(HumeServerError("Hume server error (HTTP 503)", 503))
    with pytest.raises(HumeServerError):
        op.execute(context())


# Waiting: not at all, on the worker, or in the triggerer


def test_without_waiting_it_returns_the_job_id_without_polling() -> None:
    op = submit(["QUEUED"], text="x", wait_for_completion=False)
    assert op.execute(context()) == JOB_ID
    assert script(op).polls == 0


def test_waiting_on_the_worker_raises_hume_message() -> None:
    op = submit(["QUEUED", "FAILED:no faces found"], text="x", wait_for_completion=True, poll_interval=3)
    with pytest.raises(HumeJobFailedError, match="no faces found"):
        op.execute(context())
    assert isinstance(op.hook, StubHook)
    assert op.hook.clock.sleeps == [3.0]


def test_deferrable_defers_after_pushing_the_job_id_and_the_link(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch_module, "time", SimpleNamespace(time=lambda: START))
    op = submit(text="x", wait_for_completion=True, deferrable=True, timeout=3600, poll_interval=20)
    ti = FakeTaskInstance()
    with pytest.raises(TaskDeferred) as deferred:
        op.execute(context(ti))
    trigger = deferred.value.trigger
    assert isinstance(trigger, HumeJobTrigger)
    _, kwargs = trigger.serialize()
    assert kwargs == {
        "job_id": JOB_ID,
        "hume_conn_id": "hume_default",
        "end_time": START + 3600,
        "poll_interval": 20,
        "max_consecutive_poll_errors": 15,
    }
    assert all(type(value) in (str, int, float) for value in kwargs.values())
    assert deferred.value.method_name == "execute_complete"
    assert ti.xcom == {"job_id": JOB_ID, XCOM_KEY: f"{BASE_URL}/_emulator/console/jobs/{JOB_ID}"}
    assert API_KEY not in json.dumps(ti.xcom)
    assert (len(script(op).submitted), script(op).polls) == (1, 0)


def test_a_task_without_xcom_stores_no_link() -> None:
    ti = FakeTaskInstance()
    submit(text="x", do_xcom_push=False).execute(context(ti))
    assert XCOM_KEY not in ti.xcom


@pytest.mark.parametrize(
    ("event", "error", "fragment"),
    [
        (
            {"status": "failed", "job_id": JOB_ID, "hume_message": "bad media"},
            HumeJobFailedError,
            "bad media",
        ),
        (
            {"status": "timeout", "job_id": JOB_ID, "message": "missed the deadline"},
            HumeJobTimeoutError,
            "missed",
        ),
        ({"status": "error", "job_id": JOB_ID, "message": "key rejected"}, AirflowException, "key rejected"),
        ({"status": "done", "job_id": JOB_ID}, AirflowException, "Invalid event"),
        (None, AirflowException, "Invalid event"),
    ],
)
def test_execute_complete_raises_for_every_outcome_but_success(
    event: dict[str, Any] | None, error: type[Exception], fragment: str
) -> None:
    with pytest.raises(error, match=fragment):
        submit(text="x").execute_complete(context(), event)


def test_execute_complete_returns_the_job_id_on_success(logs: Logs) -> None:
    op = submit(text="x")
    assert op.execute_complete(context(), {"status": "success", "job_id": JOB_ID, "message": ""}) == JOB_ID
    assert op.job_id == JOB_ID
    assert f"Hume job {JOB_ID} completed" in logs.text


# Lineage and kill


def test_lineage_lists_every_input_without_calling_hume_again(tmp_path: Path) -> None:
    pytest.importorskip("airflow.providers.openlineage")
    media = tmp_path / "call.wav"
    op = submit(
        urls="https://media.example.com/a.mp4?sig=secret", files=[str(media)], text="x", models={"face": {}}
    )
    op.execute(context())
    lineage = op.get_openlineage_facets_on_complete(None)
    assert [(d.namespace, d.name) for d in lineage.inputs] == [
        ("https://media.example.com", "/a.mp4"),
        (f"file://{socket.gethostname()}", str(media)),
    ]
    facet = lineage.run_facets["hume_job"]
    assert isinstance(facet, HumeJobRunFacet)
    assert (facet.job_id, facet.models, facet.base_url) == (JOB_ID, ["face"], "hume.stub")
    assert (len(script(op).submitted), script(op).polls) == (1, 0)


def test_lineage_without_models_names_every_model() -> None:
    pytest.importorskip("airflow.providers.openlineage")
    op = submit(text="x")
    op.execute(context())
    facet = op.get_openlineage_facets_on_complete(None).run_facets["hume_job"]
    assert isinstance(facet, HumeJobRunFacet)
    assert facet.models == ["face", "burst", "prosody", "language", "ner", "facemesh"]


def test_lineage_before_submission_names_the_s3_inputs() -> None:
    pytest.importorskip("airflow.providers.openlineage")
    op = submit(urls=["s3://bucket/in/a.wav"], files=["s3://bucket/in/b.wav"])
    lineage = op.get_openlineage_facets_on_complete(None)
    assert [(d.namespace, d.name) for d in lineage.inputs] == [
        ("s3://bucket", "in/a.wav"),
        ("s3://bucket", "in/b.wav"),
    ]
    assert lineage.run_facets == {}
    assert script(op).polls == 0


def test_on_kill_says_the_job_keeps_running(logs: Logs) -> None:
    submit(text="x").on_kill()
    assert "Hume v0 has no cancel endpoint" in logs.at("warning")
    assert "keeps running on Hume's side" in logs.at("warning")
