"""``HumeMeasureAudioOperator`` on a stub ``v1`` client and in-memory S3: outputs, staging, retries."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from airflow.sdk.exceptions import AirflowException, AirflowFailException

# Imported while collecting, outside the unit guard: OpenLineage probes the platform with a process.
import airflow_provider_hume.lineage  # noqa: F401
from airflow_provider_hume.client import HumeServerError
from airflow_provider_hume.client.v1 import HumeMediaError, HumeUploadOutcomeUnknownError
from airflow_provider_hume.operators._v1_uploads import UPLOADS_STATE_KEY
from airflow_provider_hume.operators.measure_audio import HumeMeasureAudioOperator
from tests.unit.airflow.conftest import Logs
from tests.unit.airflow.stubs import FakeStateStore, FakeTaskInstance, context
from tests.unit.airflow.v1.v1_stubs import BUCKET, T0, Script, StubV1Hook, lost_run, write_wav

OUT = f"s3://{BUCKET}/out/calls.jsonl"
#: Small enough that 10 s of audio (320 kB) needs three requests.
SMALL_REQUEST = 200_000


def operator(script: Script, sources: Any, **kwargs: Any) -> HumeMeasureAudioOperator:
    task = HumeMeasureAudioOperator(
        task_id="measure", sources=sources, output_uri=OUT, aws_conn_id=None, **kwargs
    )
    task.hook = StubV1Hook(script)
    return task


def lines(s3: Any, key: str = "out/calls.jsonl") -> list[dict[str, Any]]:
    body = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read().decode()
    return [json.loads(line) for line in body.splitlines()]


def keys(s3: Any, prefix: str = "") -> list[str]:
    return [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])]


@pytest.fixture
def calls(tmp_path: Path) -> list[str]:
    """A short 16 kHz WAV and a 10 s one (three requests with ``SMALL_REQUEST``)."""
    return [str(write_wav(tmp_path / "short.wav", 4)), str(write_wav(tmp_path / "long.wav", 10))]


# Arguments, checked when the DAG is parsed


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"measurement_timer_ms": 2999}, "measurement_timer_ms must be >= 3000"),
        ({"measurement_timer_ms": 10001}, "measurement_timer_ms must be between 3000 and 10000"),
        ({"on_error": "ignore"}, "on_error must be one of fail, skip"),
        ({"max_concurrency": 0}, "max_concurrency must be an integer >= 1"),
        ({"max_request_bytes": 26_000_000}, "max_request_bytes must be an integer from"),
        ({"output_format": "xlsx"}, "output_format must be one of jsonl, csv, parquet"),
    ],
)
def test_bad_arguments_fail_when_the_dag_is_parsed(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        HumeMeasureAudioOperator(task_id="m", sources=["a.wav"], output_uri=OUT, **kwargs)


# Checks before any request


def test_a_missing_file_fails_before_any_request(s3: Any, script: Script, calls: list[str]) -> None:
    with pytest.raises(
        AirflowFailException, match=r"sources\[1\]: /nowhere/x.mp3 does not exist; check the path"
    ):
        operator(script, [calls[0], "/nowhere/x.mp3"]).execute(context())
    assert script.calls == []


def test_a_missing_s3_key_and_an_empty_prefix_name_themselves(s3: Any, script: Script) -> None:
    with pytest.raises(AirflowFailException, match=f"s3://{BUCKET}/in/none.wav does not exist"):
        operator(script, [f"s3://{BUCKET}/in/none.wav"]).execute(context())
    with pytest.raises(AirflowFailException, match=f"s3://{BUCKET}/empty/ holds no objects"):
        operator(script, f"s3://{BUCKET}/empty/").execute(context())
    assert script.calls == []


def test_mp3_without_pyav_names_the_extra_before_any_request(
    s3: Any, script: Script, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mp3 = tmp_path / "call.mp3"
    mp3.write_bytes(b"\xff\xfb" + bytes(400))
    monkeypatch.setattr("importlib.util.find_spec", lambda name, *a: None if name == "av" else object())
    with pytest.raises(
        AirflowFailException,
        match=r"call.mp3 must be converted .*pip install 'airflow-provider-hume\[media\]'",
    ):
        operator(script, [str(mp3)]).execute(context())
    assert script.calls == []


# A run


def test_files_are_measured_split_stitched_and_summarised(
    s3: Any, script: Script, calls: list[str], logs: Logs
) -> None:
    ti = FakeTaskInstance()
    summary = operator(script, calls, max_request_bytes=SMALL_REQUEST, output_format="csv").execute(
        context(ti)
    )
    short, long = lines(s3)
    assert [short["source"], long["source"]] == calls
    assert short["status"] == long["status"] == "measured"
    assert len(short["chunks"]) == 1
    assert len(long["chunks"]) == 3
    offsets = [chunk["offset_ms"] for chunk in long["chunks"]]
    assert offsets[0] == 0
    assert offsets == sorted(offsets)
    assert offsets[1] > 0
    ids = [m["measurement_id"] for m in long["measurements"]]
    assert ids == list(range(len(ids))), "measurement ids are renumbered across chunks"
    assert max(m["audio_end_ms"] for m in long["measurements"]) > offsets[2], (
        "times are on the file's timeline"
    )
    assert summary["files"] == 2
    assert summary["measured"] == 2
    assert summary["failed"] == 0
    assert summary["run_count"] == 4 == summary["requests_sent"]
    assert summary["metered_seconds"] == pytest.approx(10 + 10 * 3)  # 10 s minimum per request
    assert summary["metered_seconds_source"] == "runs"
    assert summary["table_uri"] == f"s3://{BUCKET}/out/calls.csv"
    table = s3.get_object(Bucket=BUCKET, Key="out/calls.csv")["Body"].read().decode().splitlines()
    assert table[0].startswith("source,run_id,measurement_id,utterance_id,audio_start_ms")
    assert len(table) - 1 == summary["rows"] == summary["measurements"]
    assert keys(s3, "out/calls.jsonl.staging/") == [], "staging is removed once the outputs are written"
    assert "chunk 3/3" in logs.text
    assert json.dumps(summary).count("utterances") <= 1, "XCom holds a summary, not results"


def test_on_error_skip_keeps_the_failure_line_and_succeeds(s3: Any, script: Script, calls: list[str]) -> None:
    script.errors_by_name["short.wav"] = HumeMediaError("short.wav: audio_decode_failed")
    summary = operator(script, calls, on_error="skip").execute(context())
    short, long = lines(s3)
    assert short["status"] == "failed"
    assert "audio_decode_failed" in short["error"]
    assert long["status"] == "measured"
    assert summary["failed"] == 1
    assert summary["failures"][0]["source"] == calls[0]


def test_on_error_fail_writes_everything_then_fails_without_retry_for_bad_media(
    s3: Any, script: Script, calls: list[str]
) -> None:
    script.errors_by_name["short.wav"] = HumeMediaError("short.wav: audio_decode_failed")
    ti = FakeTaskInstance()
    with pytest.raises(AirflowFailException, match=r"1 of 2 file\(s\) failed: .*short.wav"):
        operator(script, calls).execute(context(ti))
    assert [line["status"] for line in lines(s3)] == ["failed", "measured"]
    assert ti.xcom["summary"]["measured"] == 1


def test_a_retry_sends_only_what_was_not_staged(
    s3: Any, script: Script, calls: list[str], logs: Logs
) -> None:
    script.errors_by_call[3] = HumeServerError("Hume failed with 503 server_busy")
    with pytest.raises(AirflowException, match="1 of 2 file") as failed:
        operator(script, calls, max_request_bytes=SMALL_REQUEST, max_concurrency=1).execute(context())
    assert not isinstance(failed.value, AirflowFailException), "a 503 is worth a retry"
    sent_first = len(script.runs)
    assert sent_first == 3  # the short file and two of the long file's three chunks
    summary = operator(script, calls, max_request_bytes=SMALL_REQUEST, max_concurrency=1).execute(context())
    assert len(script.runs) == sent_first + 1, "only the failed chunk is sent again"
    assert summary["measured"] == 2
    assert summary["requests_sent"] == 1
    assert "measured by an earlier try, not sent again" in logs.text
    assert "staged by an earlier try, not sent again" in logs.text
    assert summary["run_count"] == 4


def test_a_lost_answer_is_reported_as_billed_and_sent_again(
    s3: Any, script: Script, calls: list[str], logs: Logs
) -> None:
    script.errors_by_call[1] = HumeUploadOutcomeUnknownError(
        "no answer", started_after=T0, endpoint="audio", media_bytes=1
    )
    script.lost_runs.append(lost_run("run-billed-lost"))
    summary = operator(script, calls[:1]).execute(context())
    assert summary["measured"] == 1
    assert "billed in run run-billed-lost" in logs.at("warning")
    assert summary["lost_runs"][0]["run_id"] == "run-billed-lost"
    assert summary["metered_seconds"] == pytest.approx(10 + 12.5)


def test_reupload_lost_false_fails_naming_the_billed_run(s3: Any, script: Script, calls: list[str]) -> None:
    script.errors_by_call[1] = HumeUploadOutcomeUnknownError(
        "no answer", started_after=T0, endpoint="audio", media_bytes=1
    )
    script.lost_runs.append(lost_run("run-billed-lost"))
    with pytest.raises(AirflowFailException, match=r"billed in run run-billed-lost .* reupload_lost=False"):
        operator(script, calls[:1], reupload_lost=False).execute(context())
    assert len(script.runs) == 0


def test_an_earlier_try_without_an_answer_is_looked_up_before_sending_again(
    s3: Any, script: Script, calls: list[str], logs: Logs
) -> None:
    store = FakeStateStore()
    store.set(
        UPLOADS_STATE_KEY,
        {
            "chunks/abc/00000.json": {
                "source": calls[0],
                "index": 0,
                "endpoint": "audio",
                "media_bytes": 128044,
                "started_at": T0.isoformat(),
            }
        },
    )
    script.lost_runs.append(lost_run("run-from-try-1"))
    summary = operator(script, calls[:1]).execute(context(store=store))
    assert script.lookups == [("audio", T0, 128044)]
    assert "billed in run run-from-try-1" in logs.at("warning")
    assert summary["measured"] == 1
    assert store.get(UPLOADS_STATE_KEY) is None, "every intent is cleared once its result is staged"


def test_intents_are_recorded_before_sending(s3: Any, script: Script, calls: list[str]) -> None:
    store = FakeStateStore()
    seen: list[Any] = []
    original = script.maybe_fail

    def spy(name: str) -> None:
        seen.append(dict(store.get(UPLOADS_STATE_KEY) or {}))
        original(name)

    script.maybe_fail = spy  # type: ignore[method-assign]
    operator(script, calls[:1]).execute(context(store=store))
    assert len(seen) == 1
    assert len(seen[0]) == 1
    (intent,) = seen[0].values()
    assert intent["source"] == calls[0]
    assert intent["index"] == 0
    assert intent["endpoint"] == "audio"


def test_s3_sources_and_prefixes(s3: Any, script: Script, calls: list[str]) -> None:
    for path in calls:
        s3.upload_file(path, BUCKET, f"in/day/{Path(path).name}")
    summary = operator(script, [f"s3://{BUCKET}/in/day/"]).execute(context())
    sources = [line["source"] for line in lines(s3)]
    assert sources == [f"s3://{BUCKET}/in/day/long.wav", f"s3://{BUCKET}/in/day/short.wav"]
    assert summary["measured"] == 2


def test_lineage_names_the_files_read_and_the_objects_written(
    s3: Any, script: Script, calls: list[str]
) -> None:
    task = operator(script, calls[:1], output_format="parquet")
    task.execute(context())
    facets = task.get_openlineage_facets_on_complete(None)
    assert [dataset.name for dataset in facets.inputs] == [calls[0]]
    assert [(d.namespace, d.name) for d in facets.outputs] == [
        (f"s3://{BUCKET}", "out/calls.jsonl"),
        (f"s3://{BUCKET}", "out/calls.parquet"),
    ]


def test_an_empty_prefix_with_allow_empty_writes_empty_outputs(s3: Any, script: Script) -> None:
    summary = operator(
        script, f"s3://{BUCKET}/calls/quiet-day/", allow_empty=True, output_format="csv"
    ).execute(context())
    assert lines(s3) == []
    assert summary["files"] == 0
    assert summary["metered_seconds"] == 0
    assert (
        s3.get_object(Bucket=BUCKET, Key="out/calls.csv")["Body"].read().decode().startswith("source,run_id")
    )
    assert script.calls == []


def test_runs_with_staged_results_are_never_taken_for_the_lost_one(
    s3: Any, script: Script, calls: list[str], logs: Logs
) -> None:
    staged = {"result": {"run_id": "run-known"}, "started_at": T0.isoformat()}
    s3.put_object(Bucket=BUCKET, Key="out/calls.jsonl.staging/chunks/x/00000.json", Body=json.dumps(staged))
    store = FakeStateStore()
    intent = {
        "source": calls[0],
        "index": 0,
        "endpoint": "audio",
        "media_bytes": 1,
        "started_at": T0.isoformat(),
    }
    store.set(UPLOADS_STATE_KEY, {"chunks/y/00000.json": intent})
    known, lost = lost_run("run-known"), lost_run("run-really-lost")
    script.lost_runs += [
        type(known)(**{**known.__dict__, "started_at": T0 + timedelta(seconds=1)}),
        type(lost)(**{**lost.__dict__, "started_at": T0 + timedelta(seconds=2)}),
    ]
    summary = operator(script, calls[:1]).execute(context(store=store))
    assert [item["run_id"] for item in summary["lost_runs"]] == ["run-really-lost"]
    assert "billed in run run-really-lost" in logs.at("warning")
