"""The API key appears nowhere, whatever the run meets: success, a FAILED job, a rejected key, a server or
gateway echoing the key (in a 5xx, in a 200 that is not JSON, in a redirect), a refused connection.

Each scenario runs a whole DAG with ``dag.test()`` (submit -> deferrable sensor, whose trigger runs inline ->
predictions to S3) and then searches every place a run writes to for the key and for any 12-character piece
of it (a message that cut an echoed key before masking it shows only a prefix, which Airflow's own secret
masker does not recognise): the captured stdout and stderr (task logs, the trigger's log, Airflow's and the
in-process emulator's log lines), the log records of every logger at DEBUG, the files under
``$AIRFLOW_HOME/logs``, XCom, rendered fields, the ``trigger`` table (decrypted kwargs), the task instances
(``next_kwargs`` carries the trigger's event) and every other metadata row of the DAG. The echoes come from
:func:`tests.support.fault_proxy.echo_key`, a proxy in front of the session's emulator.

Set ``HUME_KEY_LEAK_REPORT`` to a file path to get the counts per place and scenario as JSON lines (and the
text searched, per scenario and place, in a ``.places`` folder beside it).
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from airflow.sdk import DAG

from airflow_provider_hume.emulator.admin_client import EmulatorAdmin
from airflow_provider_hume.hooks.hume import HumeHook
from airflow_provider_hume.operators.batch import HumeBatchSubmitOperator
from airflow_provider_hume.operators.stream import HumeStreamOperator
from airflow_provider_hume.sensors.job import HumeJobSensor
from airflow_provider_hume.transfers import HumePredictionsToS3Operator
from tests.integration.client.stream_fake_server import FakeStreamServer
from tests.support import fault_proxy as proxies
from tests.support.fault_proxy import FaultProxy, echo_key
from tests.support.key_search import count_places, files_text, text_of, write_report

fault_proxy = proxies.fault_proxy

START = datetime(2026, 1, 1)
CONN_ID = "hume_secrets"
DETAILS = r"/v0/batch/jobs/[^/]+"
JOBS = "/v0/batch/jobs"
PREDICTIONS = r"/v0/batch/jobs/[^/]+/predictions"
STREAM = "/v0/stream/models"
#: Where an echoed key starts so that it straddles the 500-character cut of bodies in messages.
ACROSS_THE_CUT = 500 - 24
#: The same for the 200-character cut of a redirect's ``Location``.
ACROSS_THE_LOCATION_CUT = 200 - 24


@dataclass
class Search:
    """What one scenario produced, reduced to searchable text per place."""

    places: dict[str, str] = field(default_factory=dict)

    def add(self, place: str, value: Any) -> None:
        self.places[place] = self.places.get(place, "") + "\n" + text_of(value)


class _Records(logging.Handler):
    """Every log record of the process, formatted with its traceback."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []
        self.emulator_lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
        except Exception as exc:  # a record whose arguments do not format still counts
            line = f"{record.name} {record.msg!r} {record.args!r} ({exc!r})"
        self.lines.append(line)
        if record.name.startswith(("uvicorn", "airflow_provider_hume.emulator", "fastapi", "starlette")):
            self.emulator_lines.append(line)


DEBUG_LOGGERS = ("airflow_provider_hume", "urllib3", "aiohttp", "requests", "websockets", "uvicorn", "httpx")


@pytest.fixture
def records() -> Iterator[_Records]:
    """Log records of every logger, with the HTTP libraries' and the provider's turned up to DEBUG."""
    handler = _Records()
    root = logging.getLogger()
    root.addHandler(handler)
    levels = {name: logging.getLogger(name).level for name in DEBUG_LOGGERS}
    for name in DEBUG_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


@pytest.fixture
def admin(emulator: Any) -> Iterator[EmulatorAdmin]:
    with EmulatorAdmin(emulator.url, emulator.api_key) as client:
        yield client


def _use_connection(monkeypatch: pytest.MonkeyPatch, url: str, api_key: str) -> None:
    """``hume_secrets``: no retries (one answer per request, quick runs), a short timeout."""
    conn = {
        "conn_type": "hume",
        "host": url,
        "password": api_key,
        "extra": {"timeout": 10, "max_retries": 0},
    }
    monkeypatch.setenv(f"AIRFLOW_CONN_{CONN_ID.upper()}", json.dumps(conn))


def _pipeline(dag_id: str, bucket: str) -> DAG:
    """Submit -> deferrable sensor (one failed poll tolerated in a row) -> predictions to S3."""
    with DAG(dag_id, schedule=None, start_date=START) as dag:
        submit = HumeBatchSubmitOperator(
            task_id="submit", text=["Secrets stay secret."], hume_conn_id=CONN_ID, poll_interval=1
        )
        wait = HumeJobSensor(
            task_id="wait",
            job_id=submit.output,
            hume_conn_id=CONN_ID,
            deferrable=True,
            poke_interval=1,
            timeout=60,
            max_consecutive_poll_errors=1,
        )
        wait >> HumePredictionsToS3Operator(
            task_id="predictions",
            job_id=submit.output,
            hume_conn_id=CONN_ID,
            s3_bucket=bucket,
            s3_key="secrets/{{ run_id }}.json",
            replace=True,
        )
    return dag


def _trigger_ids() -> set[int]:
    from airflow.models.trigger import Trigger
    from airflow.utils.session import create_session

    with create_session() as session:
        return {row.id for row in session.query(Trigger.id)}


def _metadata(dag_id: str, triggers_before: set[int], search: Search) -> None:
    """XCom, rendered fields, task instances, the ``trigger`` table and every other row of ``dag_id``."""
    import sqlalchemy as sa
    from airflow.models.base import Base
    from airflow.models.renderedtifields import RenderedTaskInstanceFields
    from airflow.models.taskinstance import TaskInstance
    from airflow.models.trigger import Trigger
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        xcoms = session.query(XComModel).filter_by(dag_id=dag_id).all()
        search.add("xcom", [(x.task_id, x.key, x.value) for x in xcoms])
        rendered = session.query(RenderedTaskInstanceFields).filter_by(dag_id=dag_id).all()
        search.add("rendered fields", [row.rendered_fields for row in rendered])
        tis = session.query(TaskInstance).filter_by(dag_id=dag_id).all()
        search.add("task instances", [(ti.task_id, ti.state, ti.next_method, ti.next_kwargs) for ti in tis])
        triggers = [row for row in session.query(Trigger) if row.id not in triggers_before]
        search.add("trigger table", [(t.classpath, t.kwargs, t.encrypted_kwargs) for t in triggers])
        rows = []
        for table in Base.metadata.sorted_tables:
            if "dag_id" in table.c:
                result = session.execute(sa.select(table).where(table.c.dag_id == dag_id))
                rows.extend([table.name, *map(tuple, result)])
        search.add("metadata DB rows", rows)
    search.places.setdefault("trigger table", "")


def _assert_nowhere(scenario: str, search: Search, keys: tuple[str, ...]) -> None:
    counts = count_places(search.places, keys)
    write_report("integration", scenario, search.places, counts)
    found = {place: traces for place, traces in counts.items() if traces.total}
    assert not found, f"{scenario}: the key (or a piece of it) was found in {found}"


Run = Callable[[DAG], dict[str, Any]]


@dataclass
class Harness:
    """Runs a scenario's DAG (or any callable) and gathers every place it wrote to."""

    run_dag: Run
    capfd: pytest.CaptureFixture[str]
    records: _Records

    def start(self) -> tuple[set[int], Search]:
        self.capfd.readouterr()
        self.records.lines.clear()
        self.records.emulator_lines.clear()
        return _trigger_ids(), Search()

    def finish(self, search: Search, dag_id: str | None, triggers_before: set[int]) -> str:
        captured = self.capfd.readouterr()
        output = captured.out + captured.err
        search.add("stdout/stderr", output)
        search.add("log records", self.records.lines)
        search.add("emulator log", self.records.emulator_lines)
        search.add("log files", files_text(Path(os.environ["AIRFLOW_HOME"]) / "logs"))
        if dag_id is not None:
            _metadata(dag_id, triggers_before, search)
        return output

    def dag(self, dag: DAG) -> tuple[dict[str, Any], str, Search]:
        triggers_before, search = self.start()
        outcome = self.run_dag(dag)
        search.add("xcom", outcome)
        output = self.finish(search, dag.dag_id, triggers_before)
        return outcome, output, search


@pytest.fixture
def harness(connections: None, run_dag: Run, capfd: pytest.CaptureFixture[str], records: _Records) -> Harness:
    return Harness(run_dag, capfd, records)


def _states(outcome: dict[str, Any]) -> dict[str, str]:
    return {task: value["state"] for task, value in outcome.items() if isinstance(value, dict)}


#: Extra seconds a job stays QUEUED unless released: far longer than any task takes to start.
HELD_SECONDS = 60


@contextmanager
def _held_until_deferred(admin: EmulatorAdmin, **faults: Any) -> Iterator[None]:
    """Jobs created in the block stay QUEUED until a trigger is stored, then end at once.

    So the sensor's first poll always finds its job unfinished and defers, however slowly ``dag.test()``
    starts the task (a fixed 3 s delay was too short on Airflow 3.1, whose in-process runs start slower).
    """
    before = _trigger_ids()
    stop = threading.Event()

    def release_once_deferred() -> None:
        deadline = time.monotonic() + HELD_SECONDS
        while not stop.is_set() and time.monotonic() < deadline:
            if _trigger_ids() - before:
                for job in admin.jobs():
                    if job["status"] in ("QUEUED", "IN_PROGRESS"):
                        admin.release_job(job["job_id"])
                return
            stop.wait(0.1)

    watcher = threading.Thread(target=release_once_deferred, daemon=True)
    with admin.faults_injected(queue_delay_seconds=HELD_SECONDS, **faults):
        watcher.start()
        try:
            yield
        finally:
            stop.set()
            watcher.join(timeout=10)


def test_success(
    emulator: Any, bucket: str, harness: Harness, admin: EmulatorAdmin, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use_connection(monkeypatch, emulator.url, emulator.api_key)
    with _held_until_deferred(admin):
        outcome, _, search = harness.dag(_pipeline("secrets_success", bucket))
    assert _states(outcome) == {"submit": "success", "wait": "success", "predictions": "success"}, outcome
    assert "HumeJobTrigger" in search.places["trigger table"], "the sensor should have deferred"
    _assert_nowhere("success", search, (emulator.api_key,))


def test_a_failed_job_whose_message_echoes_the_key(
    emulator: Any, bucket: str, harness: Harness, admin: EmulatorAdmin, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The job ends FAILED and Hume's own ``state.message`` holds the key: the message shows ``***``."""
    _use_connection(monkeypatch, emulator.url, emulator.api_key)
    message = f"upstream said: bad key {emulator.api_key}"
    with _held_until_deferred(admin, job_failure_rate=1, job_failure_message=message):
        outcome, output, search = harness.dag(_pipeline("secrets_job_failed", bucket))
    assert _states(outcome)["wait"] == "failed", outcome
    assert "HumeJobTrigger" in search.places["trigger table"], "the sensor should have deferred"
    assert "failed: upstream said: bad key ***" in output
    _assert_nowhere("FAILED job", search, (emulator.api_key,))


def test_a_rejected_key(
    emulator: Any, bucket: str, harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A key the server does not know: neither it nor the session's key shows anywhere."""
    rejected = f"rejected{secrets.token_hex(20)}"
    _use_connection(monkeypatch, emulator.url, rejected)
    outcome, output, search = harness.dag(_pipeline("secrets_rejected_key", bucket))
    assert _states(outcome)["submit"] == "failed", outcome
    assert "Hume rejected the API key" in output
    ok, message = HumeHook(CONN_ID).test_connection()
    assert not ok
    search.add("test_connection message", message)
    _assert_nowhere("rejected key", search, (rejected, emulator.api_key))


@dataclass(frozen=True)
class Echo:
    """A proxy rule echoing the key, and what the run shows for it."""

    name: str
    method: str
    path: str
    status: int
    json: bool = True
    key_at: int | None = None
    #: The task that fails on it, and a phrase of its error in the output.
    failed_task: str = "wait"
    evidence: str = ""


ECHOES = [
    Echo("503 JSON on details", "GET", DETAILS, 503, evidence="Hume server error (HTTP 503: upstream said"),
    Echo(
        "503 JSON on details, key across the cut",
        "GET",
        DETAILS,
        503,
        key_at=ACROSS_THE_CUT,
        evidence="...***).",
    ),
    Echo("200 HTML on details", "GET", DETAILS, 200, json=False, evidence="not JSON for job"),
    Echo(
        "200 HTML on details, key across the cut",
        "GET",
        DETAILS,
        200,
        json=False,
        key_at=ACROSS_THE_CUT,
        evidence="more characters",
    ),
    Echo("200 HTML on submit", "POST", JOBS, 200, json=False, failed_task="submit", evidence="the new job"),
    Echo(
        "200 HTML on submit, key across the cut",
        "POST",
        JOBS,
        200,
        json=False,
        key_at=ACROSS_THE_CUT,
        failed_task="submit",
        evidence="more characters",
    ),
    Echo(
        "503 JSON on predictions",
        "GET",
        PREDICTIONS,
        503,
        key_at=ACROSS_THE_CUT,
        failed_task="predictions",
        evidence="HTTP 503",
    ),
    Echo(
        "200 HTML on predictions",
        "GET",
        PREDICTIONS,
        200,
        json=False,
        key_at=ACROSS_THE_CUT,
        failed_task="predictions",
        evidence="did not arrive whole",
    ),
    Echo(
        "302 Location on details",
        "GET",
        DETAILS,
        302,
        key_at=ACROSS_THE_LOCATION_CUT,
        evidence="redirects are not followed",
    ),
]


@pytest.mark.parametrize("echo", ECHOES, ids=[echo.name for echo in ECHOES])
def test_a_server_echoing_the_key(
    echo: Echo,
    emulator: Any,
    bucket: str,
    harness: Harness,
    fault_proxy: FaultProxy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _use_connection(monkeypatch, fault_proxy.url, emulator.api_key)
    rule = fault_proxy.inject(
        echo.method, echo.path, echo_key(echo.status, json=echo.json, key_at=echo.key_at), times=20
    )
    dag_id = "secrets_echo_" + "".join(c if c.isalnum() else "_" for c in echo.name.lower())
    outcome, output, search = harness.dag(_pipeline(dag_id, bucket))
    assert rule.hits, f"the proxy never answered {echo.method} {echo.path}"
    assert _states(outcome)[echo.failed_task] == "failed", outcome
    assert echo.evidence in output, f"{echo.evidence!r} not in the run's output"
    _assert_nowhere(f"echo: {echo.name}", search, (emulator.api_key,))


@pytest.mark.parametrize("key_at", [None, ACROSS_THE_CUT], ids=["short", "key across the cut"])
def test_a_job_list_echoing_the_key_in_test_connection(
    emulator: Any,
    harness: Harness,
    fault_proxy: FaultProxy,
    monkeypatch: pytest.MonkeyPatch,
    key_at: int | None,
) -> None:
    """``test_connection`` lists one run and one job; the job list is a 200 HTML page echoing the key."""
    _use_connection(monkeypatch, fault_proxy.url, emulator.api_key)
    rule = fault_proxy.inject("GET", JOBS, echo_key(200, json=False, key_at=key_at))
    triggers_before, search = harness.start()
    ok, message = HumeHook(CONN_ID).test_connection()
    search.add("test_connection message", message)
    harness.finish(search, None, triggers_before)
    assert rule.hits == 1
    assert ok, "the v1 API (not behind the rule) accepted the key"
    assert "v0: " in message
    assert "not JSON for the job list" in message
    _assert_nowhere(
        f"test_connection: job list HTML ({'across the cut' if key_at else 'short'})",
        search,
        (emulator.api_key,),
    )


def test_a_refused_connection(
    emulator: Any, bucket: str, harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing listens on the connection's port: the submit fails at once, naming the URL, not the key."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    _use_connection(monkeypatch, closed, emulator.api_key)
    outcome, output, search = harness.dag(_pipeline("secrets_refused", bucket))
    ok, message = HumeHook(CONN_ID).test_connection()
    search.add("test_connection message", message)
    assert _states(outcome)["submit"] == "failed", outcome
    assert "Could not get an answer from Hume" in output
    assert not ok
    _assert_nowhere("refused connection", search, (emulator.api_key,))


def _stream_dag(dag_id: str) -> DAG:
    with DAG(dag_id, schedule=None, start_date=START) as dag:
        HumeStreamOperator(
            task_id="stream", texts=["Secrets stay secret."], hume_conn_id=CONN_ID, max_connections=1
        )
    return dag


def test_streaming_success(emulator: Any, harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    _use_connection(monkeypatch, emulator.url, emulator.api_key)
    outcome, _, search = harness.dag(_stream_dag("secrets_stream_success"))
    assert _states(outcome) == {"stream": "success"}, outcome
    _assert_nowhere("streaming success", search, (emulator.api_key,))


@pytest.mark.parametrize(
    ("status", "evidence"),
    [(302, "redirects are not followed"), (503, "refused the streaming connection (HTTP 503)")],
    ids=["302 Location", "503 JSON"],
)
def test_a_streaming_handshake_echoing_the_key(
    status: int,
    evidence: str,
    emulator: Any,
    harness: Harness,
    fault_proxy: FaultProxy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The websocket handshake is answered by the proxy: a redirect or a 503 whose body echoes the key."""
    _use_connection(monkeypatch, fault_proxy.url, emulator.api_key)
    rule = fault_proxy.inject("GET", STREAM, echo_key(status, key_at=ACROSS_THE_LOCATION_CUT), times=5)
    outcome, output, search = harness.dag(_stream_dag(f"secrets_stream_handshake_{status}"))
    assert rule.hits
    assert _states(outcome) == {"stream": "failed"}, outcome
    assert evidence in output
    _assert_nowhere(f"streaming handshake {status}", search, (emulator.api_key,))


@pytest.mark.parametrize("key_at", [0, ACROSS_THE_CUT], ids=["short", "key across the cut"])
def test_a_streaming_error_reply_echoing_the_key(
    key_at: int, emulator: Any, harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hume's streaming API answers the payload with an error whose message holds the key."""
    message = "bad key ".ljust(key_at, ".") + emulator.api_key
    with FakeStreamServer(api_key=emulator.api_key) as server:
        server.script.append({"error": message, "code": "E0101"})
        _use_connection(monkeypatch, server.url, emulator.api_key)
        outcome, output, search = harness.dag(_stream_dag(f"secrets_stream_error_{key_at}"))
    assert server.messages, "the payload should have reached the server"
    assert _states(outcome) == {"stream": "failed"}, outcome
    assert "E0101" in output
    _assert_nowhere(f"streaming error reply ({key_at})", search, (emulator.api_key,))
