"""Run ``hume-emulator`` as a child process on a free loopback port, for scripts, benchmarks and demos that
want the emulator in a process of its own (its memory measured apart, or outliving nothing but a ``with``).

The child is ``python -m airflow_provider_hume.emulator`` on this interpreter, in a session of its own (so a
Ctrl-C meant for the parent does not reach it first), with the API key passed through the environment, never
on its command line. This module imports only the standard library, so it weighs nothing in a parent whose
memory is measured.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

KEYS_ENV: Final = "HUME_EMULATOR_API_KEYS"
LISTENING: Final = "Hume emulator listening on "
START_TIMEOUT_SECONDS: Final = 60.0
STOP_TIMEOUT_SECONDS: Final = 10.0
_POLL_SECONDS: Final = 0.05
_LOG_TAIL_CHARS: Final = 3000


class EmulatorStartError(RuntimeError):
    """The child emulator exited, or did not listen in time; the message ends with its log."""


@dataclass(frozen=True)
class RunningEmulator:
    """A child emulator that is listening: its base URL, the API key it accepts and its process id."""

    url: str
    api_key: str = field(repr=False)
    pid: int


@contextlib.contextmanager
def emulator_process(
    *flags: str,
    log_path: Path | None = None,
    api_key: str | None = None,
    start_timeout: float = START_TIMEOUT_SECONDS,
) -> Iterator[RunningEmulator]:
    """Start the emulator with ``flags`` on ``127.0.0.1``, any free port, and wait until it listens.

    Its stdout and stderr go to ``log_path`` (default: a temporary file); ``api_key`` defaults to a random
    one. On exit it gets SIGTERM, then SIGKILL if it has not stopped after ``STOP_TIMEOUT_SECONDS``.
    """
    key = api_key or secrets.token_hex(24)
    with contextlib.ExitStack() as stack:
        if log_path is None:
            log_path = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="hume-emulator-"))) / "log"
        command = [
            sys.executable,
            "-m",
            "airflow_provider_hume.emulator",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
        ]
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [*command, *flags],
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, KEYS_ENV: key},
                start_new_session=True,
            )
        stack.callback(_stop, process)
        url = _wait_until_listening(process, log_path, start_timeout)
        yield RunningEmulator(url=url, api_key=key, pid=process.pid)


def _wait_until_listening(process: subprocess.Popen[bytes], log_path: Path, timeout: float) -> str:
    """The URL the child prints once it listens; :class:`EmulatorStartError` if it exits or stays silent."""
    deadline = time.monotonic() + timeout
    while True:
        text = log_path.read_text(errors="replace")
        url = next((line[len(LISTENING) :] for line in text.splitlines() if line.startswith(LISTENING)), None)
        if url:
            return url.strip()
        if process.poll() is not None:
            raise EmulatorStartError(f"the emulator exited with code {process.returncode}:\n{_tail(text)}")
        if time.monotonic() > deadline:
            raise EmulatorStartError(f"the emulator did not listen within {timeout:g} s:\n{_tail(text)}")
        time.sleep(_POLL_SECONDS)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the child's process group, then SIGKILL if it outstays ``STOP_TIMEOUT_SECONDS``."""
    for signum in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signum)
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
            return
        except subprocess.TimeoutExpired:
            continue


def _tail(text: str) -> str:
    return text[-_LOG_TAIL_CHARS:]
