"""``hume-emulator``: serve the emulator until SIGINT/SIGTERM.

Keys come from ``--api-key`` (repeatable) and ``HUME_EMULATOR_API_KEYS`` (comma separated); with none, a key
is generated and written to stderr. Once listening, exactly one line goes to stdout:
``Hume emulator listening on http://HOST:PORT`` (the bound port, also for ``--port 0``).
Every settings field has a flag, made from its ``Flag`` metadata (docs/emulator.md); an invalid value exits
with status 2 naming the flag.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import string
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import Field, fields
from typing import Any, Final, Literal, get_args, get_origin, get_type_hints

from airflow_provider_hume.emulator.backend.settings import (
    FLAG,
    FLAG_GROUP,
    EmulatorSettings,
    Flag,
    SettingError,
)
from airflow_provider_hume.emulator.process import KEYS_ENV, LISTENING
from airflow_provider_hume.emulator.server import EmulatorServer, check_loopback_host

KEY_ALPHABET: Final = string.ascii_letters + string.digits
KEY_LENGTH: Final = 48


def generate_api_key() -> str:
    """A random 48-character alphanumeric key, shaped like Hume's."""
    return "".join(secrets.choice(KEY_ALPHABET) for _ in range(KEY_LENGTH))


def build_parser() -> argparse.ArgumentParser:
    """The ``hume-emulator`` argument parser: server options, then one flag per settings field."""
    parser = argparse.ArgumentParser(prog="hume-emulator", description="Serve the Hume v0 API emulator.")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a non-loopback --host such as 0.0.0.0 (inside a container); it serves plain HTTP",
    )
    parser.add_argument("--port", type=int, default=8000, help="port, 0 for any free one (default 8000)")
    parser.add_argument("--api-key", action="append", default=[], help="accepted API key (repeatable)")
    parser.add_argument("--log-level", default="warning", help="uvicorn log level (default warning)")
    _add_flags(parser)
    return parser


def settings_from_args(args: argparse.Namespace) -> EmulatorSettings:
    """The settings the parsed flags ask for (defaults for the others); :class:`SettingError` if invalid."""
    settings: EmulatorSettings = _settings(EmulatorSettings, vars(args))
    return settings


def _flag_names() -> dict[str, str]:
    """The flag of every settings field, by field name, to name it in errors."""
    return {field.name: spec.name for _, field, spec, _ in _flag_fields(EmulatorSettings)}


def _flag_fields(
    settings_class: Any, group: str | None = None
) -> Iterator[tuple[str | None, Field[Any], Flag, Any]]:
    """``(group, field, flag, type)`` of every field of ``settings_class`` and of its nested settings."""
    hints = get_type_hints(settings_class)
    for field in fields(settings_class):
        spec = field.metadata.get(FLAG)
        if isinstance(spec, Flag):
            yield group, field, spec, hints[field.name]
        elif FLAG_GROUP in field.metadata:
            yield from _flag_fields(hints[field.name], field.metadata[FLAG_GROUP])


def _add_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per settings field; nested settings get an argument group of their own.

    Flags default to absent (``SUPPRESS``), so the dataclasses alone hold the defaults; ``--help`` shows them.
    """
    groups: dict[str | None, Any] = {None: parser}
    for group, field, spec, hint in _flag_fields(EmulatorSettings):
        if group not in groups:
            groups[group] = parser.add_argument_group(group)
        groups[group].add_argument(
            spec.name,
            dest=field.name,
            default=argparse.SUPPRESS,
            help=_help(spec, field),
            **_value_options(spec, hint),
        )


def _value_options(spec: Flag, hint: Any) -> dict[str, Any]:
    """How argparse reads a field annotated ``hint``: a ``Literal``'s choices, else a type parsing text."""
    options: dict[str, Any] = {"action": "append"} if spec.repeat else {}
    if spec.parse is not None:
        kind: Any = _argparse_type(spec.parse)
    else:
        kind = _value_type(hint)
        if get_origin(kind) is Literal:
            return {**options, "choices": get_args(kind)}
    metavar = spec.name.removeprefix("--").replace("-", "_").upper()
    return {**options, "type": kind, "metavar": metavar}


def _value_type(hint: Any) -> Any:
    """One value's type for a field annotated ``hint``: ``float | None``, ``tuple[float, ...]`` give float."""
    if get_origin(hint) is tuple or type(None) in get_args(hint):
        return get_args(hint)[0]
    return hint


def _argparse_type(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """``parse`` with its ``ValueError`` turned into argparse's message for the flag."""

    def convert(text: str) -> Any:
        try:
            return parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return convert


def _help(spec: Flag, field: Field[Any]) -> str:
    """The flag's help, with the field's default unless that is ``None`` or empty."""
    if field.default is None or field.default == ():
        return spec.help
    default = field.default
    shown = ",".join(map(str, default)) if isinstance(default, tuple) else default
    return f"{spec.help} (default {shown})"


def _settings(settings_class: Any, given: Mapping[str, Any]) -> Any:
    """An instance of ``settings_class`` from the flags in ``given``, nested settings included."""
    hints = get_type_hints(settings_class)
    values: dict[str, Any] = {}
    for field in fields(settings_class):
        spec = field.metadata.get(FLAG)
        if FLAG_GROUP in field.metadata:
            values[field.name] = _settings(hints[field.name], given)
        elif isinstance(spec, Flag) and field.name in given:
            values[field.name] = tuple(given[field.name]) if spec.repeat else given[field.name]
    return settings_class(**values)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``hume-emulator`` and ``python -m airflow_provider_hume.emulator``."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.allow_remote:
        try:
            check_loopback_host(args.host)
        except ValueError as exc:
            parser.error(f"{exc}; pass --allow-remote to bind it on purpose")
    flags = _flag_names()
    try:
        settings = settings_from_args(args)
    except SettingError as exc:
        parser.error(f"{flags.get(exc.field, exc.field)}: {exc.reason}")
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
        parser.error(f"{flags.get(exc.field, exc.field)}: {exc.reason}")
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        print(f"{LISTENING}{server.url}", flush=True)
        stop.wait()
    finally:
        server.stop()
    return 0
