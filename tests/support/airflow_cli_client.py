#!/usr/bin/env python3
"""The ``airflow`` command of the snippet sandbox: it asks ``airflow_cli_server`` to run the command.

It sends its arguments, environment, working directory and standard streams to the server at the socket
``HUME_AIRFLOW_CLI_SOCKET`` names and exits with the command's status. Standard library only, so that it
starts in milliseconds.
"""

from __future__ import annotations

import json
import os
import socket
import sys


def main() -> int:
    request = json.dumps({"args": sys.argv[1:], "env": dict(os.environ), "cwd": os.getcwd()}).encode()
    with socket.socket(socket.AF_UNIX) as connection:
        connection.connect(os.environ["HUME_AIRFLOW_CLI_SOCKET"])
        socket.send_fds(connection, [len(request).to_bytes(8, "big") + request], [0, 1, 2])
        reply = b""
        while chunk := connection.recv(16):
            reply += chunk
    return int(reply) if reply else 1


if __name__ == "__main__":
    sys.exit(main())
