"""The stream route on a real uvicorn server, driven by the ``websockets`` client library."""

from __future__ import annotations

import asyncio
import base64
import io
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from PIL import Image
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosedOK, InvalidStatus

from airflow_provider_hume.emulator.streaming.route import IDLE_CLOSE_CODE, idle_close_reason
from tests.support.samples import image_bytes, wav_bytes

if TYPE_CHECKING:
    from tests.integration.emulator.streaming.conftest import StreamServer

REPLY_TIMEOUT_SECONDS = 10.0


async def ask(socket: ClientConnection, payload: dict[str, Any]) -> dict[str, Any]:
    await socket.send(json.dumps(payload))
    reply: dict[str, Any] = json.loads(await asyncio.wait_for(socket.recv(), REPLY_TIMEOUT_SECONDS))
    return reply


async def test_header_key(stream_server: StreamServer) -> None:
    async with connect(
        stream_server.url, additional_headers={"X-Hume-Api-Key": stream_server.api_key}
    ) as socket:
        reply = await ask(socket, {"job_details": True, "payload_id": "h"})
    assert reply["payload_id"] == "h"
    assert len(reply["job_details"]["job_id"]) == 32


@pytest.mark.parametrize("param", ["apikey", "apiKey", "api_key"])
async def test_query_key(stream_server: StreamServer, param: str) -> None:
    async with connect(f"{stream_server.url}?{param}={stream_server.api_key}") as socket:
        reply = await ask(socket, {"data": "Hi there", "raw_text": True, "models": {"language": {}}})
    assert [prediction["text"] for prediction in reply["language"]["predictions"]] == ["Hi", "there"]


@pytest.mark.parametrize(
    ("query", "headers", "errorcode"),
    [
        ("?apikey=wrong", {}, "oauth.v2.InvalidApiKey"),
        ("", {"X-Hume-Api-Key": "wrong"}, "oauth.v2.InvalidApiKey"),
        ("", {}, "steps.oauth.v2.FailedToResolveAPIKey"),
    ],
)
async def test_bad_or_missing_key_is_refused_with_http_401(
    stream_server: StreamServer, query: str, headers: dict[str, str], errorcode: str
) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with connect(stream_server.url + query, additional_headers=headers):
            pass
    assert refused.value.response.status_code == 401
    assert json.loads(refused.value.response.body)["fault"]["detail"]["errorcode"] == errorcode


async def test_pipelined_payloads_are_answered_in_order(stream_server: StreamServer) -> None:
    blank = io.BytesIO()
    Image.new("RGB", (64, 64)).save(blank, format="PNG")
    payloads: list[dict[str, Any]] = [
        {"data": base64.b64encode(image_bytes(640, 480)).decode(), "models": {"face": {}}},
        {"data": "One. Two!", "raw_text": True, "models": {"language": {"granularity": "sentence"}}},
        {"data": base64.b64encode(wav_bytes(1.0)).decode(), "models": {"prosody": {}, "burst": {}}},
        {"data": "@@", "models": {"face": {}}},
        {"data": base64.b64encode(blank.getvalue()).decode(), "models": {"face": {}}},
        {"job_details": True},
    ]
    async with connect(
        stream_server.url, additional_headers={"X-Hume-Api-Key": stream_server.api_key}
    ) as socket:
        for index, payload in enumerate(payloads):
            await socket.send(json.dumps({**payload, "payload_id": str(index)}))
        replies = [json.loads(await asyncio.wait_for(socket.recv(), REPLY_TIMEOUT_SECONDS)) for _ in payloads]
    assert [reply["payload_id"] for reply in replies] == [str(index) for index in range(len(payloads))]
    assert "predictions" in replies[0]["face"]
    assert len(replies[1]["language"]["predictions"]) == 2
    assert set(replies[2]) == {"payload_id", "prosody", "burst"}
    assert replies[3]["code"] == "E0201"
    assert replies[4]["face"]["code"] == "W0103"
    assert len(replies[5]["job_details"]["job_id"]) == 32


async def test_idle_connection_is_closed(serve: Callable[[float], StreamServer]) -> None:
    server = serve(0.3)
    async with connect(server.url, additional_headers={"X-Hume-Api-Key": server.api_key}) as socket:
        assert await ask(socket, {"reset_stream": True}) == {}
        with pytest.raises(ConnectionClosedOK) as closed:
            await asyncio.wait_for(socket.recv(), REPLY_TIMEOUT_SECONDS)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == IDLE_CLOSE_CODE
    assert closed.value.rcvd.reason == idle_close_reason(0.3)
