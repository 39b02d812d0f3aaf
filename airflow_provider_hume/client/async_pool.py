"""One aiohttp connection pool per event loop and connection settings, shared by every async client that asks.

A triggerer runs hundreds of triggers in one event loop. Each polling through a session of its own holds its
own sockets (939 open at once for 1,000 triggers, a new connection per poll); polling through one shared pool
keeps a handful open. :func:`lease_session` hands out the running loop's :class:`aiohttp.ClientSession` for
a :class:`PoolSettings` and counts its users; the last :meth:`SessionLease.release` closes it. A pool never
crosses event loops: pools are kept per loop, and a lease taken in one loop is never served in another.

The environment is read once, when a pool is created, never per request. Sessions use ``trust_env=False``:
with ``True`` aiohttp re-reads ``.netrc`` and the proxy variables through the thread pool on every request,
and ``.netrc`` could add an ``Authorization`` header nobody asked for (the API key travels in its own header
only). The proxy for the pool's origin comes from the standard variables (``HTTPS_PROXY``, ``HTTP_PROXY``,
``ALL_PROXY``, ``NO_PROXY``, via :func:`urllib.request.getproxies`) and is passed to every request
explicitly; a change of those variables reaches pools created after it. Cookies are never kept: one pool
serves many connections and API keys.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import urllib.request
import weakref
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

import aiohttp

log = logging.getLogger(__name__)

#: Connections a pool opens at most; more requests at once wait in the pool for a free one. At 1,000 triggers
#: polling every 5 s (200 requests a second) against a server answering in a few milliseconds, a handful are
#: busy at any time; the cap keeps a slow server from costing the triggerer hundreds of file descriptors.
MAX_CONNECTIONS: Final = 16

_DEFAULT_PORTS: Final = {"http": 80, "https": 443}


@dataclass(frozen=True)
class PoolSettings:
    """What a pool is shared by: origin, timeouts and size. It holds no credential, so it is safe to log."""

    #: ``scheme://host:port`` of the server, without user info or path.
    origin: str
    connect_timeout: float
    read_timeout: float
    max_connections: int = MAX_CONNECTIONS

    @classmethod
    def for_url(
        cls,
        url: str,
        *,
        connect_timeout: float,
        read_timeout: float,
        max_connections: int = MAX_CONNECTIONS,
    ) -> PoolSettings:
        """Settings for requests to ``url`` (an ``http`` or ``https`` URL); only its origin is kept."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS or not parts.hostname:
            raise ValueError(f"an http:// or https:// URL is needed for a connection pool, got {scheme!r}")
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        port = parts.port or _DEFAULT_PORTS[scheme]
        return cls(f"{scheme}://{host}:{port}", connect_timeout, read_timeout, max_connections)


def proxy_for(url: str) -> str | None:
    """The proxy the standard environment variables name for ``url``, or ``None`` (none, or ``NO_PROXY``)."""
    proxies = urllib.request.getproxies()
    parts = urlsplit(url)
    proxy = proxies.get(parts.scheme.lower()) or proxies.get("all")
    if not proxy or not parts.hostname:
        return None
    host = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
    if urllib.request.proxy_bypass(host):
        return None
    return proxy


def new_session(settings: PoolSettings) -> aiohttp.ClientSession:
    """A session for ``settings``, in the running loop: no environment lookups per request, no cookies."""
    timeout = aiohttp.ClientTimeout(
        total=None, sock_connect=settings.connect_timeout, sock_read=settings.read_timeout
    )
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=settings.max_connections),
        timeout=timeout,
        trust_env=False,
        cookie_jar=aiohttp.DummyCookieJar(),
    )


class _Pool:
    """A session with its loop, its settings, the proxy read at creation and the number of users."""

    def __init__(self, loop: asyncio.AbstractEventLoop, settings: PoolSettings) -> None:
        self.loop = loop
        self.settings = settings
        self.session = new_session(settings)
        self.proxy = proxy_for(settings.origin)
        self.users = 0

    async def close(self) -> None:
        """Close the session in its own loop: now when that is the running loop, else when that loop runs."""
        if self.session.closed:
            return
        if asyncio.get_running_loop() is self.loop:
            # Shielded: a trigger cancelled while it leaves still closes the pool it was the last user of.
            await asyncio.shield(self.session.close())
        elif not self.loop.is_closed():
            asyncio.run_coroutine_threadsafe(self.session.close(), self.loop)
        else:
            log.debug("The event loop of the %s pool closed first: it cannot be closed", self.settings.origin)


#: Shared pools by event loop, then settings. A pool's session refers to its loop, so an entry lives until its
#: last user leaves (or, for a loop closed with users left, until the next lease in any loop).
_pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[PoolSettings, _Pool]] = (
    weakref.WeakKeyDictionary()
)
_lock = threading.Lock()


class SessionLease:
    """One user's share of a pool: request with :attr:`session` and :attr:`proxy`, then :meth:`release`."""

    __slots__ = ("_pool", "_released", "_shared")

    def __init__(self, pool: _Pool, *, shared: bool) -> None:
        self._pool = pool
        self._shared = shared
        self._released = False

    @property
    def session(self) -> aiohttp.ClientSession:
        return self._pool.session

    @property
    def proxy(self) -> str | None:
        """The proxy to pass to every request (read once, when the pool was created)."""
        return self._pool.proxy

    @property
    def settings(self) -> PoolSettings:
        return self._pool.settings

    def serves(self, loop: asyncio.AbstractEventLoop) -> bool:
        """Whether this lease can serve a request in ``loop``: not released, same loop, session open."""
        return not self._released and self._pool.loop is loop and not self._pool.session.closed

    async def release(self) -> None:
        """Leave the pool (again is a no-op): the last user of a shared pool, or a private one, closes it.

        The count drops before anything is awaited, so a user cancelled while it leaves still leaves.
        """
        if self._released:
            return
        self._released = True
        pool = self._pool
        with _lock:
            pool.users -= 1
            last = pool.users == 0
            if last and self._shared:
                pools = _pools.get(pool.loop)
                if pools is not None and pools.get(pool.settings) is pool:
                    del pools[pool.settings]
                    if not pools:
                        del _pools[pool.loop]
        if last:
            await pool.close()


def lease_session(settings: PoolSettings) -> SessionLease:
    """Join the running loop's pool for ``settings``, creating it (reading the proxy settings) if needed."""
    loop = asyncio.get_running_loop()
    with _lock:
        for other in [other for other in _pools if other.is_closed()]:
            del _pools[other]
        pools = _pools.setdefault(loop, {})
        pool = pools.get(settings)
        if pool is None or pool.session.closed:
            pool = pools[settings] = _Pool(loop, settings)
        pool.users += 1
    return SessionLease(pool, shared=True)


def private_session(settings: PoolSettings) -> SessionLease:
    """A pool of one user in the running loop, never shared, closed by its :meth:`SessionLease.release`."""
    pool = _Pool(asyncio.get_running_loop(), settings)
    pool.users = 1
    return SessionLease(pool, shared=False)


def pool_users(loop: asyncio.AbstractEventLoop | None = None) -> dict[PoolSettings, int]:
    """Users of each shared pool of ``loop`` (default: the running loop), for tests and monitoring."""
    loop = loop or asyncio.get_running_loop()
    with _lock:
        return {settings: pool.users for settings, pool in _pools.get(loop, {}).items()}
