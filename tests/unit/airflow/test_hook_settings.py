"""Reading a ``hume`` connection: base URL, key, extras, and errors that name the field."""

from __future__ import annotations

import pytest
from airflow.sdk import Connection

from airflow_provider_hume import get_provider_info
from airflow_provider_hume.hooks.hume import HumeHook, settings_from_connection


def _conn(**kwargs: object) -> Connection:
    return Connection(conn_id="hume_test", conn_type="hume", **kwargs)  # type: ignore[arg-type]


def test_defaults_to_hume_base_url() -> None:
    settings = settings_from_connection(_conn(password="key"))
    assert settings.base_url == "https://api.hume.ai"
    assert settings.timeout == 60.0
    assert settings.max_retries == 5


@pytest.mark.parametrize(
    ("host", "port", "expected"),
    [
        ("http://127.0.0.1:8123", None, "http://127.0.0.1:8123"),
        ("127.0.0.1", 8123, "https://127.0.0.1:8123"),
        ("http://emulator/", 9000, "http://emulator:9000"),
        ("https://proxy.example.com/hume", None, "https://proxy.example.com/hume"),
    ],
)
def test_base_url_from_host_and_port(host: str, port: int | None, expected: str) -> None:
    assert settings_from_connection(_conn(host=host, port=port, password="k")).base_url == expected


def test_extras_plain_or_prefixed() -> None:
    plain = settings_from_connection(_conn(password="k", extra='{"timeout": 5, "max_retries": 0}'))
    prefixed = settings_from_connection(
        _conn(password="k", extra='{"extra__hume__timeout": "7.5", "extra__hume__max_retries": "2"}')
    )
    assert (plain.timeout, plain.max_retries) == (5.0, 0)
    assert (prefixed.timeout, prefixed.max_retries) == (7.5, 2)


def test_missing_key_names_the_field() -> None:
    with pytest.raises(ValueError, match="API Key"):
        settings_from_connection(_conn(host="http://x"))


@pytest.mark.parametrize("extra", ['{"timeout": "soon"}', '{"timeout": 0}', '{"max_retries": -1}'])
def test_bad_extras_are_rejected(extra: str) -> None:
    with pytest.raises(ValueError, match=r"timeout|max_retries"):
        settings_from_connection(_conn(password="k", extra=extra))


def test_bad_host_is_rejected() -> None:
    with pytest.raises(ValueError, match="base URL"):
        settings_from_connection(_conn(host="ftp://files", password="k"))


def test_repr_never_shows_the_key() -> None:
    settings = settings_from_connection(_conn(password="super-secret-key"))
    assert "super-secret-key" not in repr(settings)


def test_provider_info_matches_the_hook() -> None:
    info = get_provider_info()
    (conn_type,) = info["connection-types"]
    assert conn_type["connection-type"] == HumeHook.conn_type
    assert conn_type["hook-class-name"] == f"{HumeHook.__module__}.{HumeHook.__qualname__}"
    behaviour = conn_type["ui-field-behaviour"]
    assert behaviour["relabeling"]["password"] == "API Key"
    assert set(behaviour["hidden-fields"]) >= {"login", "schema", "port"}
