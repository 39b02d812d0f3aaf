"""The shared aiohttp pool: one per loop and settings, counted, closed by its last user; proxies read once.

No request is made here (sessions and connectors open no socket until they send one).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import aiohttp
import pytest

from airflow_provider_hume.client import AsyncHumeBatchClient
from airflow_provider_hume.client.async_pool import (
    MAX_CONNECTIONS,
    PoolSettings,
    SessionLease,
    lease_session,
    pool_users,
    private_session,
    proxy_for,
)

SETTINGS = PoolSettings.for_url("http://hume.stub:8000/v0", connect_timeout=10.0, read_timeout=60.0)
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture(autouse=True)
def no_proxy_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start every test without proxy variables (in either case), whatever the machine has."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture
def loops() -> Iterator[list[asyncio.AbstractEventLoop]]:
    """Event loops a test creates, closed at its end."""
    created: list[asyncio.AbstractEventLoop] = []
    yield created
    for loop in created:
        if not loop.is_closed():
            loop.close()


async def test_one_session_per_loop_and_settings_closed_by_its_last_user() -> None:
    first, second = lease_session(SETTINGS), lease_session(SETTINGS)
    assert first.session is second.session
    assert pool_users() == {SETTINGS: 2}
    await first.release()
    assert not second.session.closed
    assert pool_users() == {SETTINGS: 1}
    await second.release()
    assert second.session.closed
    assert pool_users() == {}
    third = lease_session(SETTINGS)
    assert third.session is not first.session
    assert not third.session.closed
    await third.release()


async def test_other_settings_get_another_pool() -> None:
    slower = PoolSettings.for_url("http://hume.stub:8000", connect_timeout=10.0, read_timeout=120.0)
    other_host = PoolSettings.for_url("https://api.hume.ai", connect_timeout=10.0, read_timeout=60.0)
    leases = [lease_session(SETTINGS), lease_session(slower), lease_session(other_host)]
    assert len({id(lease.session) for lease in leases}) == 3
    assert pool_users() == {SETTINGS: 1, slower: 1, other_host: 1}
    for lease in leases:
        await lease.release()
    assert pool_users() == {}


async def test_release_twice_counts_once() -> None:
    first, second = lease_session(SETTINGS), lease_session(SETTINGS)
    await first.release()
    await first.release()
    assert pool_users() == {SETTINGS: 1}
    assert not second.session.closed
    await second.release()


def test_a_pool_never_crosses_event_loops(loops: list[asyncio.AbstractEventLoop]) -> None:
    one, two = asyncio.new_event_loop(), asyncio.new_event_loop()
    loops += [one, two]

    async def lease() -> SessionLease:
        return lease_session(SETTINGS)

    in_one, in_two = one.run_until_complete(lease()), two.run_until_complete(lease())
    assert in_one.session is not in_two.session
    assert pool_users(one) == {SETTINGS: 1}
    assert pool_users(two) == {SETTINGS: 1}
    assert in_one.serves(one)
    assert not in_one.serves(two)
    one.run_until_complete(in_one.release())
    two.run_until_complete(in_two.release())
    assert in_one.session.closed
    assert in_two.session.closed
    assert pool_users(one) == {}
    assert pool_users(two) == {}


def test_pools_of_a_closed_loop_are_forgotten(loops: list[asyncio.AbstractEventLoop]) -> None:
    """A loop closed while its pool still had users (someone never closed a client) holds nothing up."""
    old, new = asyncio.new_event_loop(), asyncio.new_event_loop()
    loops += [old, new]

    async def lease() -> SessionLease:
        return lease_session(SETTINGS)

    forgotten = old.run_until_complete(lease())
    forgotten.session.detach()  # its loop is about to close: spare the test aiohttp's unclosed warning
    old.close()
    fresh = new.run_until_complete(lease())
    assert pool_users(old) == {}
    assert fresh.session is not forgotten.session
    new.run_until_complete(forgotten.release())  # from another loop, after its own closed: no error
    assert pool_users(new) == {SETTINGS: 1}
    new.run_until_complete(fresh.release())


def test_the_last_user_leaving_from_another_loop_closes_the_pool_in_its_own(
    loops: list[asyncio.AbstractEventLoop],
) -> None:
    owner, other = asyncio.new_event_loop(), asyncio.new_event_loop()
    loops += [owner, other]

    async def lease() -> SessionLease:
        return lease_session(SETTINGS)

    taken = owner.run_until_complete(lease())
    other.run_until_complete(taken.release())
    assert pool_users(owner) == {}
    owner.run_until_complete(asyncio.sleep(0.01))  # the owner loop runs the close it was handed
    assert taken.session.closed


async def test_a_user_cancelled_while_polling_still_leaves() -> None:
    """The triggerer cancels a trigger that moves to another triggerer: its share is given back anyway."""
    started = asyncio.Event()

    async def poll_forever() -> None:
        lease = lease_session(SETTINGS)
        try:
            started.set()
            await asyncio.Event().wait()
        finally:
            await lease.release()

    staying = lease_session(SETTINGS)
    tasks = [asyncio.create_task(poll_forever()) for _ in range(5)]
    await started.wait()
    await asyncio.sleep(0)
    assert pool_users() == {SETTINGS: 6}
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    assert pool_users() == {SETTINGS: 1}
    assert not staying.session.closed
    cancelled_last = asyncio.create_task(poll_forever())
    await asyncio.sleep(0)
    await staying.release()
    cancelled_last.cancel()
    await asyncio.gather(cancelled_last, return_exceptions=True)
    assert staying.session.closed
    assert pool_users() == {}


async def test_a_private_session_is_never_shared() -> None:
    private, shared = private_session(SETTINGS), lease_session(SETTINGS)
    assert private.session is not shared.session
    assert pool_users() == {SETTINGS: 1}
    await private.release()
    assert private.session.closed
    assert not shared.session.closed
    await shared.release()


async def test_sessions_read_no_environment_per_request_and_keep_no_cookies() -> None:
    lease = private_session(SETTINGS)
    session = lease.session
    assert session.trust_env is False
    assert isinstance(session.cookie_jar, aiohttp.DummyCookieJar)
    assert isinstance(session.connector, aiohttp.TCPConnector)
    assert session.connector.limit == MAX_CONNECTIONS
    timeout = session.timeout
    assert (timeout.total, timeout.sock_connect, timeout.sock_read) == (None, 10.0, 60.0)
    await lease.release()


def test_settings_keep_only_the_origin() -> None:
    assert SETTINGS.origin == "http://hume.stub:8000"
    assert PoolSettings.for_url("HTTPS://API.Hume.ai/", connect_timeout=1, read_timeout=2).origin == (
        "https://api.hume.ai:443"
    )
    assert PoolSettings.for_url("http://user:secret@[::1]/x", connect_timeout=1, read_timeout=2).origin == (
        "http://[::1]:80"
    )
    with pytest.raises(ValueError, match="http"):
        PoolSettings.for_url("ftp://hume.stub", connect_timeout=1, read_timeout=2)


def test_proxy_from_the_standard_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    assert proxy_for("https://api.hume.ai") is None
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.corp:3128")
    assert proxy_for("https://api.hume.ai:443") == "http://proxy.corp:3128"
    assert proxy_for("http://api.hume.ai") is None
    monkeypatch.setenv("ALL_PROXY", "http://all.corp:3128")
    assert proxy_for("http://api.hume.ai") == "http://all.corp:3128"
    monkeypatch.setenv("NO_PROXY", "localhost,.hume.ai")
    assert proxy_for("https://api.hume.ai") is None
    assert proxy_for("https://hume.example") == "http://proxy.corp:3128"


async def test_the_proxy_is_read_once_when_the_pool_is_created(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.corp:3128")
    first = lease_session(SETTINGS)
    monkeypatch.setenv("HTTP_PROXY", "http://other.corp:3128")
    second = lease_session(SETTINGS)
    assert first.proxy == second.proxy == "http://proxy.corp:3128"
    await first.release()
    await second.release()
    third = lease_session(SETTINGS)
    assert third.proxy == "http://other.corp:3128"
    await third.release()


async def test_clients_that_share_connections_share_one_session() -> None:
    clients = [AsyncHumeBatchClient("k", "http://hume.stub:8000", share_connections=True) for _ in range(3)]
    own = AsyncHumeBatchClient("k", "http://hume.stub:8000")
    leases = [await client._lease_in_loop() for client in [*clients, own]]
    assert len({id(lease.session) for lease in leases[:3]}) == 1
    assert leases[3].session is not leases[0].session
    assert pool_users() == {SETTINGS: 3}
    for client in [*clients, own]:
        await client.close()
    assert all(lease.session.closed for lease in leases)
    assert pool_users() == {}


def test_a_client_used_in_a_new_loop_takes_a_pool_there(loops: list[asyncio.AbstractEventLoop]) -> None:
    client = AsyncHumeBatchClient("k", "http://hume.stub:8000", share_connections=True)
    one, two = asyncio.new_event_loop(), asyncio.new_event_loop()
    loops += [one, two]
    in_one = one.run_until_complete(client._lease_in_loop())
    in_two = two.run_until_complete(client._lease_in_loop())
    assert in_one.session is not in_two.session
    assert pool_users(one) == {}
    assert pool_users(two) == {SETTINGS: 1}
    one.run_until_complete(asyncio.sleep(0.01))
    assert in_one.session.closed
    two.run_until_complete(client.close())
    assert in_two.session.closed
