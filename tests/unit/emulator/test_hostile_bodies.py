"""Hostile bodies get a 4xx naming the problem, never a 500 (issue 10, item 7), wherever JSON is read.

REST: a job request (JSON, or the ``json`` part of a multipart form) and the admin API's bodies answer ``400``
``{"message": "<what> is not valid JSON: <problem>"}``. Streaming: the same problems are an E0100 and the
connection stays open. The oversized-frame path through a real server is in
``tests/integration/emulator/streaming/test_stream_frame_limits.py``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient, WebSocketTestSession

from airflow_provider_hume.emulator.backend.state import EmulatorState
from airflow_provider_hume.emulator.http import request_body
from airflow_provider_hume.emulator.streaming import payload as payload_module
from airflow_provider_hume.emulator.streaming.route import STREAM_PATH
from tests.unit.emulator.conftest import API_KEY

JSON = {"Content-Type": "application/json"}
TOO_DEEP = "nesting deeper than 64 levels"

#: (name of the body in messages, how to send it) for every JSON body the REST emulator parses.
Send = Callable[[TestClient, bytes], Any]
ENDPOINTS: dict[str, tuple[str, Send]] = {
    "job json": ("request body", lambda c, raw: c.post("/v0/batch/jobs", content=raw, headers=JSON)),
    "job multipart": (
        "json part",
        lambda c, raw: c.post("/v0/batch/jobs", files=[("json", (None, raw)), ("file", ("a.txt", b"hi"))]),
    ),
    "put faults": ("request body", lambda c, raw: c.put("/_emulator/faults", content=raw, headers=JSON)),
    "patch faults": ("request body", lambda c, raw: c.patch("/_emulator/faults", content=raw, headers=JSON)),
    "fail job": ("request body", lambda c, raw: c.post("/_emulator/jobs/x/fail", content=raw, headers=JSON)),
}

#: Bodies no JSON parser should accept quietly, and the problem each one is refused for.
INVALID: dict[str, tuple[bytes, str]] = {
    "lists 1,000 deep": (b"[" * 1_000 + b"]" * 1_000, TOO_DEEP),
    "objects 1,000 deep": (b'{"a":' * 1_000 + b"1" + b"}" * 1_000, TOO_DEEP),
    "100,000 unclosed brackets": (b"[" * 100_000, TOO_DEEP),
    "65 levels under models": (
        json.dumps({"text": ["x"], "models": {"face": {"facs": json.loads("[" * 62 + "]" * 62)}}}).encode(),
        TOO_DEEP,
    ),
    "NaN": (b'{"text": ["x"], "models": {"face": {"prob_threshold": NaN}}}', "NaN is not a JSON value"),
    "Infinity": (b'{"latency_ms": Infinity}', "Infinity is not a JSON value"),
    "1e999": (b'{"error_rate": 1e999}', "number 1e999 is out of range"),
    "310-digit integer": (
        b'{"latency_ms": 1' + b"0" * 309 + b"}",
        "number 100000000000...00000000 is out of range",
    ),
    "5,000-digit integer": (
        b'{"times": ' + b"9" * 5_000 + b"}",
        "number 999999999999...99999999 is longer than 400 characters",
    ),
    "invalid UTF-8": (b'{"text": ["\xff\xfe"]}', "invalid UTF-8 at byte 11"),
    "lone surrogate": (
        b'{"message": "\\ud800", "text": ["\\ud800"]}',
        "a string holds a lone surrogate \\ud800",
    ),
    "lone surrogate key": (b'{"\\udfff": 1}', "a string holds a lone surrogate \\udfff"),
}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("body", INVALID)
def test_invalid_json_is_a_400_naming_the_problem(client: TestClient, endpoint: str, body: str) -> None:
    what, send = ENDPOINTS[endpoint]
    raw, problem = INVALID[body]
    response = send(client, raw)
    assert (response.status_code, response.json()) == (
        400,
        {"message": f"{what} is not valid JSON: {problem}"},
    )


def test_refused_bodies_change_nothing(client: TestClient, state: EmulatorState) -> None:
    faults = client.get("/_emulator/faults").json()
    for raw, _ in INVALID.values():
        for _, send in ENDPOINTS.values():
            send(client, raw)
    assert state.all_jobs() == []
    assert client.get("/_emulator/faults").json() == faults


@pytest.mark.parametrize(
    ("body", "job_message", "faults_message"),
    [
        (b"[1, 2]", "request JSON must be an object (got list)", "faults: must be a JSON object"),
        (b'"models"', "request JSON must be an object (got string)", "faults: must be a JSON object"),
        (b"3", "request JSON must be an object (got number)", "faults: must be a JSON object"),
    ],
)
def test_a_body_that_is_not_an_object(
    client: TestClient, body: bytes, job_message: str, faults_message: str
) -> None:
    assert client.post("/v0/batch/jobs", content=body, headers=JSON).json() == {"message": job_message}
    assert client.put("/_emulator/faults", content=body, headers=JSON).json() == {"message": faults_message}
    response = client.post("/_emulator/jobs/x/fail", content=body, headers=JSON)
    assert (response.status_code, response.json()) == (400, {"message": "the body must be a JSON object"})


def test_an_enormous_number_of_keys_is_one_unknown_field(client: TestClient) -> None:
    body = {"text": ["x"], **{f"key{index:06d}": index for index in range(200_000)}}
    response = client.post("/v0/batch/jobs", json=body)
    assert (response.status_code, response.json()) == (400, {"message": "unknown field 'key000000'"})
    response = client.patch("/_emulator/faults", json=body)
    assert response.status_code == 400
    assert response.json()["message"].startswith("key000000: is not a fault setting")


@pytest.mark.parametrize(
    ("body", "start"),
    [
        ({"text": ["x"], "callback_url": "x" * 4_000_000}, "callback_url must be an http(s) URL (got 'xxx"),
        (
            {"text": ["x"], "models": {"face": {"fps_pred": "9" * 4_000_000}}},
            "models.face.fps_pred must be a number",
        ),
        ({"text": ["x"], "y" * 4_000_000: 1}, "unknown field 'yyy"),
    ],
)
def test_a_multi_megabyte_string_is_quoted_shortly(
    client: TestClient, body: dict[str, Any], start: str
) -> None:
    response = client.post("/v0/batch/jobs", json=body)
    assert response.status_code == 400
    message = response.json()["message"]
    assert message.startswith(start)
    assert "characters cut...]" in message
    assert len(message) < 1_100


def test_multi_megabyte_fault_values_are_quoted_shortly(client: TestClient) -> None:
    for body in ({"routes": ["x" * 4_000_000]}, {"error_statuses": "5" * 4_000_000}):
        response = client.put("/_emulator/faults", json=body)
        assert response.status_code == 400
        assert len(response.json()["message"]) < 1_100


def test_admin_bodies_are_capped_like_job_bodies(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(request_body, "MAX_JSON_BYTES", 1024)
    body = json.dumps({"job_failure_message": "x" * 2048}).encode()
    for response in (
        client.put("/_emulator/faults", content=body, headers=JSON),
        client.post("/_emulator/jobs/x/fail", content=body, headers=JSON),
        client.post("/v0/batch/jobs", content=body, headers=JSON),
    ):
        assert (response.status_code, response.json()) == (
            400,
            {"message": "request body must be at most 1 KB"},
        )


def test_surrogate_pairs_and_large_in_range_numbers_still_work(
    client: TestClient, state: EmulatorState
) -> None:
    emoji = b'{"text": ["smile \\ud83d\\ude00"], "models": {"language": {}}}'
    response = client.post("/v0/batch/jobs", content=emoji, headers=JSON)
    assert response.status_code == 200, response.text
    details = client.get(f"/v0/batch/jobs/{response.json()['job_id']}")
    assert details.status_code == 200
    assert details.json()["request"]["text"] == ["smile \U0001f600"]
    response = client.patch("/_emulator/faults", content=b'{"times": 1' + b"0" * 299 + b"}", headers=JSON)
    assert (response.status_code, response.json()["times"]) == (200, 10**299)


def test_a_big_body_is_parsed_like_a_small_one(client: TestClient) -> None:
    """Bodies over 64 KiB are parsed in a worker thread; the answers are the same."""
    padding = "x" * (request_body.INLINE_PARSE_BYTES + 1)
    response = client.post("/v0/batch/jobs", json={"text": [padding], "models": {"language": {}}})
    assert response.status_code == 200, response.text
    deep = json.dumps({"text": [padding], "models": json.loads("[" * 64 + "]" * 64)}).encode()
    response = client.post("/v0/batch/jobs", content=deep, headers=JSON)
    assert response.json() == {"message": f"request body is not valid JSON: {TOO_DEEP}"}


# --- the streaming websocket -------------------------------------------------------------------------------


@pytest.fixture
def stream(client: TestClient) -> Iterator[WebSocketTestSession]:
    with client.websocket_connect(STREAM_PATH, headers={"X-Hume-Api-Key": API_KEY}) as connected:
        yield connected


def ask(stream: WebSocketTestSession, frame: str | bytes) -> dict[str, Any]:
    if isinstance(frame, bytes):
        stream.send_bytes(frame)
    else:
        stream.send_text(frame)
    reply: dict[str, Any] = stream.receive_json()
    return reply


STILL_OPEN = json.dumps({"payload_id": "after", "data": "hi", "raw_text": True, "models": {"language": {}}})


@pytest.mark.parametrize(
    ("frame", "problem"),
    [
        ('{"models": {"face": {"facs": ' + "[" * 62 + "]" * 62 + "}}}", TOO_DEEP),
        ('{"models": ' + '{"a": ' * 500 + "1" + "}" * 501, TOO_DEEP),
        ("[" * 1_000 + "]" * 1_000, TOO_DEEP),
        ('{"stream_window_ms": 1' + "0" * 309 + "}", "number 100000000000...00000000 is out of range"),
        ('{"stream_window_ms": 1e999}', "number 1e999 is out of range"),
        ('{"payload_id": "\\ud800", "job_details": true}', "a string holds a lone surrogate \\ud800"),
        (b'{"payload_id": "\xc3"}', "invalid UTF-8 at byte 16"),
    ],
)
def test_stream_frames_with_invalid_json_are_e0100(
    stream: WebSocketTestSession, frame: str | bytes, problem: str
) -> None:
    assert ask(stream, frame) == {
        "error": f"The WebSocket request could not be parsed as valid JSON: {problem}",
        "code": "E0100",
    }
    assert ask(stream, STILL_OPEN)["payload_id"] == "after"


def test_stream_frames_nested_64_deep_are_parsed(stream: WebSocketTestSession) -> None:
    reply = ask(stream, '{"models": {"face": {"facs": ' + "[" * 61 + "]" * 61 + "}}}")
    assert reply == {"error": "models.face.facs: Input should be a valid object", "code": "E0101"}


def test_stream_size_limit_counts_utf8_bytes(
    stream: WebSocketTestSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A text frame is measured in bytes, as on the wire: 40 characters of ``é`` are 80 bytes."""
    monkeypatch.setattr(payload_module, "MAX_MESSAGE_SIZE", 64)
    frame = json.dumps({"data": "\u00e9" * 40}, ensure_ascii=False)
    assert len(frame) < 64 < len(frame.encode())
    assert ask(stream, frame) == {
        "error": f"payload: Message is too large ({len(frame.encode())} bytes); the limit is 64 bytes",
        "code": "E0101",
    }
    assert ask(stream, "{}") == {}


def test_stream_error_quoting_a_huge_key_is_short(stream: WebSocketTestSession) -> None:
    reply = ask(stream, json.dumps({"k" * 4_000_000: 1}))
    assert reply["code"] == "E0101"
    assert reply["error"].startswith("kkk")
    assert reply["error"].endswith("kkk: Extra inputs are not permitted")
    assert len(reply["error"]) < 1_100
