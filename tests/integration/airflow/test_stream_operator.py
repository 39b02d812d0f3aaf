"""HumeStreamOperator inside Airflow (``dag.test()``) against the emulator's websocket and the S3 server."""

from __future__ import annotations

import json
import os
import wave
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from airflow.sdk import DAG

from airflow_provider_hume.hooks.hume import HumeHook
from airflow_provider_hume.operators.stream import HumeStreamOperator, build_inputs

START = datetime(2026, 1, 1)


def write_wav(path: Path, seconds: float, rate: int = 16000) -> Path:
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(os.urandom(int(seconds * rate) * 2))
    return path


def jsonl(s3: Any, bucket: str, key: str) -> dict[str, dict[str, Any]]:
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
    return {record["id"]: record for record in map(json.loads, body.splitlines())}


def test_texts_come_back_through_xcom_in_input_order(emulator: Any, connections: None, run_dag: Any) -> None:
    texts = ["I am thrilled with the result.", "This is the worst service ever.", "Fine, I guess."]
    with DAG("stream_xcom", schedule=None, start_date=START) as dag:
        HumeStreamOperator(
            task_id="stream", texts=texts, models={"language": {"sentiment": {}}}, max_connections=2
        )
    outcome = run_dag(dag)
    assert outcome["stream"]["state"] == "success"
    results = outcome["stream"]["xcom"]["return_value"]
    assert [r["id"] for r in results] == ["text-0", "text-1", "text-2"]
    for result, text in zip(results, texts, strict=True):
        words = [p["text"] for p in result["predictions"]["language"]["predictions"]]
        assert words == text.split()
        assert result["predictions"]["language"]["predictions"][0]["sentiment"]
        assert result["error"] is None
    assert emulator.api_key not in json.dumps(outcome)


def test_files_and_texts_to_s3_json_lines_with_a_failed_input_skipped(
    emulator: Any, s3: Any, bucket: str, run_dag: Any, tmp_path: Path
) -> None:
    s3.upload_file(str(write_wav(tmp_path / "remote.wav", 2.0)), bucket, "in/remote.wav")
    not_audio = tmp_path / "notes.txt"
    not_audio.write_text("plain words, not a recording")
    files = {
        "long": str(write_wav(tmp_path / "long.wav", 11.0)),
        "remote": f"s3://{bucket}/in/remote.wav",
        "missing": f"s3://{bucket}/in/missing.wav",
        "notes": str(not_audio),
    }
    with DAG("stream_s3", schedule=None, start_date=START) as dag:
        HumeStreamOperator(
            task_id="stream",
            texts={"greeting": "Hello there, lovely to meet you."},
            files=files,
            models={"prosody": {}},
            output_s3_key=f"s3://{bucket}/out/results.jsonl",
            on_error="skip",
        )
    outcome = run_dag(dag)
    assert outcome["stream"]["state"] == "success"
    assert outcome["stream"]["xcom"]["return_value"] == f"s3://{bucket}/out/results.jsonl"
    records = jsonl(s3, bucket, "out/results.jsonl")
    assert set(records) == {"greeting", "long", "remote", "missing", "notes"}
    assert records["greeting"]["predictions"]["language"]["predictions"]
    spans = [p["time"] for p in records["long"]["predictions"]["prosody"]["predictions"]]
    assert spans[0]["begin"] == 0.0
    assert spans[-1]["end"] == pytest.approx(11.0)
    assert records["remote"]["predictions"]["prosody"]["predictions"]
    assert records["missing"]["error"]["type"] == "InputFetchError"
    assert records["notes"]["error"]["code"] == "E0102"
    assert records["notes"]["predictions"] is None


def test_on_error_fail_keeps_every_result_then_fails(
    emulator: Any, s3: Any, bucket: str, run_dag: Any, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("not media at all")
    with DAG("stream_fail", schedule=None, start_date=START) as dag:
        HumeStreamOperator(
            task_id="stream",
            texts=["All good here."],
            files=[str(bad)],
            models={"language": {}, "burst": {}},
            output_s3_bucket=bucket,
            output_s3_key="out/fail.jsonl",
            retries=1,
        )
    outcome = run_dag(dag)
    assert outcome["stream"]["state"] == "failed"
    assert outcome["stream"]["try_number"] == 1
    records = jsonl(s3, bucket, "out/fail.jsonl")
    assert records["text-0"]["error"] is None
    assert records[str(bad)]["error"]["code"] == "E0102"


def test_invalid_models_fail_before_any_connection(
    emulator: Any, connections: None, run_dag: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    with DAG("stream_invalid", schedule=None, start_date=START) as dag:
        HumeStreamOperator(task_id="stream", texts=["Hi"], models={"ner": {}}, retries=2)
        HumeStreamOperator(task_id="no_media_model", files=["x.wav"], models={"language": {}}, retries=2)
    outcome = run_dag(dag)
    assert outcome["stream"]["state"] == "failed"
    assert outcome["stream"]["try_number"] == 1
    assert outcome["no_media_model"]["state"] == "failed"
    logs = capfd.readouterr().out
    assert "models.ner is not available in Hume's streaming API" in logs
    assert "files need a media model" in logs


def test_results_too_large_for_xcom_ask_for_an_output_key(
    emulator: Any, connections: None, run_dag: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    with DAG("stream_too_big", schedule=None, start_date=START) as dag:
        HumeStreamOperator(task_id="stream", texts=["Some words here."] * 20, max_xcom_bytes=2000)
    outcome = run_dag(dag)
    assert outcome["stream"]["state"] == "failed"
    assert "set output_s3_key" in capfd.readouterr().out


def test_input_ids() -> None:
    inputs = build_inputs(["a", "b"], {"clip": "s3://b/k.wav", "local": "/data/x.wav"})
    assert [(i.id, i.text, i.path, i.uri) for i in inputs] == [
        ("text-0", "a", None, None),
        ("text-1", "b", None, None),
        ("clip", None, None, "s3://b/k.wav"),
        ("local", None, "/data/x.wav", None),
    ]
    with pytest.raises(ValueError, match="unique"):
        build_inputs({"x": "a"}, {"x": "/p.wav"})
    with pytest.raises(ValueError, match="must name one object"):
        build_inputs(None, ["s3://bucket-only"])


def test_wrong_key_fails_once_without_showing_the_key(
    emulator: Any,
    connections: None,
    run_dag: Any,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    wrong = "WrongKey" * 6
    conn = {"conn_type": "hume", "host": emulator.url, "password": wrong}
    monkeypatch.setenv("AIRFLOW_CONN_HUME_WRONG", json.dumps(conn))
    with DAG("stream_wrong_key", schedule=None, start_date=START) as dag:
        HumeStreamOperator(task_id="stream", texts=["Hi"], hume_conn_id="hume_wrong", retries=2)
    outcome = run_dag(dag)
    assert outcome["stream"]["state"] == "failed"
    assert outcome["stream"]["try_number"] == 1
    logs = capfd.readouterr().out
    assert "rejected the streaming connection's API key (HTTP 401)" in logs
    assert wrong not in logs


def test_hook_builds_the_websocket_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "AIRFLOW_CONN_HUME_TLS",
        json.dumps({"conn_type": "hume", "host": "hume.example", "password": "SecretKey123"}),
    )
    client = HumeHook("hume_tls").get_stream_client()
    assert client.url == "wss://hume.example/v0/stream/models"
    assert "SecretKey123" not in repr(client)


def test_on_error_fail_in_xcom_mode_pushes_every_result(
    emulator: Any, connections: None, run_dag: Any
) -> None:
    with DAG("stream_fail_xcom", schedule=None, start_date=START) as dag:
        HumeStreamOperator(task_id="stream", texts={"ok": "Lovely day.", "blank": "   "})
    outcome = run_dag(dag)
    assert outcome["stream"]["state"] == "failed"
    results = {r["id"]: r for r in outcome["stream"]["xcom"]["results"]}
    assert results["ok"]["error"] is None
    assert results["blank"]["error"]["type"] == "HumeValidationError"
