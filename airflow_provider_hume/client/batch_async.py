"""Asynchronous client for the read side of Hume's batch API, on aiohttp, for Airflow triggers.

It never blocks the event loop: every wait is ``await``-ed, including retry delays. It shares the retry
policy, the protocol helpers and the error mapping with :mod:`airflow_provider_hume.client.batch`. The aiohttp
session is taken lazily inside the running loop, so a client may be built outside of it: a session of its own,
or with ``share_connections`` the running loop's shared pool (:mod:`airflow_provider_hume.client.async_pool`,
what triggers use). Either way the environment (proxy variables) is read once, never per request. Note that
aiohttp itself resends a GET once when the server drops the connection before answering (RFC 9112 §9.3.1); the
retries counted and logged here come on top of that.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from types import TracebackType

import aiohttp

from airflow_provider_hume import DEFAULT_BASE_URL
from airflow_provider_hume.client._fields import check_number
from airflow_provider_hume.client.async_pool import PoolSettings, SessionLease, lease_session, private_session
from airflow_provider_hume.client.errors import (
    REDACTED,
    HumeConnectionError,
    HumeError,
    error_from_response,
    tls_error,
    truncate,
)
from airflow_provider_hume.client.jobs import JobDetails, JobStatus
from airflow_provider_hume.client.protocol import (
    JOBS_PATH,
    MAX_ERROR_BODY,
    MAX_JSON_BODY,
    check_api_key,
    job_path,
    list_jobs_params,
    normalize_base_url,
    parse_job_details,
    parse_job_list,
    redirect_error,
    request_headers,
)
from airflow_provider_hume.client.retry import Delivery, RetryPolicy, RetryTracker
from airflow_provider_hume.client.waiting import JobWait, StepLogger, WaitStep, log_step

log = logging.getLogger(__name__)

_TRANSPORT_ERRORS = (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError, asyncio.TimeoutError)


def delivery_of(error: BaseException) -> Delivery:
    """Whether an aiohttp failure proves the request never reached the server."""
    if isinstance(error, (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError)):
        return Delivery.NOT_SENT
    return Delivery.MAYBE_SENT


async def _read(response: aiohttp.ClientResponse, limit: int) -> bytes:
    """At most ``limit`` bytes of the body."""
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = await response.content.read(min(limit - size, 64 * 1024))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


class AsyncHumeBatchClient:
    """Read job details and job lists without blocking the event loop.

    ``share_connections=True`` polls through the running event loop's pool shared by every client with the
    same base URL and timeouts (see :mod:`~airflow_provider_hume.client.async_pool`), as the hook's clients
    for triggers do; by default a client opens a pool of its own. Either way :meth:`close` (or ``async with``)
    gives it back. ``sleep`` and ``clock`` (Unix time) are injectable so tests can run waits without waiting.
    """

    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: float = 60.0,
        connect_timeout: float = 10.0,
        retry_policy: RetryPolicy = RetryPolicy(),  # noqa: B008 - frozen, so sharing the default is safe
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.time,
        share_connections: bool = False,
    ) -> None:
        self._api_key = check_api_key(api_key)
        self.base_url = normalize_base_url(base_url)
        self.timeout = check_number(timeout, "timeout", minimum=0.001)
        self.connect_timeout = check_number(connect_timeout, "connect_timeout", minimum=0.001)
        self.retry_policy = retry_policy
        self._sleep = sleep
        self._clock = clock
        self.share_connections = share_connections
        self._pool_settings = PoolSettings.for_url(
            self.base_url, connect_timeout=self.connect_timeout, read_timeout=self.timeout
        )
        self._lease: SessionLease | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    async def __aenter__(self) -> AsyncHumeBatchClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Give the connection pool back (closing it if this client was its last user); using the client
        afterwards takes one again."""
        if self._lease is not None:
            lease, self._lease = self._lease, None
            await lease.release()

    async def get_job_details(self, job_id: str, *, deadline: float = math.inf) -> JobDetails:
        """The job's request echo and state; no retry is started that would end past ``deadline``."""
        path = job_path(job_id)
        status, headers, body = await self._get(path, None, deadline)
        return parse_job_details(status, body, headers, job_id.strip(), redact=(self._api_key,))

    async def check_job(self, wait: JobWait) -> WaitStep:
        """Poll the job's details once and return what ``wait`` makes of the answer."""
        try:
            details = await self.get_job_details(wait.job_id, deadline=wait.deadline_at(self._clock()))
        except HumeError as err:
            return wait.after_error(err, self._clock())
        return wait.after_state(details.state, self._clock())

    async def wait_for_job(
        self,
        job_id: str,
        *,
        deadline: float = math.inf,
        timeout: float | None = None,
        poll_interval: float = 10.0,
        max_consecutive_poll_errors: int | None = None,
        logger: StepLogger = log,
    ) -> WaitStep:
        """Poll until the job ends, the deadline passes or an error ends the wait.

        The async twin of :meth:`HumeBatchClient.wait_for_job`: every wait is awaited, so the event loop
        never blocks.
        """
        wait = JobWait(
            job_id,
            deadline=deadline,
            poll_interval=poll_interval,
            max_consecutive_poll_errors=max_consecutive_poll_errors,
            timeout=timeout,
        )
        while True:
            step = await self.check_job(wait)
            log_step(step, logger)
            if step.is_final:
                return step
            await self._sleep(step.sleep_seconds)

    async def list_jobs(
        self,
        *,
        limit: int | None = None,
        statuses: Sequence[JobStatus | str] | None = None,
        when: str | None = None,
        timestamp_ms: int | None = None,
        sort_by: str | None = None,
        direction: str | None = None,
    ) -> list[JobDetails]:
        """Jobs of this account, filtered and sorted by Hume (§2.5)."""
        params = list_jobs_params(
            limit=limit,
            statuses=statuses,
            when=when,
            timestamp_ms=timestamp_ms,
            sort_by=sort_by,
            direction=direction,
        )
        status, headers, body = await self._get(JOBS_PATH, params)
        return parse_job_list(status, body, headers, redact=(self._api_key,))

    async def _lease_in_loop(self) -> SessionLease:
        """The pool to request through in the running loop (one held from another loop is given back)."""
        lease = self._lease
        if lease is None or not lease.serves(asyncio.get_running_loop()):
            take = lease_session if self.share_connections else private_session
            old, lease = lease, take(self._pool_settings)
            self._lease = lease
            if old is not None:
                await old.release()
        return lease

    async def _get(
        self, path: str, params: list[tuple[str, str]] | None, deadline: float = math.inf
    ) -> tuple[int, Mapping[str, str], bytes]:
        """GET with retries (none ending past ``deadline``); status, headers and body of the 2xx answer."""
        tracker = RetryTracker(
            self.retry_policy, "GET", path, idempotent=True, deadline=deadline, clock=self._clock
        )
        url = f"{self.base_url}{path}"
        while True:
            lease = await self._lease_in_loop()
            try:
                async with lease.session.get(
                    url,
                    params=params,
                    headers=request_headers(self._api_key),
                    allow_redirects=False,
                    proxy=lease.proxy,
                ) as response:
                    log.debug("Hume GET %s -> HTTP %d", path, response.status)
                    if 200 <= response.status < 300:
                        body = await _read(response, MAX_JSON_BODY + 1)
                        if len(body) > MAX_JSON_BODY:
                            raise HumeError(
                                f"Hume's answer is larger than {MAX_JSON_BODY} bytes", response.status
                            )
                        return response.status, response.headers, body
                    if 300 <= response.status < 400:
                        location = response.headers.get("Location")
                        raise redirect_error(response.status, location, redact=(self._api_key,))
                    delay = tracker.after_status(response.status, response.headers)
                    if delay is None:
                        error_body = await _read(response, MAX_ERROR_BODY)
                        raise error_from_response(
                            response.status, error_body, response.headers, redact=(self._api_key,)
                        )
            except aiohttp.ClientSSLError as exc:
                raise tls_error(self.base_url, exc) from None
            except _TRANSPORT_ERRORS as exc:
                delay = tracker.after_error(exc, delivery_of(exc))
                if delay is None:
                    raise HumeConnectionError(
                        f"Could not get an answer from Hume at {self.base_url} (GET {path}) after "
                        f"{tracker.attempt + 1} attempt(s): {type(exc).__name__}: "
                        f"{truncate(str(exc).replace(self._api_key, REDACTED), 300)}"
                    ) from exc
            await self._sleep(delay)
