"""A realtime server per test module (rate limits sped up 50 times, a test aid) and socket helpers."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from airflow_provider_hume.emulator.backend.settings import V1Settings
from tests.support.v1_realtime import RealtimeServer, realtime_server

REPLY_TIMEOUT_SECONDS = 10.0


@pytest.fixture(scope="module")
def server() -> Iterator[RealtimeServer]:
    with realtime_server(V1Settings(rate_multiplier=50.0)) as running:
        yield running


@pytest.fixture
def serve() -> Iterator[Callable[[V1Settings], RealtimeServer]]:
    """Start servers with their own ``v1`` settings; they stop when the test ends."""
    with ExitStack() as stack:
        yield lambda settings: stack.enter_context(realtime_server(settings))


async def receive(socket: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await asyncio.wait_for(socket.recv(), REPLY_TIMEOUT_SECONDS))
    return message


async def rest(socket: ClientConnection) -> list[dict[str, Any]]:
    """Every message until the server closes the connection."""

    async def read() -> list[dict[str, Any]]:
        messages = []
        with contextlib.suppress(ConnectionClosed):
            async for message in socket:
                messages.append(json.loads(message))
        return messages

    return await asyncio.wait_for(read(), REPLY_TIMEOUT_SECONDS)
