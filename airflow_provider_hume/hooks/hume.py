"""``HumeHook``: turns an Airflow ``hume`` connection into Hume API clients."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict
from urllib.parse import urlsplit

from airflow.sdk import BaseHook, Connection

from airflow_provider_hume._compat import AirflowFailException
from airflow_provider_hume._connection_form import DEFAULT_BASE_URL, ui_field_behaviour
from airflow_provider_hume.client import HumeError, RetryPolicy

if TYPE_CHECKING:
    # The clients bring requests, aiohttp and websockets: each method imports its own when called, so that
    # parsing a DAG file that uses this hook (through an operator) loads none of them.
    from airflow_provider_hume.client import AsyncHumeBatchClient, HumeBatchClient, HumeStreamClient
    from airflow_provider_hume.client.v1 import HumeV1Client

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_RETRIES = 5


class HumeConnectionSettingsError(AirflowFailException, ValueError):
    """The ``hume`` connection is invalid: fixing it helps, retrying the task does not (so it is final)."""


@dataclass(frozen=True)
class HumeConnectionSettings:
    """What clients and the job link need from a connection; ``repr`` never shows the key."""

    base_url: str
    api_key: str
    timeout: float
    max_retries: int
    console_url: str | None = None
    #: The ``v1`` base URL from the connection's host; ``None`` when it has none (``v1`` clients then use
    #: ``https://api.cloud.hume.ai``, hume-api-v1.md §1).
    v1_base_url: str | None = None

    def __repr__(self) -> str:
        return f"HumeConnectionSettings(base_url={self.base_url!r}, timeout={self.timeout}, ...)"


def _extra_value(extra: dict[str, Any], name: str) -> Any:
    """Read an extra field stored either plainly or with the legacy ``extra__hume__`` prefix."""
    value = extra.get(name)
    if value in (None, ""):
        value = extra.get(f"extra__hume__{name}")
    return None if value == "" else value


def _base_url(conn: Connection) -> str:
    """Build the base URL from the connection's host (and port when the host carries none)."""
    host = (conn.host or "").strip()
    if not host:
        return DEFAULT_BASE_URL
    if "://" not in host:
        log.warning(
            "Connection %r: host %r has no scheme; assuming https://%s (write http:// for plain HTTP)",
            conn.conn_id,
            host,
            host,
        )
        host = f"https://{host}"
    parts = urlsplit(host)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise HumeConnectionSettingsError(
            f"Connection {conn.conn_id!r}: host must be an http:// or https:// base URL such as "
            f"{DEFAULT_BASE_URL} (got {host!r})."
        )
    if conn.port and parts.port is None:
        host = f"{parts.scheme}://{parts.netloc}:{conn.port}{parts.path}"
    return host.rstrip("/")


def settings_from_connection(conn: Connection) -> HumeConnectionSettings:
    """Validate a ``hume`` connection and extract its settings, naming the field to fix on error."""
    api_key = (conn.password or "").strip()
    if not api_key:
        raise HumeConnectionSettingsError(
            f"Connection {conn.conn_id!r} has no API key: "
            "put the Hume API key in its password ('API Key') field."
        )
    extra = conn.extra_dejson or {}
    timeout = _extra_value(extra, "timeout")
    max_retries = _extra_value(extra, "max_retries")
    try:
        timeout_s = DEFAULT_TIMEOUT if timeout is None else float(timeout)
        retries = DEFAULT_MAX_RETRIES if max_retries is None else int(max_retries)
    except (TypeError, ValueError) as err:
        raise HumeConnectionSettingsError(
            f"Connection {conn.conn_id!r}: extras 'timeout' must be a number and 'max_retries' an integer."
        ) from err
    if timeout_s <= 0 or retries < 0:
        raise HumeConnectionSettingsError(
            f"Connection {conn.conn_id!r}: 'timeout' must be > 0 and 'max_retries' >= 0."
        )
    console_url = _extra_value(extra, "console_url")
    return HumeConnectionSettings(
        base_url=_base_url(conn),
        api_key=api_key,
        timeout=timeout_s,
        max_retries=retries,
        console_url=str(console_url) if console_url else None,
        v1_base_url=_base_url(conn) if (conn.host or "").strip() else None,
    )


class _ClientArguments(TypedDict):
    api_key: str
    base_url: str
    timeout: float
    retry_policy: RetryPolicy


def _client_arguments(settings: HumeConnectionSettings) -> _ClientArguments:
    """What every client (batch, async, streaming) is built from: key, base URL, timeout and retry policy."""
    return {
        "api_key": settings.api_key,
        "base_url": settings.base_url,
        "timeout": settings.timeout,
        "retry_policy": RetryPolicy(max_retries=settings.max_retries),
    }


class HumeHook(BaseHook):
    """
    Interact with Hume's Expression Measurement API through a ``hume`` connection.

    The connection's password holds the API key and its host the base URL (or the emulator's URL); without
    a host, ``v0`` clients use ``https://api.hume.ai`` and ``v1`` clients ``https://api.cloud.hume.ai``.
    Extras ``timeout`` (seconds) and ``max_retries`` tune the HTTP clients.

    :param hume_conn_id: The Airflow connection to use.
    """

    conn_name_attr = "hume_conn_id"
    default_conn_name = "hume_default"
    conn_type = "hume"
    hook_name = "Hume"

    def __init__(self, hume_conn_id: str = default_conn_name) -> None:
        super().__init__()
        self.hume_conn_id = hume_conn_id
        self._settings: HumeConnectionSettings | None = None

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        """Show only the base URL and the API key in the connection form."""
        return ui_field_behaviour()

    def get_settings(self) -> HumeConnectionSettings:
        """Read and validate the connection (once per hook)."""
        if self._settings is None:
            self._settings = settings_from_connection(self.get_connection(self.hume_conn_id))
        return self._settings

    async def aget_settings(self) -> HumeConnectionSettings:
        """Read and validate the connection without blocking the event loop (once per hook)."""
        if self._settings is None:
            self._settings = settings_from_connection(await self.aget_connection(self.hume_conn_id))
        return self._settings

    def get_client(self, **overrides: Any) -> HumeBatchClient:
        """A synchronous batch client for workers; close it (or use it as a context manager) when done.

        ``overrides`` replace the client's other constructor arguments (``sleep`` and ``clock`` in tests).
        """
        from airflow_provider_hume.client import HumeBatchClient

        return HumeBatchClient(**_client_arguments(self.get_settings()), **overrides)

    def get_conn(self) -> HumeBatchClient:
        """The synchronous batch client, as :meth:`get_client` gives it (Airflow's usual name for a hook's
        client); close it (or use it as a context manager) when done."""
        return self.get_client()

    async def get_async_client(self, **overrides: Any) -> AsyncHumeBatchClient:
        """An asyncio batch client for triggers; it never blocks the event loop (``overrides`` as above).

        It polls through the running loop's connection pool shared by every trigger of the same base URL and
        timeouts (``share_connections``, see :mod:`airflow_provider_hume.client.async_pool`); close it (or use
        it as an async context manager) so the pool closes when its last user leaves.
        """
        from airflow_provider_hume.client import AsyncHumeBatchClient

        arguments = {**_client_arguments(await self.aget_settings()), **overrides}
        return AsyncHumeBatchClient(**{"share_connections": True, **arguments})

    def get_stream_client(self) -> HumeStreamClient:
        """A websocket client for ``<base URL>/v0/stream/models`` (https becomes wss, http becomes ws)."""
        from airflow_provider_hume.client import HumeStreamClient

        return HumeStreamClient(**_client_arguments(self.get_settings()))

    def get_v1_client(self, **overrides: Any) -> HumeV1Client:
        """A ``v1`` client (hume-api-v1.md §2) for the connection's base URL, or ``https://api.cloud.hume.ai``
        when the connection has no host; close it (or use it as a context manager) when done.

        ``overrides`` replace the client's other constructor arguments (timeouts, retry policy).
        """
        from airflow_provider_hume.client.v1 import DEFAULT_V1_BASE_URL, HumeV1Client

        settings = self.get_settings()
        arguments: dict[str, Any] = {
            "api_key": settings.api_key,
            "base_url": settings.v1_base_url or DEFAULT_V1_BASE_URL,
            "timeout": settings.timeout,
            "retry": RetryPolicy(max_retries=settings.max_retries),
        }
        return HumeV1Client(**{**arguments, **overrides})

    def test_connection(self) -> tuple[bool, str]:
        """Check both APIs the connection may serve: Hume's ``v1`` (lists one run) and ``v0`` (lists one job).

        Succeeds when either accepts the key (Hume itself serves only ``v1`` now, the emulator both); the
        message says what each answered.
        """
        answers = {"v1": self._check(self.get_v1_client), "v0": self._check(self.get_client)}
        accepted = [api for api, problem in answers.items() if problem is None]
        if not accepted:
            return False, "; ".join(f"{api}: {problem}" for api, problem in answers.items())
        apis = " and ".join(accepted)
        message = f"Connection to Hume succeeded: the API key was accepted by the {apis} API"
        refused = [f"{api}: {problem}" for api, problem in answers.items() if problem is not None]
        return True, message + (f" (not served: {'; '.join(refused)})" if refused else "") + "."

    @staticmethod
    def _check(client_factory: Callable[[], Any]) -> str | None:
        """Why a client from ``client_factory`` fails its connection check, or None when it passes."""
        try:
            with client_factory() as client:
                client.check_connection()
        except (HumeError, ValueError) as err:
            return str(err)
        return None
