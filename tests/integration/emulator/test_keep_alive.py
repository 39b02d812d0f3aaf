"""HTTP keep-alive (issue 12): an idle connection stays open ``keep_alive_seconds`` (default 75), so a client
polling every 5-30 s reuses it; the setting reaches uvicorn."""

from __future__ import annotations

import http.client
import socket
import time
from urllib.parse import urlsplit

from airflow_provider_hume.emulator.backend.settings import DEFAULT_KEEP_ALIVE_SECONDS, EmulatorSettings
from airflow_provider_hume.emulator.server import EmulatorServer

KEY = "keep-alive-key"
IDLE_SECONDS = 1.6


def poll(connection: http.client.HTTPConnection) -> None:
    connection.request("GET", "/v0/batch/jobs?limit=1", headers={"X-Hume-Api-Key": KEY})
    response = connection.getresponse()
    assert response.status == 200
    response.read()


def still_open(sock: socket.socket) -> bool:
    """Whether the server has kept its side open (no EOF waiting to be read)."""
    sock.setblocking(False)
    try:
        return sock.recv(1, socket.MSG_PEEK) != b""
    except BlockingIOError:
        return True
    finally:
        sock.setblocking(True)


def idle_then_poll(settings: EmulatorSettings) -> tuple[bool, int]:
    """Poll, stay idle for IDLE_SECONDS, then report whether the connection survived and uvicorn's setting."""
    with EmulatorServer([KEY], settings=settings) as server:
        config = server._server.config if server._server is not None else None
        url = urlsplit(server.url)
        connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=10)
        try:
            poll(connection)
            sock = connection.sock
            assert sock is not None
            time.sleep(IDLE_SECONDS)
            survived = still_open(sock)
            if survived:
                poll(connection)
                assert connection.sock is sock, "the second poll must reuse the first connection"
        finally:
            connection.close()
    assert config is not None
    return survived, config.timeout_keep_alive


def test_the_default_keeps_an_idle_connection_for_the_next_poll() -> None:
    survived, configured = idle_then_poll(EmulatorSettings())
    assert configured == DEFAULT_KEEP_ALIVE_SECONDS == 75
    assert survived


def test_a_short_setting_reaches_uvicorn_and_closes_idle_connections() -> None:
    survived, configured = idle_then_poll(EmulatorSettings(keep_alive_seconds=1))
    assert configured == 1
    assert not survived
