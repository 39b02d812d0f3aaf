"""Job callbacks (§8): POSTed when a job ends, even if nobody polls; 3 tries with backoff; loopback only."""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from airflow_provider_hume.emulator.backend.settings import EmulatorSettings, FaultSettings
from airflow_provider_hume.emulator.server import EmulatorServer

KEY = "callback-key"
DEADLINE_SECONDS = 15.0


@dataclass
class Receiver:
    """A loopback HTTP server recording callback bodies; it answers ``statuses`` in turn, then 200."""

    url: str
    statuses: list[int] = field(default_factory=list)
    bodies: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    record = Receiver(url="")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            record.bodies.append(json.loads(self.rfile.read(length)))
            self.send_response(record.statuses.pop(0) if record.statuses else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """Keep test output quiet."""

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    record.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield record
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorServer]:
    settings = EmulatorSettings(queue_seconds=0, run_seconds=0.1, callback_backoff_seconds=0.05)
    with EmulatorServer([KEY], settings=settings) as server:
        yield server


@contextmanager
def faults(server: EmulatorServer, **changes: Any) -> Iterator[None]:
    """Faults for the jobs created in a ``with`` block (decided at creation, so no race with the clock)."""
    server.state.faults.set(FaultSettings(**changes))
    try:
        yield
    finally:
        server.state.faults.set(FaultSettings())


def submit(server: EmulatorServer, **body: Any) -> str:
    response = requests.post(
        f"{server.url}/v0/batch/jobs", json=body, headers={"X-Hume-Api-Key": KEY}, timeout=10
    )
    assert response.status_code == 200, response.text
    job_id: str = response.json()["job_id"]
    return job_id


def callback_record(
    server: EmulatorServer, job_id: str, done: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """Poll the counters until the job's callback record satisfies ``done``."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        records = {record["job_id"]: record for record in server.state.counters.snapshot()["callbacks"]}
        record = records.get(job_id)
        if record is not None and done(record):
            return record
        assert time.monotonic() < deadline, f"callback of {job_id} never got there: {record}"
        time.sleep(0.02)


def finished(record: dict[str, Any]) -> bool:
    return bool(record["outcome"] != "pending")


def test_completed_job_posts_its_predictions_without_polling(
    emulator: EmulatorServer, receiver: Receiver
) -> None:
    job_id = submit(emulator, models={"language": {}}, text=["Hello there."], callback_url=receiver.url)
    record = callback_record(emulator, job_id, finished)
    assert record == {"job_id": job_id, "url": receiver.url, "outcome": "delivered", "statuses": [200]}
    [body] = receiver.bodies
    assert body["job_id"] == job_id
    assert body["status"] == "COMPLETED"
    predictions = requests.get(
        f"{emulator.url}/v0/batch/jobs/{job_id}/predictions", headers={"X-Hume-Api-Key": KEY}, timeout=10
    ).json()
    assert body["predictions"] == predictions
    assert set(body) == {"job_id", "status", "predictions"}


def test_failed_job_posts_its_message(emulator: EmulatorServer, receiver: Receiver) -> None:
    with faults(emulator, job_failure_rate=1, job_failure_message="out of credits"):
        job_id = submit(emulator, text=["x"], callback_url=receiver.url)
    callback_record(emulator, job_id, finished)
    assert receiver.bodies == [{"job_id": job_id, "status": "FAILED", "message": "out of credits"}]


def test_retries_until_the_receiver_accepts(emulator: EmulatorServer, receiver: Receiver) -> None:
    receiver.statuses = [500, 500]
    job_id = submit(emulator, text=["x"], callback_url=receiver.url)
    record = callback_record(emulator, job_id, finished)
    assert record["outcome"] == "delivered"
    assert record["statuses"] == [500, 500, 200]
    assert len(receiver.bodies) == 3
    assert receiver.bodies[0] == receiver.bodies[2]


def test_gives_up_after_three_tries(emulator: EmulatorServer, receiver: Receiver) -> None:
    receiver.statuses = [503, 503, 503, 503]
    job_id = submit(emulator, text=["x"], callback_url=receiver.url)
    record = callback_record(emulator, job_id, finished)
    assert (record["outcome"], record["statuses"]) == ("failed", [503, 503, 503])
    assert len(receiver.bodies) == 3


def test_unreachable_receiver_is_recorded(emulator: EmulatorServer) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{unused.getsockname()[1]}/gone"
    job_id = submit(emulator, text=["x"], callback_url=url)
    assert callback_record(emulator, job_id, finished)["statuses"] == [None, None, None]


def test_non_loopback_target_is_skipped(emulator: EmulatorServer) -> None:
    job_id = submit(emulator, text=["x"], callback_url="http://192.0.2.1/hook")
    record = callback_record(emulator, job_id, finished)
    assert record == {"job_id": job_id, "url": "http://192.0.2.1/hook", "outcome": "skipped", "statuses": []}


def test_held_job_sends_nothing(emulator: EmulatorServer, receiver: Receiver) -> None:
    with faults(emulator, queue_delay_seconds=60):
        job_id = submit(emulator, text=["x"], callback_url=receiver.url)
    emulator.state.hold_job(job_id)
    other = submit(emulator, text=["y"], callback_url=receiver.url)
    callback_record(emulator, other, finished)
    assert [body["job_id"] for body in receiver.bodies] == [other]
