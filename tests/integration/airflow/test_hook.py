"""HumeHook.test_connection against the emulator."""

from __future__ import annotations

import json
from typing import Any

import pytest

from airflow_provider_hume.hooks.hume import HumeHook


def _set_conn(monkeypatch: pytest.MonkeyPatch, url: str, key: str) -> None:
    monkeypatch.setenv(
        "AIRFLOW_CONN_HUME_HOOK", json.dumps({"conn_type": "hume", "host": url, "password": key})
    )


def test_connection_succeeds_with_the_right_key(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _set_conn(monkeypatch, emulator.url, emulator.api_key)
    ok, message = HumeHook("hume_hook").test_connection()
    assert ok, message


def test_connection_fails_cleanly_with_a_wrong_key(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    wrong = "wrong-9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b"
    _set_conn(monkeypatch, emulator.url, wrong)
    ok, message = HumeHook("hume_hook").test_connection()
    assert not ok
    assert "rejected the API key" in message
    assert wrong not in message
