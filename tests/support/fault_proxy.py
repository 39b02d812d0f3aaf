"""A fault-injecting HTTP/1.1 proxy on loopback, between a client under test and an upstream (the emulator).

``FaultProxy(upstream_url)`` listens on ``127.0.0.1`` (an ephemeral port) and forwards every request to the
upstream, relaying its answer unchanged (``Content-Length`` kept, a chunked body re-chunked). A rule added
with :meth:`FaultProxy.inject` changes the answer of the next ``times`` requests whose method and path match
(``re.fullmatch`` on the path, without the query):

* :func:`end_early` sends the status and headers, then only the first bytes of the body and closes the
  connection cleanly: with ``keep_length=True`` the original ``Content-Length`` is kept (a body shorter than
  announced); with ``keep_length=False`` the length is removed and the body is framed by ``Connection: close``
  (a body without a length that simply ends).
* :func:`end_chunked_early` sends the first bytes of the body as chunks, then either closes the connection
  before the last (zero-length) chunk (a chunked body broken off) or, with ``last_chunk=True``, sends that
  last chunk (a server that ends its chunked body early on its own, which HTTP cannot tell from a whole body).
* :func:`drop_mid_body` sends the first bytes with the original length, then resets the connection
  (``SO_LINGER`` 0: a TCP RST, not a clean close).
* :func:`status_after_upstream` forwards the request, lets the upstream act and answer in full, then sends the
  client another status instead (502 by default): the request did reach the server.
* :func:`echo_key` answers at once, without asking the upstream, with a body echoing the request's
  ``X-Hume-Api-Key`` header (a JSON ``{"message"}`` or an HTML page; a 3xx also echoes it in ``Location``):
  a misbehaving server or gateway, to prove the client keeps the key out of every message it builds.

The cut point is ``after_bytes`` or a ``fraction`` of the body. Faulted bodies are spooled from the upstream
first (to know their length), so they are meant for test-sized bodies. Each rule counts the requests it
changed (``rule.hits``); ``proxy.requests`` lists every ``(method, path)`` seen. Use it as a context manager,
or through the ``fault_proxy`` fixture (a proxy in front of the session's emulator), imported into a test
module or conftest: ``from tests.support.fault_proxy import fault_proxy``.
"""

from __future__ import annotations

import http.client
import ipaddress
import json as json_module
import re
import shutil
import socket
import struct
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import IO, Any
from urllib.parse import urlsplit

import pytest

#: Headers that describe one connection, never forwarded (RFC 9110 §7.6.1), plus the framing the proxy sets.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "content-length",
        "host",
    }
)
COPY_BYTES = 64 * 1024
SPOOL_IN_MEMORY = 1024 * 1024
UPSTREAM_TIMEOUT = 60.0


@dataclass(frozen=True)
class EndEarly:
    """Send only the first bytes of the body, then close cleanly (see :func:`end_early`)."""

    after_bytes: int | None
    fraction: float | None
    keep_length: bool


@dataclass(frozen=True)
class EndChunkedEarly:
    """Send only the first bytes of the body as chunks, with or without the last chunk (see
    :func:`end_chunked_early`)."""

    after_bytes: int | None
    fraction: float | None
    last_chunk: bool


@dataclass(frozen=True)
class DropMidBody:
    """Send the first bytes of the body, then reset the connection (see :func:`drop_mid_body`)."""

    after_bytes: int | None
    fraction: float | None


@dataclass(frozen=True)
class StatusAfterUpstream:
    """Let the upstream answer in full, then send ``status`` instead (see :func:`status_after_upstream`)."""

    status: int
    body: bytes


@dataclass(frozen=True)
class EchoKey:
    """Answer ``status`` with a body (a 3xx: and a ``Location``) echoing the key (see :func:`echo_key`)."""

    status: int
    json: bool
    key_at: int | None


Fault = EndEarly | EndChunkedEarly | DropMidBody | StatusAfterUpstream | EchoKey
Cut = EndEarly | EndChunkedEarly | DropMidBody
#: The request header whose value :func:`echo_key` sends back.
API_KEY_HEADER = "X-Hume-Api-Key"


def _check_cut(after_bytes: int | None, fraction: float | None) -> None:
    if (after_bytes is None) == (fraction is None):
        raise ValueError("give exactly one of after_bytes and fraction")
    if after_bytes is not None and after_bytes < 0:
        raise ValueError("after_bytes must be >= 0")
    if fraction is not None and not 0 <= fraction < 1:
        raise ValueError("fraction must be in [0, 1)")


def end_early(
    after_bytes: int | None = None, *, keep_length: bool, fraction: float | None = None
) -> EndEarly:
    """Close after ``after_bytes`` (or ``fraction`` of the) body bytes; keep or drop ``Content-Length``."""
    _check_cut(after_bytes, fraction)
    return EndEarly(after_bytes, fraction, keep_length)


def end_chunked_early(
    after_bytes: int | None = None, *, last_chunk: bool, fraction: float | None = None
) -> EndChunkedEarly:
    """Send ``after_bytes`` (or ``fraction`` of the) body bytes chunked; then the last chunk, or a close."""
    _check_cut(after_bytes, fraction)
    return EndChunkedEarly(after_bytes, fraction, last_chunk)


def drop_mid_body(after_bytes: int | None = None, *, fraction: float | None = None) -> DropMidBody:
    """Reset the connection (RST) after ``after_bytes`` (or ``fraction`` of the) body bytes."""
    _check_cut(after_bytes, fraction)
    return DropMidBody(after_bytes, fraction)


def status_after_upstream(
    status: int = 502, body: bytes = b'{"message": "Bad Gateway"}'
) -> StatusAfterUpstream:
    """Forward the request (the upstream acts on it), then answer ``status`` with ``body`` instead."""
    return StatusAfterUpstream(status, body)


def echo_key(status: int = 503, *, json: bool = True, key_at: int | None = None) -> EchoKey:
    """Answer ``status`` (not forwarded upstream) with a body echoing the request's ``X-Hume-Api-Key``.

    ``json=True`` sends ``{"message": "upstream said: bad key <key>"}``, ``json=False`` a ``text/html`` page
    holding the key. ``key_at`` puts the key at that character offset of the message (JSON) or of the whole
    body (HTML), e.g. across the 500-character mark where error messages cut bodies; a 3xx also sends
    ``Location: https://login.invalid/?next=...<key>`` with the key at offset ``key_at`` of the URL.
    """
    if not 100 <= status <= 599 or status in (101, 204, 304):
        raise ValueError(f"status must be an HTTP status that carries a body, got {status}")
    if key_at is not None and key_at < 0:
        raise ValueError("key_at must be >= 0")
    return EchoKey(status, json, key_at)


def echo_key_answer(fault: EchoKey, api_key: str) -> tuple[dict[str, str], bytes]:
    """The headers (``Content-Type``, maybe ``Location``) and body :func:`echo_key` sends for ``api_key``."""
    headers: dict[str, str] = {}
    if 300 <= fault.status < 400:
        location = "https://login.invalid/?next="
        location += "n" * max((fault.key_at or 0) - len(location), 0)
        headers["Location"] = location + api_key
    if fault.json:
        message = "upstream said: bad key "
        message = message.ljust(fault.key_at, ".") if fault.key_at is not None else message
        headers["Content-Type"] = "application/json"
        return headers, json_module.dumps({"message": message + api_key}).encode("utf-8")
    head = "<html><head><title>502 Bad Gateway</title></head><body><p>Upstream rejected the key "
    if fault.key_at is not None:
        head = head.ljust(fault.key_at, ".")
    headers["Content-Type"] = "text/html; charset=utf-8"
    return headers, f"{head}{api_key}</p><hr><p>gateway</p></body></html>".encode()


@dataclass
class Rule:
    """One injected fault: for the next ``remaining`` requests matching ``method`` and ``path``."""

    method: str
    path: re.Pattern[str]
    fault: Fault
    remaining: int
    #: Requests this rule changed so far.
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        return self.remaining > 0 and self.method in ("*", method.upper()) and bool(self.path.fullmatch(path))


class FaultProxy(ThreadingHTTPServer):
    """The proxy server; start and stop it with ``with FaultProxy(url) as proxy:``."""

    daemon_threads = True

    def __init__(self, upstream_url: str) -> None:
        parts = urlsplit(upstream_url)
        if parts.scheme != "http" or not parts.hostname or parts.port is None:
            raise ValueError(f"upstream must be an http://host:port URL, got {upstream_url!r}")
        if parts.hostname != "localhost" and not ipaddress.ip_address(parts.hostname).is_loopback:
            raise ValueError(f"the fault proxy forwards to loopback only, not {parts.hostname!r}")
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.upstream_host = parts.hostname
        self.upstream_port = parts.port
        self.rules: list[Rule] = []
        self.requests: list[tuple[str, str]] = []
        #: Exceptions raised while handling a request (a client that hung up first, ...), instead of stderr.
        self.errors: list[BaseException] = []
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def inject(self, method: str, path: str, fault: Fault, *, times: int = 1) -> Rule:
        """Apply ``fault`` to the next ``times`` requests matching ``method`` (or ``*``) and ``path``."""
        if times < 1:
            raise ValueError("times must be >= 1")
        rule = Rule(method.upper(), re.compile(path), fault, times)
        with self._lock:
            self.rules.append(rule)
        return rule

    def take_rule(self, method: str, path: str) -> Rule | None:
        """Record the request; the first rule it matches, counted, or None to pass it through."""
        with self._lock:
            self.requests.append((method, path))
            for rule in self.rules:
                if rule.matches(method, path):
                    rule.remaining -= 1
                    rule.hits += 1
                    return rule
        return None

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if error is not None:
            with self._lock:
                self.errors.append(error)

    def __enter__(self) -> FaultProxy:
        self._thread = threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join()


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FaultProxy

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output clean (and the proxy silent about what it carries)."""

    def do_GET(self) -> None:
        self._proxy()

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_GET

    def _proxy(self) -> None:
        path = urlsplit(self.path).path
        rule = self.server.take_rule(self.command, path)
        fault = rule.fault if rule is not None else None
        with tempfile.SpooledTemporaryFile(SPOOL_IN_MEMORY) as request_body:
            size = self._read_request_body(request_body)
            if isinstance(fault, EchoKey):
                headers, body = echo_key_answer(fault, self.headers.get(API_KEY_HEADER, ""))
                self._answer(fault.status, body, headers)
                return
            upstream = http.client.HTTPConnection(
                self.server.upstream_host, self.server.upstream_port, timeout=UPSTREAM_TIMEOUT
            )
            try:
                upstream.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                upstream.putheader("Host", f"{self.server.upstream_host}:{self.server.upstream_port}")
                for name, value in self.headers.items():
                    if name.lower() not in HOP_BY_HOP:
                        upstream.putheader(name, value)
                if size is not None:
                    upstream.putheader("Content-Length", str(size))
                upstream.endheaders()
                request_body.seek(0)
                while chunk := request_body.read(COPY_BYTES):
                    upstream.send(chunk)
                response = upstream.getresponse()
                if fault is None:
                    self._relay(response)
                elif isinstance(fault, StatusAfterUpstream):
                    response.read()
                    self._answer(fault.status, fault.body)
                else:
                    self._cut(response, fault)
            finally:
                upstream.close()

    def _read_request_body(self, sink: IO[bytes]) -> int | None:
        """Spool the request body; its size, or None when the request had none."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            size = 0
            while chunk_size := int(self.rfile.readline().split(b";")[0], 16):
                sink.write(self.rfile.read(chunk_size))
                size += chunk_size
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):  # trailers
                pass
            return size
        length = self.headers.get("Content-Length")
        if length is None:
            return None
        remaining = int(length)
        while remaining:
            chunk = self.rfile.read(min(remaining, COPY_BYTES))
            if not chunk:
                break
            sink.write(chunk)
            remaining -= len(chunk)
        return int(length)

    def _start(self, response: http.client.HTTPResponse, framing: dict[str, str]) -> None:
        self.send_response_only(response.status, response.reason)
        for name, value in response.getheaders():
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        for name, value in framing.items():
            self.send_header(name, value)
        self.end_headers()

    def _relay(self, response: http.client.HTTPResponse) -> None:
        """Pass the answer through: with its length when it had one, re-chunked when it had none."""
        bodyless = self.command == "HEAD" or response.status in (204, 304) or 100 <= response.status < 200
        length = response.getheader("Content-Length")
        if bodyless or (length is not None and not response.chunked):
            self._start(response, {} if bodyless and length is None else {"Content-Length": length or "0"})
            if not bodyless:
                shutil.copyfileobj(response, self.wfile, COPY_BYTES)
            return
        self._start(response, {"Transfer-Encoding": "chunked"})
        while chunk := response.read1(COPY_BYTES):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        self.wfile.write(b"0\r\n\r\n")

    def _answer(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        headers = headers or {"Content-Type": "application/json"}
        self.send_response_only(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _cut(self, response: http.client.HTTPResponse, fault: Cut) -> None:
        """Send the first bytes of the whole (spooled) body, then end the connection as ``fault`` says."""
        with tempfile.SpooledTemporaryFile(SPOOL_IN_MEMORY) as body:
            shutil.copyfileobj(response, body, COPY_BYTES)
            total = body.tell()
            after = fault.after_bytes if fault.after_bytes is not None else int(total * (fault.fraction or 0))
            after = min(after, total)
            chunked = isinstance(fault, EndChunkedEarly)
            if chunked:
                framing = {"Transfer-Encoding": "chunked"}
            elif isinstance(fault, EndEarly) and not fault.keep_length:
                framing = {"Connection": "close"}
            else:
                framing = {"Content-Length": str(total)}
            self._start(response, framing)
            body.seek(0)
            remaining = after
            while remaining:
                chunk = body.read(min(remaining, COPY_BYTES))
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
                remaining -= len(chunk)
            if isinstance(fault, EndChunkedEarly) and fault.last_chunk:
                self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()
        self.close_connection = True
        if isinstance(fault, DropMidBody):
            self._reset()

    def _reset(self) -> None:
        """Close the socket with ``SO_LINGER`` 0: the kernel sends RST instead of a clean FIN."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        socket.close(self.connection.detach())


@pytest.fixture
def fault_proxy(emulator: Any) -> Iterator[FaultProxy]:
    """A :class:`FaultProxy` in front of the session's emulator (``fault_proxy.url`` replaces its URL)."""
    with FaultProxy(emulator.url) as proxy:
        yield proxy
