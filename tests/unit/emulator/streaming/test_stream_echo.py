"""``payload_id`` and ``job_details`` (hume-api-v0.md §4.5, §8): echoed on every kind of reply."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from starlette.testclient import TestClient

from airflow_provider_hume.emulator.streaming.route import STREAM_PATH

Ask = Callable[..., dict[str, Any]]
JOB_ID = re.compile(r"[0-9a-f]{32}")
TEXT = {"data": "Hello world", "raw_text": True, "models": {"language": {}}}


def test_payload_id_is_echoed_on_predictions_errors_and_empty_replies(ask: Ask, media: Any) -> None:
    assert ask(**TEXT, payload_id="a")["payload_id"] == "a"
    assert ask(data="!!", models={"face": {}}, payload_id="b") == {
        "payload_id": "b",
        "error": "Media could not be decoded as a Base64 encoded string. "
        "To send raw text without encoding it, set raw_text to true.",
        "code": "E0201",
    }
    assert ask(**TEXT, payload_id="c", rawText=True)["payload_id"] == "c"
    assert ask(payload_id="d") == {"payload_id": "d"}
    assert ask(reset_stream=True, payload_id="") == {"payload_id": ""}


def test_payload_id_comes_first(ask: Ask) -> None:
    assert list(ask(**TEXT, payload_id="x", job_details=True)) == ["payload_id", "job_details", "language"]


def test_invalid_payload_id_is_not_echoed(ask: Ask) -> None:
    assert ask(**TEXT, payload_id=12) == {
        "error": "payload_id: Input should be a valid string",
        "code": "E0101",
    }


def test_job_details_alone(ask: Ask) -> None:
    reply = ask(job_details=True)
    assert set(reply) == {"job_details"}
    assert JOB_ID.fullmatch(reply["job_details"]["job_id"])


def test_job_details_with_data_and_on_errors(ask: Ask) -> None:
    job_id = ask(job_details=True)["job_details"]["job_id"]
    with_data = ask(**TEXT, job_details=True)
    assert with_data["job_details"] == {"job_id": job_id}
    assert with_data["language"]["predictions"]
    error = ask(data="x", models={"language": {}, "ner": {}}, raw_text=True, job_details=True)
    assert error["job_details"] == {"job_id": job_id}
    assert error["code"] == "E0101"
    assert "job_details" not in ask(**TEXT)
    assert "job_details" not in ask(**TEXT, job_details=False)


def test_one_job_id_per_connection(ask: Ask, stream_client: TestClient, api_key: str) -> None:
    first = ask(job_details=True)["job_details"]["job_id"]
    assert ask(job_details=True, reset_stream=True)["job_details"]["job_id"] == first
    with stream_client.websocket_connect(STREAM_PATH, headers={"X-Hume-Api-Key": api_key}) as other:
        other.send_json({"job_details": True})
        second = other.receive_json()["job_details"]["job_id"]
    assert JOB_ID.fullmatch(second)
    assert second != first
