"""Top-level payload fields (hume-api-v0.md §4.2): JSON (E0100), snake_case keys and field types (E0101)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from airflow_provider_hume.emulator.streaming import payload as payload_module

Ask = Callable[..., dict[str, Any]]
TEXT = {"data": "Mary had a little lamb", "models": {"language": {}}, "raw_text": True}


@pytest.mark.parametrize("frame", ["{bad", "", "NaN", '{"stream_window_ms": Infinity}', "[" * 100_000])
def test_invalid_json_is_e0100(ask: Ask, frame: str) -> None:
    reply = ask(frame)
    assert reply["code"] == "E0100"
    assert reply["error"].startswith("The WebSocket request could not be parsed as valid JSON")
    assert "payload_id" not in reply


def test_binary_frame_must_be_utf8_json(ask: Ask) -> None:
    assert ask(b"\xff\xfe")["code"] == "E0100"
    assert "language" in ask(json.dumps(TEXT).encode())


@pytest.mark.parametrize("frame", ["[]", '"text"', "3", "null"])
def test_non_object_is_e0101(ask: Ask, frame: str) -> None:
    assert ask(frame) == {"error": "payload: Input should be a valid object", "code": "E0101"}


@pytest.mark.parametrize("key", ["rawText", "payloadId", "streamWindowMs", "type", "file"])
def test_unknown_top_level_key_is_e0101(ask: Ask, key: str) -> None:
    reply = ask(**TEXT, **{key: True})
    assert reply["code"] == "E0101"
    assert reply["error"] == f"{key}: Extra inputs are not permitted"


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("data", 12, "Input should be a valid string"),
        ("models", [], "Input should be a valid object"),
        ("stream_window_ms", 499, "Input should be greater than or equal to 500"),
        ("stream_window_ms", 10_001, "Input should be less than or equal to 10000"),
        ("stream_window_ms", "5000", "Input should be a valid finite number"),
        ("stream_window_ms", True, "Input should be a valid finite number"),
        ("reset_stream", "yes", "Input should be a valid boolean"),
        ("raw_text", 1, "Input should be a valid boolean"),
        ("job_details", "true", "Input should be a valid boolean"),
        ("payload_id", 7, "Input should be a valid string"),
    ],
)
def test_invalid_field_is_e0101_naming_it(ask: Ask, field: str, value: Any, problem: str) -> None:
    reply = ask(**{**TEXT, field: value})
    assert reply["code"] == "E0101"
    assert reply["error"] == f"{field}: {problem}"


@pytest.mark.parametrize("window", [500, 500.0, 10_000, 2500.5])
def test_window_bounds_are_inclusive(ask: Ask, window: float) -> None:
    assert "language" in ask(**TEXT, stream_window_ms=window)


def test_null_fields_count_as_absent(ask: Ask) -> None:
    reply = ask(**TEXT, stream_window_ms=None, reset_stream=None, job_details=None, payload_id=None)
    assert set(reply) == {"language"}


def test_data_needs_models_and_models_need_data(ask: Ask) -> None:
    assert ask(data="hello", raw_text=True) == {
        "error": "models: Field required when data is sent",
        "code": "E0101",
    }
    assert ask(models={"language": {}}) == {
        "error": "data: Field required when models are configured",
        "code": "E0101",
    }


def test_empty_payload_gets_empty_reply_as_in_the_ts_mock(ask: Ask, reference: dict[str, Any]) -> None:
    example = reference["ts_mock_channel_example"]
    assert ask(**example["publish"]) == example["subscribe"]


def test_hume_client_payloads_are_accepted(ask: Ask, reference: dict[str, Any]) -> None:
    for name, sent in reference["client_payloads"].items():
        reply = ask(**sent)
        assert reply.get("code") not in ("E0100", "E0101"), (name, reply)


def test_oversized_message_is_refused_before_parsing(ask: Ask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(payload_module, "MAX_MESSAGE_SIZE", 64)
    frame = json.dumps({**TEXT, "payload_id": "big", "data": "x" * 100})
    reply = ask(frame)
    assert reply["code"] == "E0101"
    assert reply["error"] == f"payload: Message is too large ({len(frame)} bytes); the limit is 64 bytes"
    assert "payload_id" not in reply


def test_connection_stays_open_after_errors(ask: Ask) -> None:
    assert ask("{bad")["code"] == "E0100"
    assert ask(foo=1)["code"] == "E0101"
    assert "language" in ask(**TEXT)
