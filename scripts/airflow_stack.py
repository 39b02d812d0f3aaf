"""
A full local Airflow next to the emulator and the S3 server: api-server, scheduler, dag-processor, triggerer.

These are the components ``airflow standalone`` runs, started one by one so that each binds loopback only and
none starts a log server (the executor and the api-server share this machine's log folder). The metadata
database is SQLite in a throwaway ``AIRFLOW_HOME`` unless a SQLAlchemy URL is given.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from local_stack import BIN, ProcessGroup, Stack, StackError, free_port

REPO = Path(__file__).resolve().parent.parent
BUCKET = "hume-demo"
USERNAME = "admin"


@dataclass(frozen=True)
class AirflowHandle:
    """Where the running Airflow is and how to log in."""

    url: str
    username: str
    password: str
    home: Path


def airflow_env(stack: Stack, home: Path, port: int, sql_alchemy_conn: str | None) -> dict[str, str]:
    """Configuration for every Airflow component: loopback, quick DAG parsing, connections from the stack."""
    env = {
        **os.environ,
        **stack.airflow_env(BUCKET),
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{USERNAME}:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "passwords.json"),
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(16),
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
    }
    if sql_alchemy_conn:
        env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = sql_alchemy_conn
    return env


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/api/v2/monitor/health", timeout=2) as response:
            return bool(response.status == 200)
    except (OSError, urllib.error.HTTPError):
        return False


def _with_port_field(connection: dict[str, Any]) -> dict[str, Any]:
    """The host's port moved to the port field: Airflow 3.3's Test button sends ``port: 0`` for a connection
    without one, which the API refuses as another endpoint (HTTP 400)."""
    parts = urlsplit(str(connection.get("host") or ""))
    if parts.port is None or connection.get("port"):
        return connection
    host = urlunsplit((parts.scheme, parts.netloc.rsplit(":", 1)[0], parts.path, "", ""))
    return {**connection, "host": host, "port": parts.port}


def _store_connections(airflow: str, env: dict[str, str], names: list[str], work_dir: Path) -> None:
    """Move the connections of these ``AIRFLOW_CONN_*`` variables into the metadata database.

    Stored there, the UI lists them and its Test button can try them (it cannot see environment variables).
    The import file holds the keys only while ``airflow connections import`` reads it.
    """
    connections = {
        name.removeprefix("AIRFLOW_CONN_").lower(): _with_port_field(json.loads(env.pop(name)))
        for name in names
    }
    path = work_dir / "connections.json"
    path.touch(mode=0o600)
    try:
        path.write_text(json.dumps(connections))
        command = [airflow, "connections", "import", str(path)]
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    finally:
        path.unlink()
    if done.returncode != 0:
        raise StackError(f"airflow connections import failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")


@contextlib.contextmanager
def airflow_services(
    stack: Stack,
    work_dir: Path,
    *,
    sql_alchemy_conn: str | None = None,
    extra_env: dict[str, str] | None = None,
    store_connections: bool = False,
    timeout: float = 180,
) -> Iterator[AirflowHandle]:
    """Migrate the database, start the four components, wait for the API; stop them all on exit.

    With ``store_connections``, ``hume_default`` and ``aws_default`` are stored in the metadata database
    rather than given as environment variables.
    """
    home = work_dir / "airflow"
    home.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(12)
    (home / "passwords.json").write_text(json.dumps({USERNAME: password}))
    port = free_port()
    env = {**airflow_env(stack, home, port, sql_alchemy_conn), **(extra_env or {})}
    airflow = str(BIN / "airflow")
    group = ProcessGroup()
    try:
        migrate_log = work_dir / "db-migrate.log"
        with migrate_log.open("wb") as log:
            migrated = subprocess.run(
                [airflow, "db", "migrate"], env=env, stdout=log, stderr=subprocess.STDOUT, check=False
            )
        if migrated.returncode != 0:
            raise StackError(f"airflow db migrate failed:\n{migrate_log.read_text()[-3000:]}")
        if store_connections:
            names = [name for name in stack.airflow_env(BUCKET) if name.startswith("AIRFLOW_CONN_")]
            _store_connections(airflow, env, names, work_dir)
        components = {
            "api-server": [airflow, "api-server", "--host", "127.0.0.1", "--port", str(port)],
            "scheduler": [airflow, "scheduler", "--skip-serve-logs"],
            "dag-processor": [airflow, "dag-processor"],
            "triggerer": [airflow, "triggerer", "--skip-serve-logs"],
        }
        for name, args in components.items():
            group.start(name, args, work_dir / f"{name}.log", env=env)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + timeout
        while not _healthy(url):
            group.check_alive(work_dir)
            if time.monotonic() > deadline:
                raise StackError("the Airflow api-server did not become healthy in time")
            time.sleep(0.5)
        yield AirflowHandle(url=url, username=USERNAME, password=password, home=home)
    finally:
        group.stop_all()
