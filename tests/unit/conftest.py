"""The unit rules, enforced: a unit test opens no internet socket and starts no process.

In-memory stays allowed: AF_UNIX socket pairs (asyncio's event loop wakes itself with one) and starlette's
``TestClient``, which calls the app directly. What a test would need a real server or a child process for
belongs in ``tests/integration/``.
"""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Callable, Generator, Iterator
from typing import Any, NoReturn

import pytest

INTERNET = (socket.AF_INET, socket.AF_INET6)
SOCKET_CALLS = ("connect", "connect_ex", "bind", "sendto")
PROCESS_CALLS = ("system", "fork", "posix_spawn", "posix_spawnp")
ALREADY_FAILED = pytest.StashKey[bool]()


class UnitRuleViolation(pytest.fail.Exception):
    """A unit test reached for the network or a process (a BaseException: ``except Exception`` misses it)."""


class UnitGuard:
    """Refuses internet sockets and processes, and remembers each refusal for the end of the test."""

    def __init__(self, test: str) -> None:
        self.test = test
        self.attempts: list[str] = []

    def refuse(self, attempt: str) -> NoReturn:
        self.attempts.append(attempt)
        raise UnitRuleViolation(
            f"{self.test} attempted {attempt}: unit tests open no internet socket and start no process; "
            "move the test to tests/integration/ (or use an in-memory client such as starlette's TestClient)"
        )

    def socket_call(self, name: str) -> Callable[..., Any]:
        original = getattr(socket.socket, name)

        def guarded(sock: socket.socket, *args: Any) -> Any:
            if sock.family in INTERNET:  # the address is the last argument of all four calls
                self.refuse(f"socket.{name}({args[-1]!r}) on {sock.family.name}")
            return original(sock, *args)

        return guarded

    def process_call(self, name: str) -> Callable[..., NoReturn]:
        def guarded(*args: Any, **kwargs: Any) -> NoReturn:
            self.refuse(f"{name}({args[0]!r})" if args else f"{name}()")

        return guarded

    def popen_init(self) -> Callable[..., NoReturn]:
        def guarded(popen: subprocess.Popen[Any], args: Any, *rest: Any, **kwargs: Any) -> NoReturn:
            self.refuse(f"subprocess.Popen({args!r})")

        return guarded


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Notes a failed setup or call, so the guard's teardown does not report the same attempt twice."""
    report = yield
    if report.failed and report.when in ("setup", "call"):
        item.stash[ALREADY_FAILED] = True
    return report


@pytest.fixture(autouse=True)
def unit_guard(request: pytest.FixtureRequest) -> Iterator[UnitGuard]:
    """Applies the unit rules to every test under ``tests/unit``, and fails the test on any attempt.

    An attempt raises at once; it is also recorded, so one made in a thread, or caught by the code under test,
    still fails the test. Fixtures of a wider scope are set up before this one and are not covered.
    """
    guard = UnitGuard(request.node.nodeid)
    with pytest.MonkeyPatch.context() as patch:  # its own, so a test's monkeypatch.undo() keeps the guard
        for name in SOCKET_CALLS:
            patch.setattr(socket.socket, name, guard.socket_call(name))
        # asyncio's create_subprocess_* and os.popen go through Popen too.
        patch.setattr(subprocess.Popen, "__init__", guard.popen_init())
        for name in PROCESS_CALLS:
            if hasattr(os, name):
                patch.setattr(os, name, guard.process_call(f"os.{name}"))
        yield guard
    if guard.attempts and not request.node.stash.get(ALREADY_FAILED, False):
        pytest.fail(f"{guard.test} broke the unit rules: {'; '.join(guard.attempts)}", pytrace=False)
