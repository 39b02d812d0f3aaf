"""A throwaway PostgreSQL server (Debian's binaries) on a free loopback port, for Airflow's metadata DB."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from local_stack import free_port

DATABASE = "airflow"
USER = "airflow"


def find_binary(name: str) -> str | None:
    """``name`` from PATH, else from the newest ``/usr/lib/postgresql/<version>/bin``."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    return candidates[-1] if candidates else None


def _as_postgres_user(folder: Path) -> list[str]:
    """PostgreSQL refuses to run as root: run it as the ``postgres`` user then, owning ``folder``."""
    if os.geteuid() != 0:
        return []
    shutil.chown(folder, user="postgres", group="postgres")
    return ["runuser", "-u", "postgres", "--"]


@contextlib.contextmanager
def postgres_server(timeout: float = 60) -> Iterator[str | None]:
    """Yield a SQLAlchemy URL of a fresh database, or ``None`` when no PostgreSQL server is installed."""
    binaries = {name: find_binary(name) for name in ("initdb", "postgres", "pg_isready", "createdb")}
    if None in binaries.values():
        yield None
        return
    folder = Path(tempfile.mkdtemp(prefix="hume-postgres-"))
    prefix = _as_postgres_user(folder)
    data = folder / "data"
    port = free_port()
    log = (folder / "postgres.log").open("wb")
    server: subprocess.Popen[bytes] | None = None
    try:
        subprocess.run(
            [*prefix, binaries["initdb"], "-D", str(data), "-U", USER, "--auth=trust", "-E", "UTF8"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        server = subprocess.Popen(
            [
                *prefix,
                binaries["postgres"],
                "-D",
                str(data),
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-k",
                str(folder),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        address = ["-h", "127.0.0.1", "-p", str(port)]
        deadline = time.monotonic() + timeout
        while subprocess.run([binaries["pg_isready"], *address], stdout=subprocess.DEVNULL).returncode != 0:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL did not start:\n{(folder / 'postgres.log').read_text()}")
            time.sleep(0.2)
        subprocess.run([binaries["createdb"], *address, "-U", USER, DATABASE], check=True)
        yield f"postgresql+psycopg2://{USER}@127.0.0.1:{port}/{DATABASE}"
    finally:
        if server is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGINT)  # fast shutdown: no wait for clients to leave
            server.wait(timeout=30)
        log.close()
        shutil.rmtree(folder, ignore_errors=True)
