"""Start ``hume-emulator`` as a child process on a free loopback port, for benchmarks."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RunningEmulator:
    url: str
    api_key: str
    pid: int


def rss_mib(pid: int) -> float:
    """Current resident set size of a process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def peak_rss_mib(pid: int) -> float:
    """Peak resident set size of a process so far (VmHWM), from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for pid {pid}")


@contextlib.contextmanager
def emulator_process(*flags: str) -> Iterator[RunningEmulator]:
    """Run the emulator CLI with ``flags``; stop it on exit."""
    key = secrets.token_hex(24)
    with tempfile.TemporaryDirectory(prefix="hume-bench-") as tmp:
        log_path = Path(tmp) / "emulator.log"
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "airflow_provider_hume.emulator",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    "0",
                    *flags,
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "HUME_EMULATOR_API_KEYS": key},
            )
        try:
            deadline = time.monotonic() + 60
            while True:
                match = re.search(r"listening on (\S+)", log_path.read_text())
                if match:
                    break
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the emulator did not start:\n{log_path.read_text()}")
                time.sleep(0.05)
            yield RunningEmulator(url=match.group(1), api_key=key, pid=proc.pid)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
