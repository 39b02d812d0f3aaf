"""
Airflow on its distributed engine, as ``docker-compose.yaml`` deploys it, on loopback: CeleryExecutor with a
Redis broker and PostgreSQL as metadata database and Celery result backend (Debian's servers, throwaway), the
api-server, scheduler and dag-processor, N Celery workers and M triggerers; plus the emulator and the S3
server (with the bucket of ``airflow_stack.BUCKET``).

Every component is a process group of its own, so a test can kill one (``SIGKILL``, no clean shutdown) and
the others carry on. Triggerers are started one after the other, so that ``triggerer_ids[i]`` (the id of its
row in the ``job`` table) belongs to the component named ``triggerer-{i + 1}``.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
from airflow_stack import BUCKET, USERNAME, airflow_env
from local_stack import (
    BIN,
    S3_ACCESS_KEY,
    S3_REGION,
    S3_SECRET_KEY,
    ProcessGroup,
    Stack,
    StackError,
    free_port,
    local_stack,
)
from postgres_server import find_binary, postgres_server
from redis_server import redis_server

T = TypeVar("T")
#: Page size of REST listings (``[api] maximum_page_limit``, set below).
PAGE = 1000
#: Quick failover: a killed triggerer counts as dead after 5 s without a heartbeat (defaults 5 s and 30 s).
TRIGGERER_SETTINGS = {
    "AIRFLOW__TRIGGERER__JOB_HEARTBEAT_SEC": "1",
    "AIRFLOW__TRIGGERER__TRIGGERER_HEALTH_CHECK_THRESHOLD": "5",
}


def missing_packages() -> list[str]:
    """The Debian packages this stack needs and this machine lacks."""
    missing = [] if find_binary("postgres") and find_binary("initdb") else ["postgresql"]
    return missing if shutil.which("redis-server") else [*missing, "redis-server"]


def wait_for(what: str, check: Callable[[], T | None], timeout: float = 120, every: float = 0.5) -> T:
    """Poll ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


@dataclass
class CeleryAirflow:
    """The running stack: Airflow's REST API (logged in), its metadata database, a hand on each process."""

    url: str
    session: requests.Session
    group: ProcessGroup
    env: dict[str, str]
    work_dir: Path
    database_url: str
    stack: Stack
    triggerer_ids: list[int] = field(default_factory=list)

    def api(self, path: str, **params: Any) -> Any:
        """``GET /api/v2{path}``, JSON."""
        response = self.session.get(f"{self.url}/api/v2{path}", params=params, timeout=60)
        response.raise_for_status()
        return response.json()

    def trigger_dag(self, dag_id: str) -> str:
        """Start a run of ``dag_id`` once the dag-processor has parsed it; return the run id."""

        def parsed() -> bool:
            return self.session.get(f"{self.url}/api/v2/dags/{dag_id}", timeout=30).ok

        wait_for(f"{dag_id} to be parsed", parsed)
        response = self.session.post(
            f"{self.url}/api/v2/dags/{dag_id}/dagRuns", json={"logical_date": None}, timeout=60
        )
        response.raise_for_status()
        return str(response.json()["dag_run_id"])

    def run_state(self, dag_id: str, run_id: str) -> str | None:
        """``success`` or ``failed`` once the run has ended, else None; fails if a component died."""
        self.group.check_alive(self.work_dir)
        state = str(self.api(f"/dags/{dag_id}/dagRuns/{run_id}")["state"])
        return state if state in ("success", "failed") else None

    def listing(self, path: str, key: str, **params: Any) -> list[dict[str, Any]]:
        """Every entry of a paged REST listing, ``GET /api/v2{path}`` whose entries are under ``key``."""
        found: list[dict[str, Any]] = []
        while True:
            page = self.api(path, limit=PAGE, offset=len(found), **params)
            found += page[key]
            if not page[key] or len(found) >= page["total_entries"]:
                return found

    def task_instances(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        """Every task instance of the run, mapped ones included."""
        return self.listing(f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances", "task_instances")

    def s3(self) -> Any:
        """A boto3 S3 client of the stack's S3 server."""
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.stack.s3_endpoint,
            aws_access_key_id=S3_ACCESS_KEY,
            aws_secret_access_key=S3_SECRET_KEY,
            region_name=S3_REGION,
        )

    def query(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        """Rows of one read-only query on the metadata database."""
        import psycopg2

        parts = urlsplit(self.database_url)
        with (
            contextlib.closing(
                psycopg2.connect(
                    host=parts.hostname, port=parts.port, user=parts.username, dbname=parts.path.lstrip("/")
                )
            ) as connection,
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, args)
            return list(cursor.fetchall())

    def kill(self, name: str) -> None:
        """``SIGKILL`` the component's whole process group: no clean shutdown, no last heartbeat."""
        self.group.kill(name)

    def start_triggerer(self) -> None:
        """Start one more triggerer and wait for its row in the ``job`` table."""
        name = f"triggerer-{len(self.triggerer_ids) + 1}"
        args = [str(BIN / "airflow"), "triggerer", "--skip-serve-logs"]
        self.group.start(name, args, self.work_dir / f"{name}.log", env=self.env)

        def registered() -> int | None:
            self.group.check_alive(self.work_dir)
            newest = max(self.triggerer_ids, default=0)
            rows = self.query("SELECT max(id) FROM job WHERE job_type = 'TriggererJob' AND id > %s", newest)
            return None if rows[0][0] is None else int(rows[0][0])

        self.triggerer_ids.append(wait_for(f"{name} to register", registered, timeout=120))


def celery_env(database_url: str, broker_url: str, worker_concurrency: int) -> dict[str, str]:
    """The executor, broker and result backend of ``docker-compose.yaml``, sized for this stack."""
    return {
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CELERY__BROKER_URL": broker_url,
        "AIRFLOW__CELERY__RESULT_BACKEND": f"db+{database_url}",
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(worker_concurrency),
    }


def _log_in(handle: CeleryAirflow, password: str) -> bool:
    handle.group.check_alive(handle.work_dir)
    with contextlib.suppress(requests.RequestException):
        token = handle.session.post(
            f"{handle.url}/auth/token", json={"username": USERNAME, "password": password}, timeout=5
        )
        if token.status_code in (200, 201):
            handle.session.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
            return True
    return False


@contextlib.contextmanager
def celery_airflow(
    work_dir: Path,
    dags_folder: Path,
    *,
    workers: int = 2,
    triggerers: int = 2,
    worker_concurrency: int = 8,
    emulator_flags: tuple[str, ...] = (),
) -> Iterator[CeleryAirflow]:
    """Start PostgreSQL, Redis, the emulator, S3 and every Airflow component; stop them all on exit."""
    from cryptography.fernet import Fernet

    with (
        postgres_server() as database_url,
        redis_server() as broker_url,
        local_stack(work_dir, emulator_flags) as stack,
    ):
        if database_url is None or broker_url is None:
            raise StackError(f"missing Debian packages: {', '.join(missing_packages())}")
        home = work_dir / "airflow"
        home.mkdir(parents=True, exist_ok=True)
        password = secrets.token_urlsafe(12)
        (home / "passwords.json").write_text(json.dumps({USERNAME: password}))
        port = free_port()
        env = {
            **airflow_env(stack, home, port, database_url),
            **celery_env(database_url, broker_url, worker_concurrency),
            **TRIGGERER_SETTINGS,
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder),
            "AIRFLOW__CORE__FERNET_KEY": Fernet.generate_key().decode(),
            "AIRFLOW__API__MAXIMUM_PAGE_LIMIT": str(PAGE),
        }
        airflow = str(BIN / "airflow")
        migrate_log = work_dir / "db-migrate.log"
        with migrate_log.open("wb") as log:
            migrated = subprocess.run(
                [airflow, "db", "migrate"], env=env, stdout=log, stderr=subprocess.STDOUT, check=False
            )
        if migrated.returncode != 0:
            raise StackError(f"airflow db migrate failed:\n{migrate_log.read_text()[-3000:]}")
        group = ProcessGroup()
        try:
            components = {
                "api-server": [airflow, "api-server", "--host", "127.0.0.1", "--port", str(port)],
                "scheduler": [airflow, "scheduler", "--skip-serve-logs"],
                "dag-processor": [airflow, "dag-processor"],
            }
            for number in range(1, workers + 1):
                components[f"worker-{number}"] = [
                    *(airflow, "celery", "worker", "--skip-serve-logs"),
                    *("--celery-hostname", f"worker-{number}@%h"),
                ]
            for name, args in components.items():
                group.start(name, args, work_dir / f"{name}.log", env=env)
            handle = CeleryAirflow(
                f"http://127.0.0.1:{port}", requests.Session(), group, env, work_dir, database_url, stack
            )
            handle.s3().create_bucket(Bucket=BUCKET)
            for _ in range(triggerers):
                handle.start_triggerer()
            wait_for("the Airflow api-server", lambda: _log_in(handle, password), timeout=180)
            yield handle
        finally:
            group.stop_all()
