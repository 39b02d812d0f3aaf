"""Helpers for the ``v1`` operators against the emulator: its runs, read over HTTP as a user would."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import pytest
import requests

from tests.support.fault_proxy import FaultProxy

START = datetime(2026, 1, 1)


def emulator_runs(emulator: Any, since: datetime, endpoint: str | None = None) -> list[dict[str, Any]]:
    """The emulator's runs started at or after ``since`` (newest first)."""
    params: dict[str, Any] = {"page_size": 200, "started_after": since.isoformat()}
    if endpoint:
        params["endpoint"] = endpoint
    response = requests.get(
        f"{emulator.url}/v1/expression/run",
        params=params,
        headers={"X-Hume-Api-Key": emulator.api_key},
        timeout=10,
    )
    response.raise_for_status()
    runs: list[dict[str, Any]] = response.json()["runs"]
    return runs


@pytest.fixture
def since() -> datetime:
    """When the test started (UTC): runs from earlier tests are older."""
    return datetime.now(timezone.utc)


@pytest.fixture
def via_proxy(connections: None, emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """``hume_default`` pointed at a fault proxy in front of the emulator; yields the proxy."""
    with FaultProxy(emulator.url) as proxy:
        conn = {"conn_type": "hume", "host": proxy.url, "password": emulator.api_key}
        monkeypatch.setenv("AIRFLOW_CONN_HUME_DEFAULT", json.dumps(conn))
        yield proxy
