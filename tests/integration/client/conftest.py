"""A fault-injecting HTTP server on loopback for the client's transport tests.

Each test scripts the answers (``server.reply(503)``, ``server.reply(drop=True)``, ...) and the server serves
them in order, one per request, recording what it received. Bodies are spooled to disk so large uploads do not
sit in memory. Only sleeps are faked (``sleeps`` records the delays the clients asked for).
"""

from __future__ import annotations

import json
import socket
import tempfile
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

API_KEY = "Sx9fQk2LmN4pR7tV1wY3zA5bC8dE0gH6jK2mP4qS7uW9xZ1a"


@dataclass(frozen=True)
class Reply:
    """One scripted answer: a response, a dropped connection, or a hang until the server stops."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False
    hang: bool = False


@dataclass(frozen=True)
class Received:
    """One request as the server saw it."""

    method: str
    target: str
    headers: Message
    body_path: Path

    @property
    def body(self) -> bytes:
        return self.body_path.read_bytes()

    def multipart(self) -> list[Message]:
        """The parts of a multipart/form-data body."""
        head = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
        return list(BytesParser().parsebytes(head + self.body).get_payload())


class FaultServer(ThreadingHTTPServer):
    """Serves scripted replies in order; unscripted requests get ``418`` so a test fails loudly."""

    daemon_threads = True

    def __init__(self, spool: Path) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.spool = spool
        self.script: deque[Reply] = deque()
        self.received: list[Received] = []
        self.stopping = threading.Event()
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def reply(
        self,
        status: int = 200,
        body: Any = b"",
        headers: dict[str, str] | None = None,
        *,
        drop: bool = False,
        hang: bool = False,
    ) -> None:
        """Queue one answer; dicts and lists are sent as JSON."""
        headers = dict(headers or {})
        if not isinstance(body, (bytes, str)):
            body = json.dumps(body)
            headers.setdefault("Content-Type", "application/json")
        raw = body.encode() if isinstance(body, str) else body
        self.script.append(Reply(status, raw, headers, drop, hang))

    def next_reply(self, received: Received) -> Reply:
        with self.lock:
            self.received.append(received)
            return self.script.popleft() if self.script else Reply(418, b"unscripted request")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FaultServer

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output clean."""

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        with self.server.lock:
            index = len(self.server.received)
        body_path = self.server.spool / f"request-{index}-{threading.get_ident()}.bin"
        with body_path.open("wb") as sink:
            self._copy_body(sink)
        reply = self.server.next_reply(Received(self.command, self.path, self.headers, body_path))
        if reply.hang:
            self.server.stopping.wait()
        if reply.drop or reply.hang:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    def _copy_body(self, sink: Any) -> None:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while size := int(self.rfile.readline().split(b";")[0], 16):
                sink.write(self.rfile.read(size))
                self.rfile.readline()
            self.rfile.readline()
            return
        remaining = int(self.headers.get("Content-Length") or 0)
        while remaining:
            chunk = self.rfile.read(min(remaining, 64 * 1024))
            if not chunk:
                return
            sink.write(chunk)
            remaining -= len(chunk)


@pytest.fixture
def server() -> Iterator[FaultServer]:
    """A fresh scripted server per test."""
    with tempfile.TemporaryDirectory(prefix="hume-fault-server-") as spool:
        fault_server = FaultServer(Path(spool))
        thread = threading.Thread(target=fault_server.serve_forever, args=(0.01,), daemon=True)
        thread.start()
        try:
            yield fault_server
        finally:
            fault_server.stopping.set()
            fault_server.shutdown()
            fault_server.server_close()
            thread.join()


@pytest.fixture
def closed_port_url() -> str:
    """A loopback URL where nothing listens: connections are refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def sleeps() -> list[float]:
    """Delays the client under test asked to sleep (recorded instead of slept)."""
    return []


@pytest.fixture
def api_key() -> str:
    return API_KEY
