"""Every code block of README.md and docs/*.md runs as written, or is marked with the reason it is not.

How each kind runs (``tests/support/snippets.py`` reads the blocks and their markers):

* DAG snippets: executed inside a DAG this test provides (daily data intervals, ``{{ ds }}`` 2026-11-21);
  one that builds its own DAG runs that one. Each DAG goes through ``dag.test()`` in this process, against
  one emulator (which accepts the docs' key ``my-emulator-key``) and the session's S3 server, and every task
  must succeed; the Hume clients' sleeps are cut to 0.1 s at most.
  The buckets the docs name exist, and the S3 objects they read are uploaded first from the repo's samples
  (``S3_INPUTS``).
* Other Python: executed in this process.
* bash: run by ``bash -e -o pipefail`` in a sandbox folder holding links to the repo's top-level entries (so
  clone-relative paths resolve and new files land in the sandbox), with ``.venv/bin`` first on ``PATH`` and a
  throwaway ``AIRFLOW_HOME`` whose database is a copy of the session's; ``airflow`` there runs each command
  in a process forked from one that imported Airflow once (``tests/support/airflow_cli_server.py``), which
  saves about 6 s of CPU a command. The emulator port the docs write,
  ``8000`` after ``127.0.0.1:`` or ``--port``, becomes a free port in a block that starts ``hume-emulator``
  itself, else this test's emulator's port. Background jobs are stopped when the block ends.
* Server snippets: run until they print their ready text, then stopped with SIGTERM.
* JSON: parsed. Every Python and bash snippet runs with the sandbox as its working directory.

Blocks marked ``provisioning`` run in tests/integration/test_readme_install.py; ``not run`` ones are only
checked to give a reason.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import selectors
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Iterator
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet

from airflow_provider_hume.emulator.server import EmulatorServer
from tests.integration.airflow.conftest import _serialize, s3_client
from tests.support.snippets import REPO, Snippet, UnrunnableSnippetError, all_snippets, run_bash

DOCS_API_KEY = "my-emulator-key"
LOGICAL_DATE = datetime(2026, 11, 21, tzinfo=timezone.utc)
BUCKETS = ("my-bucket", "analytics")
DATA = REPO / "dags" / "data"
# The S3 objects the docs read, and the repo sample each is uploaded from (None: a video made for the test).
S3_INPUTS: dict[tuple[str, str], Path | None] = {
    ("my-bucket", "calls/42.wav"): DATA / "call_snippet.wav",
    ("my-bucket", "calls/2026-11-21/call_snippet.wav"): DATA / "call_snippet.wav",
    ("my-bucket", "stills/face.png"): DATA / "face.png",
    ("my-bucket", "video/interview.mp4"): None,
}
EMULATOR_PORT = re.compile(r"(?<=127\.0\.0\.1:)8000\b|(?<=--port )8000\b")
SNIPPETS = all_snippets()


def _kind(snippet: Snippet) -> str | None:
    try:
        return snippet.kind
    except UnrunnableSnippetError:
        return None


def _of_kind(*kinds: str) -> list[Any]:
    return [pytest.param(s, id=s.name) for s in SNIPPETS if _kind(s) in kinds]


@pytest.fixture(scope="module")
def docs_emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(api_keys=[DOCS_API_KEY], queue_seconds=0.2, run_seconds=0.3) as server:
        yield server


@pytest.fixture(scope="module")
def docs_s3(s3_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The buckets the docs name, holding the objects they read."""
    from tests.support.media_samples import mp4

    s3 = s3_client(s3_server)
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    for bucket in set(BUCKETS) - existing:
        s3.create_bucket(Bucket=bucket)
    for (bucket, key), source in S3_INPUTS.items():
        path = source or mp4(tmp_path_factory.mktemp("video") / "interview.mp4", seconds=2.0)
        s3.upload_file(str(path), bucket, key)
    return s3


class AirflowCli:
    """The ``airflow_cli_server`` of the shell snippets and the environment their commands run in."""

    def __init__(self, env: dict[str, str], server: subprocess.Popen[bytes]) -> None:
        self.env = env
        self.server = server
        self.ready = False

    def wait_ready(self) -> None:
        if not self.ready:
            output = _read_until(self.server, "ready", deadline=time.monotonic() + 120)
            assert "ready" in output, f"the Airflow CLI server did not start:\n{output}"
            self.ready = True


@pytest.fixture(scope="module", autouse=True)
def airflow_cli(airflow_db: None) -> Iterator[AirflowCli]:
    """The CLI server in a throwaway AIRFLOW_HOME, started with the module so that it imports Airflow while
    the DAG snippets run."""
    folder = Path(tempfile.mkdtemp(prefix="hume-docs-cli-"))  # short: a socket path has at most 107 bytes
    (folder / "home").mkdir()
    _copy_database(Path(os.environ["AIRFLOW_HOME"]) / "airflow.db", folder / "pristine.db")
    (folder / "bin").mkdir()
    (folder / "bin" / "airflow").symlink_to(REPO / "tests" / "support" / "airflow_cli_client.py")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update(
        AIRFLOW_HOME=str(folder / "home"),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__FERNET_KEY=Fernet.generate_key().decode(),
        HUME_AIRFLOW_CLI_SOCKET=str(folder / "cli.sock"),
        PATH=os.pathsep.join([str(folder / "bin"), str(REPO / ".venv" / "bin"), os.environ["PATH"]]),
        PYTHONWARNINGS="ignore",
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.support.airflow_cli_server", env["HUME_AIRFLOW_CLI_SOCKET"]],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
    )
    try:
        yield AirflowCli(env, server)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(folder)


@pytest.fixture
def shell_env(airflow_cli: AirflowCli) -> dict[str, str]:
    """The environment of a shell snippet; its AIRFLOW_HOME holds a migrated database no snippet has used."""
    airflow_cli.wait_ready()
    home = Path(airflow_cli.env["AIRFLOW_HOME"])
    for leftover in home.glob("airflow.db*"):
        leftover.unlink()
    shutil.copy(home.parent / "pristine.db", home / "airflow.db")
    return airflow_cli.env


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder that sees the repo's files through links and keeps what a snippet writes."""
    folder = tmp_path / "sandbox"
    folder.mkdir()
    for entry in REPO.iterdir():
        if entry.name != ".git":
            (folder / entry.name).symlink_to(entry)
    monkeypatch.chdir(folder)
    return folder


@pytest.fixture
def short_sleeps(monkeypatch: pytest.MonkeyPatch) -> None:
    """Polls and retry delays of the Hume clients sleep at most 0.1 s (the docs' poll intervals are real)."""
    from airflow_provider_hume.hooks.hume import HumeHook

    get_client, get_async_client = HumeHook.get_client, HumeHook.get_async_client

    def client(hook: HumeHook, **overrides: Any) -> Any:
        return get_client(hook, sleep=lambda seconds: time.sleep(min(seconds, 0.1)), **overrides)

    async def async_client(hook: HumeHook, **overrides: Any) -> Any:
        return await get_async_client(
            hook, sleep=lambda seconds: asyncio.sleep(min(seconds, 0.1)), **overrides
        )

    monkeypatch.setattr(HumeHook, "get_client", client)
    monkeypatch.setattr(HumeHook, "get_async_client", async_client)


@pytest.fixture
def connections(
    airflow_db: None,
    docs_emulator: EmulatorServer,
    docs_s3: Any,
    s3_server: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hume = {"conn_type": "hume", "host": docs_emulator.url, "password": DOCS_API_KEY}
    aws = {
        "conn_type": "aws",
        "login": s3_server.access_key,
        "password": s3_server.secret_key,
        "extra": {"endpoint_url": s3_server.endpoint_url, "region_name": s3_server.region},
    }
    monkeypatch.setenv("AIRFLOW_CONN_HUME_DEFAULT", json.dumps(hume))
    monkeypatch.setenv("AIRFLOW_CONN_AWS_DEFAULT", json.dumps(aws))


def test_every_block_is_run_or_marked() -> None:
    errors = []
    for snippet in SNIPPETS:
        try:
            _ = snippet.kind
        except UnrunnableSnippetError as error:
            errors.append(str(error))
    assert not errors, "\n".join(errors)
    assert {_kind(snippet) for snippet in SNIPPETS} >= {"dag", "python", "bash", "server", "json"}


@pytest.mark.parametrize("snippet", _of_kind("dag"))
def test_dag_snippet(snippet: Snippet, connections: None, short_sleeps: None, sandbox: Path) -> None:
    for dag in _dags_of(snippet):
        states = _run_dag(dag)
        assert states, f"{snippet.name}: {dag.dag_id} has no task"
        assert set(states.values()) == {"success"}, f"{snippet.name}: {states}"


@pytest.mark.parametrize("snippet", _of_kind("python"))
def test_python_snippet(snippet: Snippet, connections: None, sandbox: Path) -> None:
    exec(compile(snippet.code, snippet.name, "exec"), {"__name__": "__docs_snippet__"})


@pytest.mark.parametrize("snippet", _of_kind("bash"))
def test_bash_snippet(
    snippet: Snippet, sandbox: Path, shell_env: dict[str, str], docs_emulator: EmulatorServer
) -> None:
    result = run_bash(_script(snippet, docs_emulator), cwd=sandbox, env=shell_env, timeout=120)
    assert result.returncode == 0, f"{snippet.name} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"


@pytest.mark.parametrize("snippet", _of_kind("server"))
def test_server_snippet(
    snippet: Snippet, sandbox: Path, shell_env: dict[str, str], docs_emulator: EmulatorServer
) -> None:
    process = subprocess.Popen(
        ["bash", "-c", _script(snippet, docs_emulator)],
        cwd=sandbox,
        env=shell_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        output = _read_until(process, snippet.ready_text, deadline=time.monotonic() + 60)
        assert snippet.ready_text in output, f"{snippet.name} never printed {snippet.ready_text!r}:\n{output}"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def _dags_of(snippet: Snippet) -> list[Any]:
    """The DAGs a snippet builds, or the one it was run inside when it builds none."""
    from airflow.sdk import DAG
    from airflow.sdk.definitions._internal.contextmanager import DagContext

    try:
        from airflow.sdk import CronDataIntervalTimetable
    except ImportError:  # Airflow < 3.2
        from airflow.timetables.interval import CronDataIntervalTimetable

    module = types.ModuleType(f"docs_snippet_{snippet.line}")
    sys.modules[module.__name__] = module
    DagContext.current_autoregister_module_name = module.__name__
    dag_id = re.sub(r"\W", "_", f"docs_{snippet.path.stem}_{snippet.line}")
    try:
        with DAG(
            dag_id,
            schedule=CronDataIntervalTimetable("@daily", timezone="UTC"),
            start_date=datetime(2026, 1, 1, tzinfo=timezone.utc),
        ) as outer:
            exec(compile(snippet.code, snippet.name, "exec"), module.__dict__)
    finally:
        DagContext.current_autoregister_module_name = None
        del sys.modules[module.__name__]
    built = {entry for entry in DagContext.autoregistered_dags if entry[1] is module}
    DagContext.autoregistered_dags -= built
    own = [dag for dag, _ in built if dag is not outer]
    return own or [outer]


def _run_dag(dag: Any) -> dict[str, str]:
    """Run ``dag`` with ``dag.test()``; each task's final state."""
    from airflow.models import TaskInstance
    from airflow.utils.session import create_session

    _serialize(dag)
    dag_run = dag.test(logical_date=LOGICAL_DATE)
    with create_session() as session:
        tis = session.query(TaskInstance).filter_by(dag_id=dag.dag_id, run_id=dag_run.run_id).all()
        return {f"{ti.task_id}[{ti.map_index}]": str(ti.state) for ti in tis}


def _script(snippet: Snippet, emulator: EmulatorServer) -> str:
    port = _free_port() if "hume-emulator" in snippet.code else int(emulator.url.rsplit(":", 1)[1])
    stop_background = "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n"
    return stop_background + EMULATOR_PORT.sub(str(port), snippet.code)


def _copy_database(source: Path, target: Path) -> None:
    """Copy a SQLite database with what its write-ahead log holds."""
    with closing(sqlite3.connect(source)) as original, closing(sqlite3.connect(target)) as copy:
        original.backup(copy)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _read_until(process: subprocess.Popen[bytes], text: str, deadline: float) -> str:
    """What the process printed until ``text`` (or its end, or the deadline), read without buffering ahead."""
    assert process.stdout is not None
    output = b""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while text.encode() not in output and time.monotonic() < deadline:
            if selector.select(timeout=max(0.0, deadline - time.monotonic())):
                chunk = os.read(process.stdout.fileno(), 65536)
                if not chunk:
                    break
                output += chunk
    return output.decode(errors="replace")
