"""Fixtures for the Airflow layer's unit tests: what the provider logs while a test runs."""

from __future__ import annotations

import logging
from collections.abc import Iterator, MutableMapping
from typing import Any

import pytest
from structlog.testing import capture_logs

PACKAGE_LOGGER = "airflow_provider_hume"


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append((record.levelname.lower(), record.getMessage()))


class Logs:
    """Log lines written during a test, by the package's module loggers and by its tasks' ``self.log``."""

    def __init__(self, stdlib: list[tuple[str, str]], structured: list[MutableMapping[str, Any]]) -> None:
        self._stdlib = stdlib
        self._structured = structured

    @property
    def lines(self) -> list[tuple[str, str]]:
        """``(level, message)`` pairs."""
        events = [(str(e.get("log_level", "")), str(e.get("event", ""))) for e in self._structured]
        return [*self._stdlib, *events]

    @property
    def text(self) -> str:
        return "\n".join(message for _, message in self.lines)

    def at(self, level: str) -> str:
        """The messages logged at ``level`` (``info``, ``warning``...), one per line."""
        return "\n".join(message for got, message in self.lines if got == level)


@pytest.fixture
def logs() -> Iterator[Logs]:
    """Everything the provider logs during the test (task loggers go through structlog, modules through
    stdlib logging; Airflow reconfigures the root logger, so the handler sits on the package's logger)."""
    handler = _Collect()
    logger = logging.getLogger(PACKAGE_LOGGER)
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        with capture_logs() as structured:
            yield Logs(handler.lines, structured)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
