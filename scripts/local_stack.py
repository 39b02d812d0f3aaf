"""Start and stop the local pieces a demo needs: the Hume emulator and an S3 server, on loopback.

The emulator is started by the package's one launcher, ``airflow_provider_hume.emulator.process``.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from airflow_provider_hume.emulator.process import emulator_process

BIN = Path(sys.executable).parent
S3_ACCESS_KEY = "testing"
S3_SECRET_KEY = "testing"
S3_REGION = "us-east-1"


class StackError(RuntimeError):
    """A local service did not start."""


def free_port() -> int:
    """A currently free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ProcessGroup:
    """Child processes, each started in its own process group so that stopping one stops all it spawned."""

    processes: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)

    def start(self, name: str, args: list[str], log_path: Path, env: dict[str, str] | None = None) -> None:
        log = log_path.open("wb")
        proc = subprocess.Popen(
            args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env or os.environ.copy()
        )
        log.close()
        self.processes.append((name, proc))

    def check_alive(self, log_dir: Path) -> None:
        for name, proc in self.processes:
            if proc.poll() is not None:
                tail = (log_dir / f"{name}.log").read_text(errors="replace")[-2000:]
                raise StackError(f"{name} exited with code {proc.returncode}:\n{tail}")

    def kill(self, name: str) -> None:
        """``SIGKILL`` the named child's whole process group and forget it: no clean shutdown."""
        for entry in list(self.processes):
            component, process = entry
            if component == name:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)
                self.processes.remove(entry)

    def stop_all(self) -> None:
        for _, proc in reversed(self.processes):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for _, proc in reversed(self.processes):
            try:
                proc.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.processes.clear()


def _wait_for(
    condition_name: str, check: Callable[[], bool], group: ProcessGroup, log_dir: Path, timeout: float = 60
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        group.check_alive(log_dir)
        if check():
            return
        time.sleep(0.2)
    raise StackError(f"timed out waiting for {condition_name}")


def _http_answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


@dataclass(frozen=True)
class Stack:
    """Where the running services are."""

    hume_url: str
    hume_api_key: str
    s3_endpoint: str
    emulated: bool

    def s3_client(self) -> Any:
        """A boto3 S3 client for the local S3 server."""
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.s3_endpoint,
            aws_access_key_id=S3_ACCESS_KEY,
            aws_secret_access_key=S3_SECRET_KEY,
            region_name=S3_REGION,
        )

    def airflow_env(self, bucket: str) -> dict[str, str]:
        """Environment variables that give Airflow the ``hume_default`` and ``aws_default`` connections."""
        hume = {"conn_type": "hume", "host": self.hume_url, "password": self.hume_api_key}
        aws = {
            "conn_type": "aws",
            "login": S3_ACCESS_KEY,
            "password": S3_SECRET_KEY,
            "extra": {"endpoint_url": self.s3_endpoint, "region_name": S3_REGION},
        }
        return {
            "AIRFLOW_CONN_HUME_DEFAULT": json.dumps(hume),
            "AIRFLOW_CONN_AWS_DEFAULT": json.dumps(aws),
            "AIRFLOW_VAR_HUME_S3_BUCKET": bucket,
        }


@contextlib.contextmanager
def local_stack(work_dir: Path, emulator_flags: tuple[str, ...] = ()) -> Iterator[Stack]:
    """Run the emulator (unless ``HUME_API_KEY`` is set) and moto's S3 server; stop both on exit."""
    group = ProcessGroup()
    with contextlib.ExitStack() as stack:
        stack.callback(group.stop_all)
        s3_port = free_port()
        group.start(
            "s3", [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(s3_port)], work_dir / "s3.log"
        )
        s3_endpoint = f"http://127.0.0.1:{s3_port}"
        real_key = os.environ.get("HUME_API_KEY", "").strip()
        if real_key:
            hume_url = os.environ.get("HUME_API_URL", "").strip() or "https://api.hume.ai"
            api_key = real_key
        else:
            emulator = stack.enter_context(
                emulator_process(*emulator_flags, log_path=work_dir / "emulator.log")
            )
            hume_url, api_key = emulator.url, emulator.api_key
        _wait_for("the S3 server", lambda: _http_answers(s3_endpoint), group, work_dir)
        yield Stack(hume_url=hume_url, hume_api_key=api_key, s3_endpoint=s3_endpoint, emulated=not real_key)
