"""A real uvicorn server with only the stream router, in a thread on an ephemeral loopback port."""

from __future__ import annotations

import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

import pytest
import uvicorn
from fastapi import FastAPI

from airflow_provider_hume.emulator.backend.state import EmulatorState
from airflow_provider_hume.emulator.streaming.route import STREAM_PATH, stream_router

START_DEADLINE_SECONDS = 10.0


@dataclass(frozen=True)
class StreamServer:
    """Where the stream route listens and the key it accepts."""

    url: str
    api_key: str


@contextmanager
def serving(idle_timeout_seconds: float) -> Iterator[StreamServer]:
    """Serve the emulator app plus the stream route until the block ends."""
    api_key = secrets.token_hex(24)
    state = EmulatorState([api_key])
    app = FastAPI()
    app.include_router(stream_router(state, idle_timeout_seconds=idle_timeout_seconds))
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + START_DEADLINE_SECONDS
        while not server.started:
            assert thread.is_alive(), "uvicorn stopped while starting"
            assert time.monotonic() < deadline, "uvicorn did not start in time"
            time.sleep(0.01)
        yield StreamServer(f"ws://127.0.0.1:{port}{STREAM_PATH}", api_key)
    finally:
        server.should_exit = True
        thread.join(START_DEADLINE_SECONDS)
        listener.close()
        state.close()


@pytest.fixture(scope="module")
def stream_server() -> Iterator[StreamServer]:
    with serving(idle_timeout_seconds=30.0) as server:
        yield server


@pytest.fixture
def serve() -> Iterator[Callable[[float], StreamServer]]:
    """Start servers with their own idle timeout; they stop when the test ends."""
    with ExitStack() as stack:
        yield lambda idle_timeout_seconds: stack.enter_context(serving(idle_timeout_seconds))
