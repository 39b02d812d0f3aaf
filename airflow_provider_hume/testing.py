"""pytest plugin: a Hume API emulator for your own DAG and hook tests.

Fixtures:

* ``hume_emulator`` (session): a running emulator whose jobs finish in a fraction of a second, as a
  :class:`HumeEmulator` with ``url``, ``api_key`` and ``admin`` (an :class:`EmulatorAdmin`). With
  ``--hume-emulator-url`` and ``--hume-emulator-api-key`` (or ``HUME_EMULATOR_URL``/``HUME_EMULATOR_API_KEY``)
  it is that already running emulator instead, e.g. a container.
* ``hume_emulator_factory``: starts emulators with other settings (``EmulatorSettings`` fields as keyword
  arguments, or ``settings=``), stopped at the end of the test.
* ``hume_connection_env``: sets ``AIRFLOW_CONN_HUME_DEFAULT`` to the ``hume_emulator`` for one test and
  returns the connection JSON.

The session emulator is shared: a test that sets faults should undo them (``admin.faults_injected(...)`` as a
context manager does) or call ``admin.reset()``. Importing this module imports neither Airflow nor the
emulator's server dependencies; starting an in-process emulator needs the ``emulator`` extra.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field, fields
from typing import Any, Final

import pytest

from airflow_provider_hume.emulator.admin_client import EmulatorAdmin
from airflow_provider_hume.emulator.backend.settings import EmulatorSettings

CONN_ENV: Final = "AIRFLOW_CONN_HUME_DEFAULT"
URL_ENV: Final = "HUME_EMULATOR_URL"
KEY_ENV: Final = "HUME_EMULATOR_API_KEY"
#: Fast defaults of the in-process emulators: a job is QUEUED 0.1 s and IN_PROGRESS 0.2 s.
FAST: Final = {"queue_seconds": 0.1, "run_seconds": 0.2, "callback_backoff_seconds": 0.1}


def connection_json(url: str, api_key: str) -> str:
    """An Airflow ``hume`` connection for the emulator at ``url``, as ``AIRFLOW_CONN_*`` JSON."""
    return json.dumps({"conn_type": "hume", "host": url, "password": api_key})


@dataclass(frozen=True)
class HumeEmulator:
    """A running emulator: where it is, the key it accepts and its admin client."""

    url: str
    api_key: str = field(repr=False)
    admin: EmulatorAdmin = field(repr=False)

    @property
    def connection_json(self) -> str:
        """The Airflow connection for it, as ``AIRFLOW_CONN_HUME_DEFAULT`` JSON."""
        return connection_json(self.url, self.api_key)


EmulatorFactory = Callable[..., HumeEmulator]


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--hume-emulator-url`` and ``--hume-emulator-api-key``: use an emulator that is already running."""
    group = parser.getgroup("hume", "Hume API emulator")
    group.addoption("--hume-emulator-url", help=f"use this running emulator (env {URL_ENV})")
    group.addoption("--hume-emulator-api-key", help=f"an API key it accepts (env {KEY_ENV})")


def _start(stack: ExitStack, settings: EmulatorSettings | None, **changes: Any) -> HumeEmulator:
    from airflow_provider_hume.emulator.server import EmulatorServer

    known = {f.name for f in fields(EmulatorSettings)}
    unknown = sorted(set(changes) - known)
    if unknown:
        raise TypeError(f"unknown emulator setting {unknown[0]!r}; known: {', '.join(sorted(known))}")
    if settings is None:
        settings = EmulatorSettings(**{**FAST, **changes})
    api_key = secrets.token_hex(24)
    server = stack.enter_context(EmulatorServer([api_key], settings=settings))
    admin = stack.enter_context(EmulatorAdmin(server.url, api_key))
    return HumeEmulator(server.url, api_key, admin)


@pytest.fixture(scope="session")
def hume_emulator(request: pytest.FixtureRequest) -> Iterator[HumeEmulator]:
    """The session's emulator: started here, or the one named by ``--hume-emulator-url``."""
    url = request.config.getoption("hume_emulator_url") or os.environ.get(URL_ENV)
    with ExitStack() as stack:
        if not url:
            yield _start(stack, None)
            return
        api_key = request.config.getoption("hume_emulator_api_key") or os.environ.get(KEY_ENV)
        if not api_key:
            raise pytest.UsageError(f"--hume-emulator-url needs --hume-emulator-api-key (or {KEY_ENV})")
        yield HumeEmulator(url.rstrip("/"), api_key, stack.enter_context(EmulatorAdmin(url, api_key)))


@pytest.fixture
def hume_emulator_factory() -> Iterator[EmulatorFactory]:
    """``factory(settings=None, **fields)``: start an in-process emulator for this test.

    ``fields`` are ``EmulatorSettings`` fields over the fast defaults, e.g. ``job_details_shape="2022"`` or
    ``faults=FaultSettings(error_rate=0.5)``; ``settings`` replaces them all.
    """
    with ExitStack() as stack:

        def factory(settings: EmulatorSettings | None = None, **changes: Any) -> HumeEmulator:
            return _start(stack, settings, **changes)

        yield factory


@pytest.fixture
def hume_connection_env(hume_emulator: HumeEmulator, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point ``hume_default`` at ``hume_emulator`` for this test; returns the connection JSON."""
    value = hume_emulator.connection_json
    monkeypatch.setenv(CONN_ENV, value)
    return value
