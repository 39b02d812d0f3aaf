"""Websocket message sizes through the real server (uvicorn buffers a whole message before the app sees it).

``EmulatorServer`` lets messages up to ``SERVER_MAX_MESSAGE_SIZE`` (32 MiB) through, so one over the
documented 16 MiB is answered with E0101 and the connection stays open, as docs/emulator.md says; uvicorn's
default cap of exactly 16 MiB closed it with 1009 instead. A frame announcing more than the server cap is
closed with 1009 before its payload is read: the test sends only the frame header. One 17 MiB frame at most
is sent.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Iterator

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosedError

from airflow_provider_hume.emulator.server import EmulatorServer
from airflow_provider_hume.emulator.streaming.payload import MAX_MESSAGE_SIZE, SERVER_MAX_MESSAGE_SIZE
from airflow_provider_hume.emulator.streaming.route import STREAM_PATH

REPLY_TIMEOUT_SECONDS = 30.0
SEVENTEEN_MIB = 17 * 1024 * 1024


@pytest.fixture(scope="module")
def stream_url() -> Iterator[str]:
    api_key = secrets.token_hex(24)
    with EmulatorServer([api_key]) as server:
        yield f"ws://127.0.0.1:{server.port}{STREAM_PATH}?apikey={api_key}"


async def reply_to(socket: ClientConnection, frame: str) -> dict[str, object]:
    await socket.send(frame)
    reply: dict[str, object] = json.loads(await asyncio.wait_for(socket.recv(), REPLY_TIMEOUT_SECONDS))
    return reply


async def test_a_message_over_16_mib_is_e0101_and_the_connection_stays_open(stream_url: str) -> None:
    head = '{"payload_id": "big", "data": "'
    frame = head + "x" * (SEVENTEEN_MIB - len(head) - 2) + '"}'
    assert len(frame) == SEVENTEEN_MIB
    async with connect(stream_url) as socket:
        assert await reply_to(socket, frame) == {
            "error": f"payload: Message is too large ({SEVENTEEN_MIB} bytes); "
            f"the limit is {MAX_MESSAGE_SIZE} bytes",
            "code": "E0101",
        }
        assert await reply_to(socket, '{"payload_id": "after"}') == {"payload_id": "after"}


async def test_a_frame_over_the_server_cap_is_closed_with_1009(stream_url: str) -> None:
    async with connect(stream_url) as socket:
        assert await reply_to(socket, '{"payload_id": "before"}') == {"payload_id": "before"}
        # FIN + text, masked, 64-bit length, then the 4-byte mask; the payload itself is never sent.
        header = bytes([0x81, 0x80 | 127]) + (SERVER_MAX_MESSAGE_SIZE + 1).to_bytes(8, "big") + bytes(4)
        socket.transport.write(header)
        with pytest.raises(ConnectionClosedError) as closed:
            await asyncio.wait_for(socket.recv(), REPLY_TIMEOUT_SECONDS)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1009
