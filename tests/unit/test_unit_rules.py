"""The guard in ``tests/unit/conftest.py`` refuses internet sockets and processes, and nothing in-memory."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import Callable

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from tests.unit.conftest import UnitGuard, UnitRuleViolation


def refused(guard: UnitGuard, attempt: Callable[[], object]) -> str:
    """The guard's message for ``attempt``, which must be refused; the test itself stays green."""
    with pytest.raises(UnitRuleViolation) as raised:
        attempt()
    guard.attempts.clear()
    message = str(raised.value)
    assert "tests/integration/" in message
    return message


def test_a_loopback_tcp_connect_is_refused(unit_guard: UnitGuard) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        message = refused(unit_guard, lambda: sock.connect(("127.0.0.1", 9)))
    assert "socket.connect(('127.0.0.1', 9)) on AF_INET" in message


@pytest.mark.parametrize(
    ("family", "call"),
    [
        (socket.AF_INET, lambda sock: sock.bind(("127.0.0.1", 0))),
        (socket.AF_INET, lambda sock: sock.connect_ex(("127.0.0.1", 9))),
        (socket.AF_INET6, lambda sock: sock.connect(("::1", 9))),
    ],
    ids=["bind", "connect_ex", "ipv6"],
)
def test_other_internet_socket_calls_are_refused(
    unit_guard: UnitGuard, family: socket.AddressFamily, call: Callable[[socket.socket], object]
) -> None:
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        refused(unit_guard, lambda: call(sock))


def test_a_udp_datagram_is_refused(unit_guard: UnitGuard) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        refused(unit_guard, lambda: sock.sendto(b"x", ("127.0.0.1", 9)))


@pytest.mark.parametrize(
    "start",
    [
        lambda: subprocess.run([sys.executable, "-c", "pass"], check=False),
        lambda: os.system("true"),
        lambda: asyncio.run(asyncio.create_subprocess_exec(sys.executable, "-c", "pass")),
    ],
    ids=["subprocess", "os.system", "asyncio"],
)
def test_starting_a_process_is_refused(unit_guard: UnitGuard, start: Callable[[], object]) -> None:
    refused(unit_guard, start)


def test_a_socketpair_and_the_event_loop_still_work() -> None:
    left, right = socket.socketpair()
    with left, right:
        left.sendall(b"ping")
        assert right.recv(4) == b"ping"
    assert asyncio.run(asyncio.sleep(0, result="done")) == "done"


def test_starlette_test_client_still_works() -> None:
    app = Starlette(routes=[Route("/", lambda request: PlainTextResponse("in memory"))])
    with TestClient(app) as client:
        assert client.get("/").text == "in memory"
