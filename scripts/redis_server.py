"""A throwaway Redis server (Debian's ``redis-server``) on a free loopback port, for the Celery broker."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from local_stack import free_port


def _answers_ping(port: int, password: str) -> bool:
    """Whether the server on ``port`` accepts the password and answers ``PING``."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
            sock.sendall(f"AUTH {password}\r\nPING\r\n".encode())
            answer = b""
            while answer.count(b"\r\n") < 2:
                chunk = sock.recv(64)
                if not chunk:
                    return False
                answer += chunk
            return answer == b"+OK\r\n+PONG\r\n"
    except OSError:
        return False


@contextlib.contextmanager
def redis_server(timeout: float = 30) -> Iterator[str | None]:
    """Yield a ``redis://`` URL (database 0), or ``None`` when ``redis-server`` is not installed.

    Memory only (no RDB snapshots, no append-only file), bound to 127.0.0.1 in protected mode, with a random
    password kept in a config file of its own rather than on the command line.
    """
    binary = shutil.which("redis-server")
    if binary is None:
        yield None
        return
    folder = Path(tempfile.mkdtemp(prefix="hume-redis-"))
    port = free_port()
    password = secrets.token_hex(16)
    config = folder / "redis.conf"
    config.write_text(
        f"bind 127.0.0.1\nport {port}\nprotected-mode yes\nsave ''\nappendonly no\n"
        f"dir {folder}\nrequirepass {password}\n"
    )
    config.chmod(0o600)
    log = (folder / "redis.log").open("wb")
    server: subprocess.Popen[bytes] | None = None
    try:
        server = subprocess.Popen(
            [binary, str(config)], stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while not _answers_ping(port, password):
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Redis did not start:\n{(folder / 'redis.log').read_text()}")
            time.sleep(0.1)
        yield f"redis://:{password}@127.0.0.1:{port}/0"
    finally:
        if server is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        log.close()
        shutil.rmtree(folder, ignore_errors=True)
