"""HumeStreamOperator when streaming connections drop or reset: results kept, the task's outcome right.

A websocket proxy (``tests/support/ws_fault_proxy.py``) sits between the operator and the emulator. It
breaks the connection carrying a chosen payload *after* the emulator answered it, so the work was done but
its reply is lost: a TCP close without a websocket close frame (``drop``) or a TCP reset (``reset``). The
streaming client then reconnects and resends that payload (``max_retries`` times at most, with backoff);
inputs already analysed are not sent again. A payload whose connection breaks on every attempt cannot be
analysed: the task fails, naming the inputs it could not analyse, and keeps the results of the others.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from airflow.sdk import DAG

from airflow_provider_hume.operators.stream import HumeStreamOperator
from tests.support.ws_fault_proxy import WebSocketFaultProxy

START = datetime(2026, 1, 1)
#: Short texts, each with a word no other holds (``MARKERS``), so the proxy can pick the payload to break.
TEXTS = {
    "calm": "A quiet walk by the lake calmed everyone.",
    "angry": "The furious driver shouted at the traffic.",
    "tired": "After the long shift she yawned and slept.",
    "glad": "Delighted guests cheered the wonderful news.",
}
MARKERS = {"calm": "lake", "angry": "furious", "tired": "yawned", "glad": "Delighted"}
ALWAYS = 1000
MODELS = {"language": {"granularity": "word"}}


@pytest.fixture
def ws_proxy(emulator: Any) -> Iterator[WebSocketFaultProxy]:
    with WebSocketFaultProxy(emulator.url) as proxy:
        yield proxy


@pytest.fixture
def hume_via_proxy(
    connections: None, ws_proxy: WebSocketFaultProxy, emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> WebSocketFaultProxy:
    """``hume_default`` pointing at the proxy; each payload may be resent twice after a broken connection."""
    conn = {
        "conn_type": "hume",
        "host": ws_proxy.url,
        "password": emulator.api_key,
        "extra": {"max_retries": 2, "timeout": 20},
    }
    monkeypatch.setenv("AIRFLOW_CONN_HUME_DEFAULT", json.dumps(conn))
    return ws_proxy


def _jsonl(s3: Any, bucket: str, key: str) -> dict[str, dict[str, Any]]:
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
    return {record["id"]: record for record in map(json.loads, body.splitlines())}


def _words(record: dict[str, Any]) -> list[str]:
    return [p["text"] for p in record["predictions"]["language"]["predictions"]]


def _stream_dag(key: str, texts: dict[str, str], models: Any = MODELS, **kwargs: Any) -> DAG:
    with DAG(f"stream_faults_{uuid.uuid4().hex[:8]}", schedule=None, start_date=START) as dag:
        HumeStreamOperator(task_id="stream", texts=texts, models=models, output_s3_key=key, **kwargs)
    return dag


@pytest.mark.parametrize("kind", ["drop", "reset"])
def test_a_connection_broken_once_is_restored_and_every_result_kept(
    hume_via_proxy: WebSocketFaultProxy, s3: Any, bucket: str, run_dag: Any, kind: Any
) -> None:
    proxy = hume_via_proxy
    rule = proxy.inject("furious", kind=kind)
    key = f"out/{uuid.uuid4().hex[:8]}.jsonl"
    outcome = run_dag(_stream_dag(f"s3://{bucket}/{key}", TEXTS, max_connections=2))
    assert rule.hits == 1
    assert outcome["stream"]["state"] == "success"
    assert outcome["stream"]["try_number"] == 1
    records = _jsonl(s3, bucket, key)
    assert sorted(records) == sorted(TEXTS)
    for input_id, text in TEXTS.items():
        assert records[input_id]["error"] is None
        assert _words(records[input_id]) == text.split(), (
            "each word once: the resent reply replaced, not added"
        )
    assert proxy.count("furious") == 2, "the broken payload was resent once"
    assert [proxy.count(MARKERS[name]) for name in ("calm", "tired", "glad")] == [1, 1, 1]
    assert proxy.connections == 3, "two sockets, one of them reopened"


def test_a_long_input_cut_mid_way_resumes_at_the_chunk_that_was_lost(
    hume_via_proxy: WebSocketFaultProxy, s3: Any, bucket: str, run_dag: Any
) -> None:
    """A text over 10,000 characters goes as two payloads on one socket; the second one's reply is lost."""
    proxy = hume_via_proxy
    sentences = [f"Sentence {n} of the report reads calmly." for n in range(300)]
    sentences[0] = "Opening sentence says welcome."
    sentences[-1] = "Closing sentence says farewell."
    text = " ".join(sentences)
    assert len(text) > 10_000
    rule = proxy.inject("farewell", kind="reset")
    key = f"out/{uuid.uuid4().hex[:8]}.jsonl"
    models = {"language": {"granularity": "sentence"}}
    outcome = run_dag(_stream_dag(f"s3://{bucket}/{key}", {"report": text}, models, max_connections=1))
    assert rule.hits == 1
    assert outcome["stream"]["state"] == "success"
    record = _jsonl(s3, bucket, key)["report"]
    assert record["error"] is None
    predictions = record["predictions"]["language"]["predictions"]
    assert [p["text"] for p in predictions] == sentences, "every sentence once, in order"
    assert all(text[p["position"]["begin"] : p["position"]["end"]] == p["text"] for p in predictions)
    assert proxy.count("welcome") == 1, "the first chunk, answered, was not sent again"
    assert proxy.count("farewell") == 2, "the chunk whose reply was lost was resent"


@pytest.mark.parametrize("on_error", ["fail", "skip"])
def test_a_payload_that_breaks_every_connection_fails_the_task_keeping_the_other_results(
    hume_via_proxy: WebSocketFaultProxy,
    s3: Any,
    bucket: str,
    run_dag: Any,
    capfd: pytest.CaptureFixture[str],
    on_error: str,
) -> None:
    """``angry`` never gets a reply: after its retries the run stops, the task fails naming what is missing.

    A connection that cannot be restored is not an input Hume rejected, so ``on_error="skip"`` does not
    make the task succeed; either way the results of the inputs analysed before are written out.
    """
    proxy = hume_via_proxy
    rule = proxy.inject("furious", kind="drop", times=ALWAYS)
    key = f"out/{uuid.uuid4().hex[:8]}.jsonl"
    outcome = run_dag(_stream_dag(f"s3://{bucket}/{key}", TEXTS, max_connections=1, on_error=on_error))
    out = capfd.readouterr().out
    assert outcome["stream"]["state"] == "failed"
    assert rule.hits == 3, "the payload and its 2 resends"
    records = _jsonl(s3, bucket, key)
    assert records["calm"]["error"] is None, "the input analysed before the fault is kept"
    assert _words(records["calm"]) == TEXTS["calm"].split()
    assert "angry" not in records or records["angry"]["error"] is not None
    assert "Hume streaming stopped after 1 of 4 inputs; not analysed: angry, tired, glad" in out
    assert f"The results of the 1 inputs analysed are in s3://{bucket}/{key}" in out


def test_without_an_output_key_the_results_go_to_xcom_and_the_stopped_task_is_retried(
    hume_via_proxy: WebSocketFaultProxy, run_dag: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    """The same lasting fault with results returned through XCom: kept under ``results``, each try."""
    rule = hume_via_proxy.inject("furious", kind="reset", times=ALWAYS)
    with DAG(f"stream_faults_{uuid.uuid4().hex[:8]}", schedule=None, start_date=START) as dag:
        HumeStreamOperator(
            task_id="stream",
            texts=TEXTS,
            models=MODELS,
            max_connections=1,
            on_error="skip",
            retries=1,
            retry_delay=0,
        )
    outcome = run_dag(dag)
    out = capfd.readouterr().out
    assert outcome["stream"]["state"] == "failed"
    assert outcome["stream"]["try_number"] == 2, "a connection that could not be restored may be retried"
    assert rule.hits == 2 * 3
    results = outcome["stream"]["xcom"]["results"]
    assert [(r["id"], r["error"]) for r in results] == [("calm", None)]
    assert _words(results[0]) == TEXTS["calm"].split()
    assert out.count("not analysed: angry, tired, glad") == 2
    assert "The results of the 1 inputs analysed are in XCom key 'results'" in out
