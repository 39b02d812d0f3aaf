"""Fixtures for streaming unit tests: an app with only the stream router, a connected socket, media."""

from __future__ import annotations

import base64
import io
import json
import math
import struct
import wave
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from PIL import Image, ImageDraw
from starlette.testclient import TestClient, WebSocketTestSession

from airflow_provider_hume.emulator.backend.state import EmulatorState
from airflow_provider_hume.emulator.streaming.route import STREAM_PATH, stream_router

REFERENCE = Path(__file__).resolve().parents[3] / "fixtures" / "reference" / "hume_stream_reference.json"
IDLE_SECONDS = 30.0

Ask = Callable[..., dict[str, Any]]


class Media:
    """Small synthetic media, built here so each test states exactly what it sends."""

    @staticmethod
    def b64(content: bytes) -> str:
        return base64.b64encode(content).decode()

    @staticmethod
    def wav(seconds: float, *, silent: bool = False, rate: int = 8000, width: int = 2) -> bytes:
        amplitude = 0 if silent else 2 ** (8 * width - 2)
        frames = bytearray()
        for index in range(round(seconds * rate)):
            sample = round(amplitude * math.sin(2 * math.pi * 220 * index / rate))
            if width == 1:
                frames += struct.pack("<B", 128 + sample)
            else:
                frames += sample.to_bytes(width, "little", signed=True)
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(width)
            wav.setframerate(rate)
            wav.writeframes(bytes(frames))
        return buffer.getvalue()

    @staticmethod
    def image(width: int = 640, height: int = 480, *, blank: bool = False, fmt: str = "PNG") -> bytes:
        picture = Image.new("RGB", (width, height), (70, 120, 200))
        if not blank:
            ImageDraw.Draw(picture).ellipse(
                (width // 3, height // 4, 2 * width // 3, 3 * height // 4), fill=(230, 190, 160)
            )
        buffer = io.BytesIO()
        picture.save(buffer, format=fmt)
        return buffer.getvalue()

    @staticmethod
    def landmarks(faces: int, *, points: int = 478) -> bytes:
        mesh = [[[round(0.001 * point, 3), 0.5, 0.0] for point in range(points)] for _ in range(faces)]
        return json.dumps(mesh).encode()


@pytest.fixture
def media() -> Media:
    return Media()


@pytest.fixture
def reference() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(REFERENCE.read_text())
    return loaded


@pytest.fixture
def make_client(state: EmulatorState) -> Iterator[Callable[..., TestClient]]:
    """Build a test client serving the stream route with the given router options."""
    clients: list[TestClient] = []

    def _make(**options: Any) -> TestClient:
        app = FastAPI()
        app.include_router(stream_router(state, **{"idle_timeout_seconds": IDLE_SECONDS, **options}))
        client = TestClient(app)
        clients.append(client.__enter__())
        return client

    yield _make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def stream_client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


@pytest.fixture
def socket(stream_client: TestClient, api_key: str) -> Iterator[WebSocketTestSession]:
    with stream_client.websocket_connect(STREAM_PATH, headers={"X-Hume-Api-Key": api_key}) as connected:
        yield connected


def asker(connected: WebSocketTestSession) -> Ask:
    """Send one payload (keyword arguments, or a raw ``frame``) and return the one reply."""

    def _ask(frame: str | bytes | None = None, **payload: Any) -> dict[str, Any]:
        if frame is None:
            connected.send_text(json.dumps(payload))
        elif isinstance(frame, bytes):
            connected.send_bytes(frame)
        else:
            connected.send_text(frame)
        reply: dict[str, Any] = connected.receive_json()
        return reply

    return _ask


@pytest.fixture
def ask(socket: WebSocketTestSession) -> Ask:
    return asker(socket)


@pytest.fixture
def ask_top_level(make_client: Callable[..., TestClient], api_key: str) -> Iterator[Ask]:
    """``ask`` on a server that sends warnings in the top-level form."""
    client = make_client(warnings_top_level=True)
    with client.websocket_connect(STREAM_PATH, headers={"X-Hume-Api-Key": api_key}) as connected:
        yield asker(connected)
