"""A websocket proxy on loopback that breaks streaming connections on purpose, before the emulator.

``WebSocketFaultProxy(upstream_url)`` accepts websocket connections on ``127.0.0.1`` (an ephemeral port),
opens one to the upstream for each (same path, same ``X-Hume-Api-Key``) and relays the lockstep protocol of
Hume's streaming API: a client message goes upstream, the upstream's one reply comes back. A rule added with
:meth:`WebSocketFaultProxy.inject` breaks the connection carrying the next ``times`` client messages that hold
``contains`` (any message when None), *after* the upstream has answered, so the work was done but its reply
never arrives:

* ``"drop"``: the TCP connection is closed without a websocket close frame (a middlebox or server crash);
* ``"reset"``: the connection is reset (``SO_LINGER`` 0: a TCP RST).

``proxy.messages`` lists ``(connection number, client message)`` for every message relayed or cut,
``proxy.connections`` counts the connections accepted and ``rule.hits`` the messages a rule cut. The proxy
runs its own event loop in a thread, so a client under test may run ``asyncio.run`` in the test's thread.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import struct
import threading
from dataclasses import dataclass
from types import TracebackType
from typing import Literal
from urllib.parse import urlsplit

from websockets.asyncio.client import connect
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

Cut = Literal["drop", "reset"]
API_KEY_HEADER = "X-Hume-Api-Key"
_QUIET = logging.getLogger(f"{__name__}.wire")
_QUIET.setLevel(logging.CRITICAL)
START_TIMEOUT = 10.0


@dataclass
class WsRule:
    """Cut the connection after the upstream answered the next ``remaining`` messages holding ``contains``."""

    contains: str | None
    kind: Cut
    remaining: int
    hits: int = 0

    def matches(self, message: str) -> bool:
        return self.remaining > 0 and (self.contains is None or self.contains in message)


class WebSocketFaultProxy:
    """The proxy; start and stop it with ``with WebSocketFaultProxy(url) as proxy:``."""

    def __init__(self, upstream_url: str) -> None:
        parts = urlsplit(upstream_url)
        if parts.scheme not in ("http", "ws") or not parts.hostname or parts.port is None:
            raise ValueError(f"upstream must be an http://host:port URL, got {upstream_url!r}")
        if parts.hostname != "localhost" and not ipaddress.ip_address(parts.hostname).is_loopback:
            raise ValueError(f"the websocket proxy forwards to loopback only, not {parts.hostname!r}")
        self.upstream = f"ws://{parts.hostname}:{parts.port}"
        self.rules: list[WsRule] = []
        self.messages: list[tuple[int, str]] = []
        self.connections = 0
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="ws-fault-proxy", daemon=True)
        self._server: Server | None = None
        self.port = 0

    @property
    def url(self) -> str:
        """The base URL to give the client instead of the upstream's (``http://``: the client makes it ws)."""
        return f"http://127.0.0.1:{self.port}"

    def inject(self, contains: str | None = None, *, kind: Cut = "drop", times: int = 1) -> WsRule:
        """Cut the connection of the next ``times`` client messages holding ``contains``, once answered."""
        if times < 1:
            raise ValueError("times must be >= 1")
        rule = WsRule(contains, kind, times)
        with self._lock:
            self.rules.append(rule)
        return rule

    def count(self, contains: str) -> int:
        """How many client messages holding ``contains`` reached the proxy (each resend counts)."""
        with self._lock:
            return sum(contains in message for _, message in self.messages)

    def _take(self, connection: int, message: str) -> WsRule | None:
        with self._lock:
            self.messages.append((connection, message))
            for rule in self.rules:
                if rule.matches(message):
                    rule.remaining -= 1
                    rule.hits += 1
                    return rule
        return None

    async def _relay(self, client: ServerConnection) -> None:
        with self._lock:
            self.connections += 1
            number = self.connections
        key = client.request.headers.get(API_KEY_HEADER) if client.request else None
        path = client.request.path if client.request else "/"
        headers = {API_KEY_HEADER: key} if key else {}
        try:
            async with connect(
                self.upstream + path, additional_headers=headers, max_size=None, logger=_QUIET
            ) as upstream:
                async for message in client:
                    text = message if isinstance(message, str) else message.decode("utf-8", "replace")
                    rule = self._take(number, text)
                    await upstream.send(message)
                    reply = await upstream.recv()
                    if rule is not None:
                        self._cut(client, rule.kind)
                        return
                    await client.send(reply)
        except ConnectionClosed:
            return

    @staticmethod
    def _cut(client: ServerConnection, kind: Cut) -> None:
        if kind == "reset":
            sock = client.transport.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.transport.abort()

    async def _start(self) -> Server:
        server: Server = await serve(self._relay, "127.0.0.1", 0, max_size=None, logger=_QUIET)
        return server

    def __enter__(self) -> WebSocketFaultProxy:
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(START_TIMEOUT)
        self.port = int(next(iter(self._server.sockets)).getsockname()[1])
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        server = self._server
        if server is not None:

            async def stop() -> None:
                server.close()
                await server.wait_closed()

            asyncio.run_coroutine_threadsafe(stop(), self._loop).result(START_TIMEOUT)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(START_TIMEOUT)
        self._loop.close()
