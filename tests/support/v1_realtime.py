"""Media and a server for the ``v1`` realtime tests: speech-like PCM, JPEG frames with chosen faces, and the
realtime router on a real uvicorn server in a thread (loopback, ephemeral port)."""

from __future__ import annotations

import io
import json
import math
import secrets
import socket
import threading
import time
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn
from fastapi import FastAPI
from PIL import Image

from airflow_provider_hume.emulator.backend.settings import EmulatorSettings, V1Settings
from airflow_provider_hume.emulator.backend.state import EmulatorState
from airflow_provider_hume.emulator.v1.realtime.route import realtime_router
from airflow_provider_hume.emulator.v1.realtime.shutdown import ShutdownSwitch
from airflow_provider_hume.emulator.v1.room import V1Room
from airflow_provider_hume.emulator.v1.runs import RunStore

START_DEADLINE_SECONDS = 10.0
FRAME_BYTES = 3200


def speech_pcm(total_ms: int, start_ms: int = 0, end_ms: int | None = None) -> bytes:
    """``total_ms`` of 16 kHz s16le mono: silence, then a loud tone from ``start_ms`` to ``end_ms``."""
    end_ms = total_ms if end_ms is None else end_ms
    samples = array("h", bytes(total_ms * 32))
    for index in range(start_ms * 16, end_ms * 16):
        samples[index] = int(8000 * math.sin(2 * math.pi * 220 * index / 16000))
    return samples.tobytes()


def frames_of(pcm: bytes, size: int = FRAME_BYTES) -> list[bytes]:
    """``pcm`` cut into frames of ``size`` bytes (the last may be shorter)."""
    return [pcm[offset : offset + size] for offset in range(0, len(pcm), size)]


def jpeg_with_faces(faces: list[list[float]], width: int = 640, height: int = 480) -> bytes:
    """A JPEG whose emulator faces are ``[[x0, y0, x1, y1, confidence], ...]``."""
    out = io.BytesIO()
    comment = b"hume-emulator-faces:" + json.dumps(faces).encode()
    Image.new("RGB", (width, height), (120, 90, 60)).save(out, format="JPEG", comment=comment)
    return out.getvalue()


@dataclass(frozen=True)
class RealtimeServer:
    """Where the realtime routes listen, the key they accept, and the records behind them."""

    http_url: str
    api_key: str
    runs: RunStore
    state: EmulatorState
    switch: ShutdownSwitch

    @property
    def ws_url(self) -> str:
        return "ws" + self.http_url.removeprefix("http")


@contextmanager
def realtime_server(settings: V1Settings) -> Iterator[RealtimeServer]:
    """Serve the realtime router (with the ``v1`` ``settings``) until the block ends."""
    api_key = secrets.token_hex(24)
    state = EmulatorState([api_key], settings=EmulatorSettings(v1=settings))
    room = V1Room(state)
    switch = ShutdownSwitch()
    app = FastAPI()
    app.include_router(realtime_router(room, switch))
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", access_log=False, ws_max_size=8 * 1024 * 1024)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + START_DEADLINE_SECONDS
        while not server.started:
            assert thread.is_alive(), "uvicorn stopped while starting"
            assert time.monotonic() < deadline, "uvicorn did not start in time"
            time.sleep(0.01)
        yield RealtimeServer(f"http://127.0.0.1:{port}", api_key, room.runs, state, switch)
    finally:
        server.should_exit = True
        thread.join(START_DEADLINE_SECONDS)
        listener.close()
        state.close()
