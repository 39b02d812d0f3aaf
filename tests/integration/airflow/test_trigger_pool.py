"""Many ``HumeJobTrigger`` s in one event loop, as a triggerer runs them, against the emulator.

They share one pool and a handful of connections, closed when the last trigger ends or is cancelled. Only
sleeps are shortened.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from airflow_provider_hume.client.async_pool import MAX_CONNECTIONS, PoolSettings, pool_users
from airflow_provider_hume.emulator.server import EmulatorServer
from airflow_provider_hume.triggers.job import HumeJobTrigger
from tests.support.fault_proxy import FaultProxy
from tests.support.recording_hook import RecordingSleepHook
from tests.support.tcp_connections import connections_to

TRIGGERS = 30
POLL_SECONDS = 0.2  # what each trigger really sleeps between polls (it asks for its poll_interval)


@pytest.fixture(scope="module")
def slow_emulator() -> Iterator[EmulatorServer]:
    """An emulator whose jobs stay IN_PROGRESS for 1.5 s, so every trigger polls several times."""
    with EmulatorServer(api_keys=[API_KEY], queue_seconds=0.0, run_seconds=1.5) as server:
        yield server


API_KEY = secrets.token_hex(24)


@pytest.fixture(autouse=True)
def no_proxy_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture
def conn_id(slow_emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> str:
    conn = {"conn_type": "hume", "host": slow_emulator.url, "password": API_KEY}
    monkeypatch.setenv("AIRFLOW_CONN_HUME_POOL_TEST", json.dumps(conn))
    return "hume_pool_test"


def _port(emulator: EmulatorServer) -> int:
    port = urlsplit(emulator.url).port
    assert port is not None
    return port


def _settings(emulator: EmulatorServer) -> PoolSettings:
    return PoolSettings.for_url(emulator.url, connect_timeout=10.0, read_timeout=60.0)


def _submit(emulator: EmulatorServer, count: int) -> list[str]:
    with requests.Session() as session:
        session.trust_env = False
        return [
            str(
                session.post(
                    f"{emulator.url}/v0/batch/jobs",
                    json={"text": [f"pool test {index}"]},
                    headers={"X-Hume-Api-Key": API_KEY},
                    timeout=10,
                ).json()["job_id"]
            )
            for index in range(count)
        ]


def _trigger(job_id: str, conn_id: str, seconds: float = 60.0) -> HumeJobTrigger:
    trigger = HumeJobTrigger(job_id, conn_id, end_time=time.time() + seconds, poll_interval=5)
    trigger.hook = RecordingSleepHook(conn_id, [], real_seconds=POLL_SECONDS)
    return trigger


async def _events(trigger: HumeJobTrigger) -> list[dict[str, Any]]:
    return [event.payload async for event in trigger.run()]


class Sampler:
    """Samples the loop's pools and this process's connections to the emulator while triggers run."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.users: list[dict[PoolSettings, int]] = []
        self.connections: list[int] = []
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            self.users.append(pool_users())
            self.connections.append(connections_to(self.port))
            await asyncio.sleep(0.02)

    def __enter__(self) -> Sampler:
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


async def _until(condition: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


async def test_triggers_in_one_loop_share_one_pool_closed_after_the_last(
    slow_emulator: EmulatorServer, conn_id: str
) -> None:
    port, settings = _port(slow_emulator), _settings(slow_emulator)
    job_ids = _submit(slow_emulator, TRIGGERS)
    with Sampler(port) as sampler:
        results = await asyncio.gather(*(_events(_trigger(job_id, conn_id)) for job_id in job_ids))
    assert [[event["status"] for event in events] for events in results] == [["success"]] * TRIGGERS
    assert max(users.get(settings, 0) for users in sampler.users) == TRIGGERS, "one pool for all triggers"
    assert all(set(users) <= {settings} for users in sampler.users)
    assert 0 < max(sampler.connections) <= MAX_CONNECTIONS < TRIGGERS
    assert pool_users() == {}
    await _until(lambda: connections_to(port) == 0)


async def test_cancelled_triggers_leave_the_pool_and_the_last_closes_it(
    slow_emulator: EmulatorServer, conn_id: str
) -> None:
    """The triggerer cancels the triggers it no longer owns; the others keep polling through the pool."""
    port, settings = _port(slow_emulator), _settings(slow_emulator)
    job_ids = _submit(slow_emulator, TRIGGERS)
    for job_id in job_ids:
        slow_emulator.state.hold_job(job_id)
    half = TRIGGERS // 2
    tasks = [
        asyncio.create_task(_events(_trigger(job_id, conn_id, seconds=60 if index < half else 3)))
        for index, job_id in enumerate(job_ids)
    ]
    await _until(lambda: pool_users().get(settings) == TRIGGERS and connections_to(port) > 0)
    for task in tasks[:half]:
        task.cancel()
    await asyncio.gather(*tasks[:half], return_exceptions=True)
    assert pool_users() == {settings: TRIGGERS - half}
    results = await asyncio.gather(*tasks[half:])  # the jobs are held: these end at their deadline
    assert [[event["status"] for event in events] for events in results] == [["timeout"]] * (TRIGGERS - half)
    assert pool_users() == {}
    await _until(lambda: connections_to(port) == 0)

    job_ids = _submit(slow_emulator, 5)
    for job_id in job_ids:
        slow_emulator.state.hold_job(job_id)
    tasks = [asyncio.create_task(_events(_trigger(job_id, conn_id))) for job_id in job_ids]
    await _until(lambda: pool_users().get(settings) == 5 and connections_to(port) > 0)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    assert pool_users() == {}
    await _until(lambda: connections_to(port) == 0)


async def test_triggers_poll_through_the_proxy_named_when_the_pool_is_created(
    slow_emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Users behind an ``HTTP(S)_PROXY`` keep it: the emulator is reached only through the loopback proxy."""
    (job_id,) = _submit(slow_emulator, 1)
    conn = {"conn_type": "hume", "host": "http://hume-behind-a-proxy.invalid", "password": API_KEY}
    monkeypatch.setenv("AIRFLOW_CONN_HUME_PROXIED", json.dumps(conn))
    with FaultProxy(slow_emulator.url) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        events = await _events(_trigger(job_id, "hume_proxied"))
    assert [event["status"] for event in events] == ["success"], events
    assert ("GET", f"/v0/batch/jobs/{job_id}") in proxy.requests
