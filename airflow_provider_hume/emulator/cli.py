"""``hume-emulator``: serve the emulator until SIGINT/SIGTERM.

Keys come from ``--api-key`` (repeatable) and ``HUME_EMULATOR_API_KEYS`` (comma separated); with none, a key
is generated and written to stderr. Once listening, exactly one line goes to stdout:
``Hume emulator listening on http://HOST:PORT`` (the bound port, also for ``--port 0``).
Every setting and start fault has a flag (docs/emulator.md); an invalid value exits with status 2.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import signal
import string
import sys
import threading
from collections.abc import Sequence
from typing import Final

from airflow_provider_hume.emulator.server import EmulatorServer, check_loopback_host
from airflow_provider_hume.emulator.settings import (
    DEFAULT_FAILURE_MESSAGE,
    DETAILS_SHAPES,
    STREAM_WARNINGS,
    EmulatorSettings,
    FaultSettings,
    SettingError,
)

KEYS_ENV: Final = "HUME_EMULATOR_API_KEYS"
KEY_ALPHABET: Final = string.ascii_letters + string.digits
KEY_LENGTH: Final = 48
_SIZE: Final = re.compile(r"(\d+)\s*([KMG]i?B?|B)?", re.IGNORECASE)
_UNITS: Final = {
    "": 1,
    "b": 1,
    "k": 1000,
    "m": 1000**2,
    "g": 1000**3,
    "ki": 1024,
    "mi": 1024**2,
    "gi": 1024**3,
}
#: The flag that sets each setting, to name it in errors.
FLAGS: Final = {
    "queue_seconds": "--queue-seconds",
    "run_seconds": "--run-seconds",
    "callback_backoff_seconds": "--callback-backoff",
    "stream_idle_seconds": "--stream-idle-seconds",
    "rate_limit": "--rate-limit",
    "error_rate": "--error-rate",
    "error_statuses": "--error-statuses",
    "latency_ms": "--latency-ms",
    "drop_rate": "--drop-rate",
    "job_failure_rate": "--job-failure-rate",
    "job_failure_message": "--job-failure-message",
    "queue_delay_seconds": "--queue-delay",
    "artifacts_pad_bytes": "--artifacts-pad-bytes",
    "routes": "--fault-route",
    "times": "--fault-times",
}


def generate_api_key() -> str:
    """A random 48-character alphanumeric key, shaped like Hume's."""
    return "".join(secrets.choice(KEY_ALPHABET) for _ in range(KEY_LENGTH))


def parse_size(text: str) -> int:
    """Bytes in ``text``: ``1048576``, ``512KiB``, ``1GiB``, ``10MB`` (decimal)."""
    match = _SIZE.fullmatch(text.strip())
    if match is None:
        raise argparse.ArgumentTypeError(f"expected a size such as 1048576, 512KiB or 1GiB (got {text!r})")
    unit = (match.group(2) or "").lower().removesuffix("b")
    return int(match.group(1)) * _UNITS[unit]


def _statuses(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated statuses such as 500,503 (got {text!r})"
        ) from None


def build_parser() -> argparse.ArgumentParser:
    """The ``hume-emulator`` argument parser."""
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
    parser.add_argument("--seed", type=int, default=0, help="seed of every random decision (default 0)")
    parser.add_argument(
        "--job-details-shape", choices=DETAILS_SHAPES, default="current", help="job details shape (§2.6)"
    )
    parser.add_argument(
        "--callback-backoff", type=float, default=1.0, help="seconds before the 2nd callback try, doubling"
    )
    parser.add_argument("--stream-idle-seconds", type=float, default=60.0, help="websocket idle timeout")
    parser.add_argument(
        "--stream-warnings", choices=STREAM_WARNINGS, default="nested", help="streaming warning form"
    )
    parser.add_argument("--log-level", default="warning", help="uvicorn log level (default warning)")
    faults = parser.add_argument_group(
        "faults (start values; change them at run time with /_emulator/faults)"
    )
    faults.add_argument("--rate-limit", type=float, help="requests per second per API key, then 429")
    faults.add_argument("--error-rate", type=float, default=0.0, help="probability of a 5xx response")
    faults.add_argument(
        "--error-statuses", type=_statuses, default=(500, 502, 503), help="5xx statuses to pick from"
    )
    faults.add_argument("--latency-ms", type=int, default=0, help="delay added to each request")
    faults.add_argument(
        "--drop-rate", type=float, default=0.0, help="probability a predictions/artifacts body is cut short"
    )
    faults.add_argument("--job-failure-rate", type=float, default=0.0, help="probability a new job fails")
    faults.add_argument("--job-failure-message", default=DEFAULT_FAILURE_MESSAGE, help="its state.message")
    faults.add_argument("--queue-delay", type=float, default=0.0, help="extra seconds a new job stays QUEUED")
    faults.add_argument(
        "--artifacts-pad-bytes",
        type=parse_size,
        default=0,
        help="add a padding.bin of this size to artifacts",
    )
    faults.add_argument(
        "--fault-route",
        action="append",
        default=[],
        help="limit request faults to 'METHOD /path' (repeatable)",
    )
    faults.add_argument("--fault-times", type=int, help="hit at most this many requests with a request fault")
    return parser


def settings_from_args(args: argparse.Namespace) -> EmulatorSettings:
    """The settings the parsed flags ask for; :class:`SettingError` if one is invalid."""
    faults = FaultSettings(
        rate_limit=args.rate_limit,
        error_rate=args.error_rate,
        error_statuses=args.error_statuses,
        latency_ms=args.latency_ms,
        drop_rate=args.drop_rate,
        job_failure_rate=args.job_failure_rate,
        job_failure_message=args.job_failure_message,
        queue_delay_seconds=args.queue_delay,
        artifacts_pad_bytes=args.artifacts_pad_bytes,
        routes=tuple(args.fault_route),
        times=args.fault_times,
    )
    return EmulatorSettings(
        queue_seconds=args.queue_seconds,
        run_seconds=args.run_seconds,
        seed=args.seed,
        job_details_shape=args.job_details_shape,
        callback_backoff_seconds=args.callback_backoff,
        stream_idle_seconds=args.stream_idle_seconds,
        stream_warnings=args.stream_warnings,
        faults=faults,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``hume-emulator`` and ``python -m airflow_provider_hume.emulator``."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.allow_remote:
        try:
            check_loopback_host(args.host)
        except ValueError as exc:
            parser.error(f"{exc}; pass --allow-remote to bind it on purpose")
    try:
        settings = settings_from_args(args)
    except SettingError as exc:
        parser.error(f"{FLAGS.get(exc.field, exc.field)}: {exc.reason}")
    keys = [*args.api_key, *(key.strip() for key in os.environ.get(KEYS_ENV, "").split(","))]
    keys = [key for key in keys if key]
    if not keys:
        keys = [generate_api_key()]
        print(f"Generated API key: {keys[0]}", file=sys.stderr, flush=True)
    server = EmulatorServer(
        keys,
        settings=settings,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        allow_remote=args.allow_remote,
    )
    try:
        server.start()
    except SettingError as exc:
        server.stop()
        parser.error(f"{FLAGS.get(exc.field, exc.field)}: {exc.reason}")
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        print(f"Hume emulator listening on {server.url}", flush=True)
        stop.wait()
    finally:
        server.stop()
    return 0
