"""Run ``airflow`` CLI commands in processes forked from one that has already imported Airflow.

Importing Airflow costs 5 to 6 s of CPU on the project's two-core machine, so every ``airflow ...`` line of a
snippet would cost that much in a fresh process. This server imports Airflow's CLI once, for the
``AIRFLOW_HOME`` it was started with; each command runs in a child forked from it with the caller's
arguments, environment, working directory and standard streams (passed as file descriptors), and the child's
exit status goes back to the caller. Airflow's own fork hook gives each child a fresh database engine.

Start it with ``python -m tests.support.airflow_cli_server SOCKET_PATH`` (it prints ``ready`` once it
listens); ``airflow_cli_client.py`` is the ``airflow`` command that talks to it.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import traceback
from typing import Any

MAX_FDS = 3


def read_request(connection: socket.socket) -> tuple[dict[str, Any], list[int]]:
    """A request: an 8-byte length, then that many bytes of JSON; the caller's stdin, stdout and stderr."""
    data, fds, _, _ = socket.recv_fds(connection, 1 << 16, MAX_FDS)
    size = int.from_bytes(data[:8], "big")
    body = data[8:]
    while len(body) < size:
        chunk = connection.recv(size - len(body))
        if not chunk:
            raise ConnectionError("the request ended early")
        body += chunk
    return json.loads(body), fds


def _run_command(connection: socket.socket, main: Any) -> int:
    request, fds = read_request(connection)
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
    os.chdir(request["cwd"])
    home = os.environ["AIRFLOW_HOME"]
    os.environ.clear()
    os.environ.update(request["env"])
    if os.environ.get("AIRFLOW_HOME") != home:
        print(f"this Airflow CLI server serves AIRFLOW_HOME={home} only", file=sys.stderr)
        return 2
    sys.argv = ["airflow", *request["args"]]
    try:
        main()
    except SystemExit as stop:
        if stop.code is None or isinstance(stop.code, int):
            return stop.code or 0
        print(stop.code, file=sys.stderr)  # as the interpreter does for a SystemExit that carries a message
        return 1
    except BaseException:
        traceback.print_exc()
        return 1
    return 0


def _warm_up() -> None:
    """Load once what every ``airflow connections`` or ``db`` command loads: the command modules, the ORM's
    mappers and the providers' hooks."""
    import airflow.cli.commands.connection_command
    import airflow.cli.commands.db_command  # noqa: F401
    from airflow.models import Connection  # noqa: F401
    from airflow.providers_manager import ProvidersManager
    from sqlalchemy.orm import configure_mappers

    configure_mappers()
    ProvidersManager().initialize_providers_hooks()
    try:
        from airflow.sdk.providers_manager_runtime import ProvidersManagerTaskRuntime
    except ImportError:  # Airflow < 3.2 looks hooks up in ProvidersManager only
        return
    for _ in ProvidersManagerTaskRuntime().hooks.values():
        pass


def serve(path: str) -> None:
    from airflow.__main__ import main

    _warm_up()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(path)
        server.listen()
        print("ready", flush=True)
        while True:
            connection, _ = server.accept()
            if os.fork() == 0:
                server.close()
                code = _run_command(connection, main)
                sys.stdout.flush()
                sys.stderr.flush()
                connection.sendall(str(code).encode())
                os._exit(code)
            connection.close()


if __name__ == "__main__":
    serve(sys.argv[1])
