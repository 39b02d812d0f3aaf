"""The API key appears nowhere in a real Airflow: scheduler, triggerer, dag-processor, api-server, worker.

Scenarios, each one DAG run (or one API call) on the session's stack, one after the other so what each wrote
can be told apart:

* success: ``hume_secrets_success`` (submit -> deferrable sensor -> predictions to S3) on ``hume_default``;
* an echoing gateway: ``hume_secrets_echo`` through a :class:`~tests.support.fault_proxy.FaultProxy` whose
  answers to job-details polls echo the key (a 503 JSON message, a 200 HTML page, a 302 ``Location``, each
  with the key across the cut of the message), so both the worker's first poll and the triggerer see it;
* a connection test through the REST API whose job list is a 200 HTML page echoing the key.

Then every place the stack wrote to is searched for the key and for any 12-character piece of it: what each
service's log file gained during the scenario (api-server, scheduler, dag-processor, triggerer, the
emulator's and the S3 server's), the task log files (the trigger's included), the task logs, XCom and the
task instances (with their trigger) through the REST API, and the rows of the DAG and of the ``trigger``
table in the metadata DB (SQLite, read-only). The DAGs live in ``tests/e2e/dags``, a second DAG bundle of the
e2e stack. Set ``HUME_KEY_LEAK_REPORT`` to a file path to get the counts as JSON lines (and the text
searched, per scenario and place, in a ``.places`` folder beside it).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.support.fault_proxy import FaultProxy, echo_key
from tests.support.key_search import Traces, count_places, text_of, write_report

DETAILS = r"/v0/batch/jobs/[^/]+"
JOBS = "/v0/batch/jobs"
PROXY_CONN = "hume_secrets_proxy"
#: Where an echoed key starts so that it straddles the cut of a body (500) or of a ``Location`` (200).
ACROSS_THE_CUT = 500 - 24
ACROSS_THE_LOCATION_CUT = 200 - 24
SERVICE_LOGS = ("api-server", "scheduler", "dag-processor", "triggerer", "emulator", "s3")
RUN_TIMEOUT = 120.0


class GrowingFiles:
    """What the stack's log files gain from now on: each service's log, and every file of the task logs."""

    def __init__(self, work_dir: Path, home: Path) -> None:
        self.services = {name: work_dir / f"{name}.log" for name in SERVICE_LOGS}
        self.task_logs = home / "logs"
        self.sizes = {path: path.stat().st_size for path in self._files()}

    def _files(self) -> list[Path]:
        task_logs = sorted(self.task_logs.rglob("*")) if self.task_logs.exists() else []
        return [path for path in [*self.services.values(), *task_logs] if path.is_file()]

    def _new(self, path: Path) -> str:
        with path.open("rb") as file:
            file.seek(self.sizes.get(path, 0))
            return file.read().decode("utf-8", errors="replace")

    def read(self) -> dict[str, str]:
        """Per service ``"<name> log"``, plus ``"task log files"`` (names and new content)."""
        places = {f"{name} log": "" for name in self.services}
        task_files: list[str] = []
        for path in self._files():
            if path.is_relative_to(self.task_logs):
                task_files += [str(path), self._new(path)]
            else:
                places[f"{path.stem} log"] = self._new(path)
        places["task log files"] = "\n".join(task_files)
        return places


@dataclass
class Search:
    """What one scenario produced, reduced to searchable text per place."""

    places: dict[str, str] = field(default_factory=dict)

    def add(self, place: str, value: Any) -> None:
        self.places[place] = self.places.get(place, "") + "\n" + text_of(value)


@dataclass(frozen=True)
class Stack:
    """The session's e2e stack as this module uses it."""

    e2e: Any

    @property
    def api(self) -> Any:
        return self.e2e.api

    @property
    def key(self) -> str:
        return str(self.e2e.stack.hume_api_key)

    @property
    def home(self) -> Path:
        return Path(self.e2e.api.handle.home)

    def files(self) -> GrowingFiles:
        return GrowingFiles(self.home.parent, self.home)

    @contextlib.contextmanager
    def db(self) -> Iterator[sqlite3.Connection]:
        """The metadata DB, read-only."""
        connection = sqlite3.connect(f"file:{self.home / 'airflow.db'}?mode=ro", uri=True, timeout=30)
        try:
            yield connection
        finally:
            connection.close()


@pytest.fixture(scope="module")
def stack(e2e: Any) -> Stack:
    return Stack(e2e)


def _triggers(stack: Stack) -> list[Any]:
    with stack.db() as db:
        return db.execute("SELECT * FROM trigger").fetchall()


def _dag_rows(stack: Stack, dag_id: str) -> list[Any]:
    """Rows of ``dag_id`` in every table with a ``dag_id`` column."""
    rows: list[Any] = []
    with stack.db() as db:
        tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            columns = [row[1] for row in db.execute(f'PRAGMA table_info("{table}")')]
            if "dag_id" in columns:
                found = db.execute(f'SELECT * FROM "{table}" WHERE dag_id = ?', (dag_id,)).fetchall()
                rows += [table, *found]
    return rows


def _run(stack: Stack, dag_id: str, search: Search) -> tuple[str, dict[str, set[str]], str]:
    """Trigger ``dag_id`` and watch it end, keeping every task-instance answer and ``trigger`` row seen."""
    api = stack.api
    run_id = api.trigger(dag_id)
    base = f"/api/v2/dags/{dag_id}/dagRuns/{run_id}"
    seen: dict[str, set[str]] = {}
    deadline = time.monotonic() + RUN_TIMEOUT
    while True:
        tis = api.get(f"{base}/taskInstances")
        search.add("REST task instances", tis)
        search.add("trigger table", _triggers(stack))
        for ti in tis["task_instances"]:
            seen.setdefault(ti["task_id"], set()).add(str(ti["state"]))
        state = str(api.get(base)["state"])
        if state in ("success", "failed"):
            return state, seen, run_id
        assert time.monotonic() < deadline, f"run {run_id} of {dag_id} did not end: {seen}"
        time.sleep(0.3)


def _gather(stack: Stack, dag_id: str, run_id: str, search: Search) -> None:
    """Task logs, XCom and task instances through the REST API; the DAG's rows and the trigger table."""
    api = stack.api
    base = f"/api/v2/dags/{dag_id}/dagRuns/{run_id}"
    tis = api.get(f"{base}/taskInstances")["task_instances"]
    search.add("REST task instances", tis)
    for ti in tis:
        for attempt in range(1, int(ti["try_number"] or 0) + 1):
            path = f"{base}/taskInstances/{ti['task_id']}/logs/{attempt}"
            log = api.get(path, params={"full_content": "true"}, headers={"Accept": "application/json"})
            search.add("REST task logs", log)
    entries = api.get(f"{base}/taskInstances/~/xcomEntries")["xcom_entries"]
    for entry in entries:
        path = f"{base}/taskInstances/{entry['task_id']}/xcomEntries/{entry['key']}"
        search.add("REST XCom", api.get(path, params={"map_index": entry["map_index"]}))
    search.places.setdefault("REST XCom", "")
    search.add("trigger table", _triggers(stack))
    search.add("metadata DB rows of the DAG", _dag_rows(stack, dag_id))


def _assert_nowhere(scenario: str, search: Search, files: GrowingFiles, key: str) -> None:
    for place, text in files.read().items():
        search.add(place, text)
    emulator_log = files.services["emulator"]
    search.add("emulator log, whole file", emulator_log.read_bytes() if emulator_log.exists() else b"")
    counts = count_places(search.places, (key,))
    write_report("e2e", scenario, search.places, counts)
    found: dict[str, Traces] = {place: traces for place, traces in counts.items() if traces.total}
    assert not found, f"{scenario}: the key (or a piece of it) was found in {found}"


def test_success(stack: Stack) -> None:
    files, search = stack.files(), Search()
    state, seen, run_id = _run(stack, "hume_secrets_success", search)
    _gather(stack, "hume_secrets_success", run_id, search)
    assert state == "success", seen
    assert "deferred" in seen["wait_for_job"], f"the sensor never deferred: {seen['wait_for_job']}"
    assert "HumeJobTrigger" in search.places["trigger table"]
    _assert_nowhere("success", search, files, stack.key)


@pytest.fixture
def echoing_proxy(stack: Stack) -> Iterator[FaultProxy]:
    """A proxy in front of the stack's emulator, and the ``hume_secrets_proxy`` connection pointing at it."""
    if not stack.e2e.stack.emulated:
        pytest.skip("the fault proxy forwards to a loopback emulator only")
    with FaultProxy(stack.e2e.stack.hume_url) as proxy:
        conn = {
            "connection_id": PROXY_CONN,
            "conn_type": "hume",
            "host": proxy.url,
            "password": stack.key,
            "extra": json.dumps({"max_retries": 0, "timeout": 10}),
        }
        response = stack.api.post("/api/v2/connections", conn)
        assert response.status_code == 201, response.text
        try:
            yield proxy
        finally:
            stack.api.session.delete(f"{stack.api.handle.url}/api/v2/connections/{PROXY_CONN}", timeout=30)


def test_a_gateway_echoing_the_key_to_the_worker_and_the_triggerer(
    stack: Stack, echoing_proxy: FaultProxy
) -> None:
    """Poll 1 (the worker's) and 2 get a 503 JSON echo, poll 3 a 200 HTML page, then 302s: three failed polls
    in a row in the triggerer end the wait (``max_consecutive_poll_errors=2``) and the task fails."""
    rules = [
        echoing_proxy.inject("GET", DETAILS, echo_key(503, key_at=ACROSS_THE_CUT), times=2),
        echoing_proxy.inject("GET", DETAILS, echo_key(200, json=False, key_at=ACROSS_THE_CUT)),
        echoing_proxy.inject("GET", DETAILS, echo_key(302, key_at=ACROSS_THE_LOCATION_CUT), times=50),
    ]
    files, search = stack.files(), Search()
    state, seen, run_id = _run(stack, "hume_secrets_echo", search)
    _gather(stack, "hume_secrets_echo", run_id, search)
    assert state == "failed", seen
    assert "deferred" in seen["wait_for_job"], f"the sensor never deferred: {seen['wait_for_job']}"
    assert "failed" in seen["wait_for_job"], seen
    hits = [rule.hits for rule in rules]
    assert hits[:2] == [2, 1], hits
    assert hits[2] >= 1, hits
    logs = search.places["REST task logs"]
    for evidence in ("HTTP 503: upstream said: bad key ....", "not JSON for job", "redirecting to https://"):
        assert evidence in logs, f"{evidence!r} not in the task logs"
    _assert_nowhere("gateway echoing the key on job-details polls", search, files, stack.key)


def test_a_connection_test_whose_job_list_echoes_the_key(stack: Stack, echoing_proxy: FaultProxy) -> None:
    """``POST /api/v2/connections/test`` (the api-server runs ``test_connection``): a 200 HTML job list.

    The ``v1`` runs list is not behind the rule, so the test passes on ``v1`` and reports ``v0``'s answer.
    """
    rule = echoing_proxy.inject("GET", JOBS, echo_key(200, json=False, key_at=ACROSS_THE_CUT))
    files, search = stack.files(), Search()
    body = {"connection_id": "hume_secrets_test", "conn_type": "hume", "host": echoing_proxy.url}
    response = stack.api.post("/api/v2/connections/test", {**body, "password": stack.key})
    assert response.status_code == 200, response.text
    search.add("REST connection test answer", response.text)
    result = response.json()
    assert rule.hits == 1
    assert result["status"] is True, "the v1 API (not behind the rule) accepted the key"
    assert "v0: " in result["message"]
    assert "not JSON for the job list" in result["message"]
    _assert_nowhere("connection test with an echoing job list", search, files, stack.key)
