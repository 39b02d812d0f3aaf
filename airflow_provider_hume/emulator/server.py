"""Run the emulator on uvicorn in a background thread, on a loopback port (0 = ephemeral)."""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Final

import uvicorn

from airflow_provider_hume.emulator.backend.settings import EmulatorSettings
from airflow_provider_hume.emulator.backend.state import EmulatorState, FailurePolicy
from airflow_provider_hume.emulator.http.app import create_app
from airflow_provider_hume.emulator.http.fault_middleware import ConnectionDropped
from airflow_provider_hume.emulator.streaming.payload import SERVER_MAX_MESSAGE_SIZE

START_TIMEOUT_SECONDS: Final = 10.0
STOP_TIMEOUT_SECONDS: Final = 10.0


class _QuietDrops(logging.Filter):
    """Hide uvicorn's traceback for a connection dropped on purpose (fault ``drop_rate``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], ConnectionDropped))


_QUIET_DROPS: Final = _QuietDrops()


def check_loopback_host(host: str) -> None:
    """Refuse to serve on anything but a loopback address."""
    if host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"the emulator only binds loopback hosts (got {host!r})")


class EmulatorServer:
    """An in-process emulator: ``with EmulatorServer(api_keys=[...]) as server: server.url``.

    It binds loopback hosts only, unless ``allow_remote`` (a container whose port is published on purpose).

    ``state`` is the backend (``server.state.job_count()``...); ``settings``, ``clock`` and ``failure_policy``
    go to it, and ``queue_seconds``/``run_seconds``, when given, override those of ``settings``.
    """

    def __init__(
        self,
        api_keys: Iterable[str],
        *,
        settings: EmulatorSettings | None = None,
        queue_seconds: float | None = None,
        run_seconds: float | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.time,
        failure_policy: FailurePolicy | None = None,
        log_level: str = "warning",
        allow_remote: bool = False,
    ) -> None:
        if not allow_remote:
            check_loopback_host(host)
        self.state = EmulatorState(
            api_keys,
            settings=settings,
            queue_seconds=queue_seconds,
            run_seconds=run_seconds,
            clock=clock,
            failure_policy=failure_policy,
        )
        self.host = host
        self.port = port
        self._log_level = log_level
        self._socket: socket.socket | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Base URL of the running server, with the bound port."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> None:
        """Bind, start serving in a daemon thread and wait until requests are accepted.

        ``SettingError`` (before binding) if the start faults name a route the app does not serve.
        """
        app = create_app(self.state)
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        # Websocket messages up to twice the documented 16 MiB reach the app, which answers them with E0101.
        config = uvicorn.Config(
            app,
            log_level=self._log_level,
            access_log=False,
            lifespan="on",
            ws_max_size=SERVER_MAX_MESSAGE_SIZE,
            timeout_keep_alive=self.state.settings.keep_alive_seconds,
        )
        logging.getLogger("uvicorn.error").addFilter(_QUIET_DROPS)
        server = uvicorn.Server(config)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="hume-emulator", daemon=True
        )
        self._socket, self._server, self._thread = sock, server, thread
        thread.start()
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the Hume emulator failed to start")
            time.sleep(0.01)

    def stop(self) -> None:
        """Shut the server down, then delete the state's spooled files."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(STOP_TIMEOUT_SECONDS)
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = self._socket = None
        self.state.close()

    def __enter__(self) -> EmulatorServer:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
