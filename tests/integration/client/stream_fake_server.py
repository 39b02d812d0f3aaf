"""A small scripted stand-in for Hume's ``/v0/stream/models`` websocket, for the stream client's tests.

It runs ``websockets``' asyncio server on 127.0.0.1 (ephemeral port) in its own thread and event loop, so sync
(Airflow) and async tests can both use it. By default it answers like Hume (§4): one reply per message,
``payload_id`` echoed, language predictions per word, prosody predictions per second of WAV audio, the text
(10,000 characters, ``E0206``) and audio (5,000 ms, ``E0203``) limits. Audio is scored with the sliding
window (§4.8): a payload's window starts with up to ``stream_window_ms`` minus its length of the audio sent
before it since the last ``reset_stream``, and prosody times count from the window's start.

``script`` overrides the next replies: a dict is sent as is, ``"close"`` closes the connection without
replying, ``"stale"`` first sends a reply for another payload, ``"hang"`` never replies. Texts starting
``!error`` or ``!warn`` get an error or warning.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import io
import json
import logging
import threading
import uuid
import wave
from collections import deque
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

PATH = "/v0/stream/models"
# The server side logs handshake headers at DEBUG; keep it quiet so tests can check what the client logs.
SERVER_LOG = logging.getLogger("tests.fake_stream_server")
SERVER_LOG.setLevel(logging.INFO)


@dataclass
class Handshake:
    """One connection attempt as the server saw it."""

    path: str
    headers: Headers


@dataclass
class FakeStreamServer:
    api_key: str
    idle_timeout: float | None = None
    latency: float = 0.0
    warnings_top_level: bool = False
    script: deque[Any] = field(default_factory=deque)
    reject: deque[int] = field(default_factory=deque)
    """Statuses for the next handshakes (e.g. 503), before normal service resumes."""
    redirect_to: str | None = None
    handshakes: list[Handshake] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    idle_closes: int = 0
    open_connections: int = 0
    max_open_connections: int = 0

    def __post_init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: Server | None = None
        self.port = 0

    @property
    def url(self) -> str:
        """The base URL a client is given (it appends ``/v0/stream/models``)."""
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> FakeStreamServer:
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def __exit__(self, *exc_info: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    async def _start(self) -> Server:
        server: Server = await serve(
            self._handle,
            "127.0.0.1",
            0,
            process_request=self._check,
            max_size=64 * 1024 * 1024,
            logger=SERVER_LOG,
        )
        return server

    async def _stop(self) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    def _check(self, connection: ServerConnection, request: Request) -> Response | None:
        self.handshakes.append(Handshake(request.path, request.headers))
        if self.reject:
            return connection.respond(HTTPStatus(self.reject.popleft()), "try again later\n")
        if self.redirect_to is not None:
            response = connection.respond(HTTPStatus.FOUND, "moved\n")
            response.headers["Location"] = f"{self.redirect_to}{PATH}"
            return response
        if request.path.split("?")[0] != PATH:
            return connection.respond(HTTPStatus.NOT_FOUND, "not found\n")
        if request.headers.get("X-Hume-Api-Key") != self.api_key:
            return connection.respond(HTTPStatus.UNAUTHORIZED, "Unauthorized\n")
        return None

    async def _handle(self, connection: ServerConnection) -> None:
        session = {"job_id": uuid.uuid4().hex, "retained": 0.0}
        self.open_connections += 1
        self.max_open_connections = max(self.max_open_connections, self.open_connections)
        try:
            while True:
                try:
                    raw = await asyncio.wait_for(connection.recv(), self.idle_timeout)
                except asyncio.TimeoutError:
                    self.idle_closes += 1
                    await connection.close(1000, "idle timeout")
                    return
                message = json.loads(raw)
                self.messages.append(message)
                if self.latency:
                    await asyncio.sleep(self.latency)
                action = self.script.popleft() if self.script else None
                if action == "close":
                    await connection.close(1011, "timed out")
                    return
                if action == "hang":
                    continue
                if action == "stale":
                    await connection.send(json.dumps({"payload_id": "stale-id", "language": {}}))
                reply = action if isinstance(action, dict) else self.reply(message, session)
                reply.setdefault("payload_id", message.get("payload_id"))
                await connection.send(json.dumps(reply))
        except ConnectionClosed:
            return
        finally:
            self.open_connections -= 1

    def _warning(self, model: str, code: str, text: str) -> dict[str, Any]:
        if self.warnings_top_level:
            return {"warning": text, "code": code}
        return {model: {"warning": text, "code": code, "predictions": []}}

    def reply(self, message: dict[str, Any], session: dict[str, Any]) -> dict[str, Any]:
        """What Hume would answer to ``message`` on a connection whose state is ``session``."""
        reply: dict[str, Any] = {}
        if message.get("job_details"):
            reply["job_details"] = {"job_id": session["job_id"]}
        if message.get("reset_stream"):
            session["retained"] = 0.0
        if "data" not in message:
            return reply
        data = message["data"]
        if message.get("raw_text"):
            return {**reply, **self._text(data)}
        try:
            media = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            return {"error": "Media could not be decoded as a Base64 encoded string.", "code": "E0201"}
        if media[:4] == b"RIFF":
            window = message.get("stream_window_ms", 5000) / 1000
            return {**reply, **self._audio(media, message.get("models", {}), window, session)}
        if "facemesh" in message.get("models", {}):
            faces = json.loads(media)
            return {
                **reply,
                "facemesh": {"predictions": [{"emotions": [{"name": "Joy", "score": 0.5}]}] * len(faces)},
            }
        return {"error": "Media provided could not be parsed into a known file format.", "code": "E0200"}

    def _text(self, text: str) -> dict[str, Any]:
        if len(text) > 10_000:
            return {"error": f"Text is {len(text)} characters; the limit is 10000.", "code": "E0206"}
        if text.startswith("!error"):
            return {"error": "Scripted failure.", "code": "E0101"}
        if text.startswith("!warn"):
            return self._warning("language", "W0105", "No speech detected.")
        predictions = []
        position = 0
        for word in text.split():
            begin = text.index(word, position)
            position = begin + len(word)
            predictions.append(
                {
                    "text": word,
                    "position": {"begin": begin, "end": position},
                    "emotions": [{"name": "Joy", "score": round(len(word) / 100, 3)}],
                }
            )
        return {"language": {"predictions": predictions}}

    def _audio(
        self, media: bytes, models: dict[str, Any], window: float, session: dict[str, Any]
    ) -> dict[str, Any]:
        with wave.open(io.BytesIO(media)) as reader:
            length = reader.getnframes() / reader.getframerate()
        if length > 5.0:
            return {"error": f"Audio is {length * 1000:.0f} ms; the limit is 5000 ms.", "code": "E0203"}
        seconds = min(max(window - length, 0.0), session["retained"]) + length
        session["retained"] = min(session["retained"] + length, window)
        reply: dict[str, Any] = {}
        if "prosody" in models:
            spans = [(float(i), min(i + 1.0, seconds)) for i in range(int(-(-seconds // 1)))]
            reply["prosody"] = {
                "predictions": [
                    {"time": {"begin": b, "end": e}, "emotions": [{"name": "Calmness", "score": 0.5}]}
                    for b, e in spans
                ]
            }
        if "burst" in models:
            reply.update(self._warning("burst", "W0101", "No vocal bursts could be detected."))
        return reply
