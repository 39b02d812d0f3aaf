"""``hume-emulator``: serve the emulator until SIGINT/SIGTERM.

Keys come from ``--api-key`` (repeatable) and ``HUME_EMULATOR_API_KEYS`` (comma separated); with none, a key
is generated and written to stderr. Once listening, exactly one line goes to stdout:
``Hume emulator listening on http://HOST:PORT`` (the bound port, also for ``--port 0``).
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import string
import sys
import threading
from collections.abc import Sequence
from typing import Final

from airflow_provider_hume.emulator.server import EmulatorServer, check_loopback_host

KEYS_ENV: Final = "HUME_EMULATOR_API_KEYS"
KEY_ALPHABET: Final = string.ascii_letters + string.digits
KEY_LENGTH: Final = 48


def generate_api_key() -> str:
    """A random 48-character alphanumeric key, shaped like Hume's."""
    return "".join(secrets.choice(KEY_ALPHABET) for _ in range(KEY_LENGTH))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hume-emulator", description="Serve the Hume v0 API emulator.")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a non-loopback --host such as 0.0.0.0 (inside a container); it serves plain HTTP",
    )
    parser.add_argument("--port", type=int, default=8000, help="port, 0 for any free one (default 8000)")
    parser.add_argument("--api-key", action="append", default=[], help="accepted API key (repeatable)")
    parser.add_argument("--queue-seconds", type=float, default=1.0, help="time a job stays QUEUED")
    parser.add_argument("--run-seconds", type=float, default=2.0, help="time a job stays IN_PROGRESS")
    parser.add_argument("--log-level", default="warning", help="uvicorn log level (default warning)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``hume-emulator`` and ``python -m airflow_provider_hume.emulator``."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not args.allow_remote:
        try:
            check_loopback_host(args.host)
        except ValueError as exc:
            parser.error(f"{exc}; pass --allow-remote to bind it on purpose")
    if args.queue_seconds < 0 or args.run_seconds < 0:
        parser.error("--queue-seconds and --run-seconds must not be negative")
    keys = [*args.api_key, *(key.strip() for key in os.environ.get(KEYS_ENV, "").split(","))]
    keys = [key for key in keys if key]
    if not keys:
        keys = [generate_api_key()]
        print(f"Generated API key: {keys[0]}", file=sys.stderr, flush=True)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    server = EmulatorServer(
        keys,
        queue_seconds=args.queue_seconds,
        run_seconds=args.run_seconds,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        allow_remote=args.allow_remote,
    )
    with server:
        print(f"Hume emulator listening on {server.url}", flush=True)
        stop.wait()
    return 0
