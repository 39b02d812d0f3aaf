"""``HumeHook``: reading a ``hume`` connection, building clients from it, testing it, registering it."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from airflow.sdk import Connection
from airflow.sdk.exceptions import AirflowFailException

from airflow_provider_hume import __version__, get_provider_info
from airflow_provider_hume._connection_form import (
    CONN_FIELDS,
    provider_ui_field_behaviour,
    ui_field_behaviour,
)
from airflow_provider_hume.client import HumeAuthError, HumeBatchClient
from airflow_provider_hume.client.v1 import HumeNotServingV1Error
from airflow_provider_hume.hooks.hume import HumeHook, settings_from_connection
from tests.unit.airflow.conftest import Logs
from tests.unit.airflow.stubs import API_KEY, FakeClock, Script, StubClient, StubHook

KEY = "conn-secret-key-0123456789abcdef0123456789"


def _conn(**kwargs: Any) -> Connection:
    return Connection(conn_id="hume_test", conn_type="hume", **kwargs)


def reading(conn: Connection) -> tuple[HumeHook, list[str]]:
    """A hook that reads ``conn`` instead of Airflow's connections, and the list of ids it was asked for."""
    reads: list[str] = []

    class Hook(HumeHook):
        @classmethod
        def get_connection(cls, conn_id: str) -> Connection:
            reads.append(conn_id)
            return conn

        @classmethod
        async def aget_connection(cls, conn_id: str) -> Connection:
            reads.append(conn_id)
            return conn

    return Hook("hume_test"), reads


# settings_from_connection


def test_defaults_to_hume_base_url() -> None:
    settings = settings_from_connection(_conn(password="key"))
    assert settings.base_url == "https://api.hume.ai"
    assert settings.timeout == 60.0
    assert settings.max_retries == 5
    assert settings.console_url is None


@pytest.mark.parametrize(
    ("host", "port", "expected"),
    [
        ("http://127.0.0.1:8123", None, "http://127.0.0.1:8123"),
        ("127.0.0.1", 8123, "https://127.0.0.1:8123"),
        ("http://emulator/", 9000, "http://emulator:9000"),
        ("https://proxy.example.com/hume", None, "https://proxy.example.com/hume"),
        ("  https://api.example.com/  ", None, "https://api.example.com"),
        ("http://emulator:8000", 9000, "http://emulator:8000"),  # a port in the host wins
        ("   ", None, "https://api.hume.ai"),
    ],
)
def test_base_url_from_host_and_port(host: str, port: int | None, expected: str) -> None:
    assert settings_from_connection(_conn(host=host, port=port, password="k")).base_url == expected


@pytest.mark.parametrize("host", ["ftp://files", "https:///path", "http://:8000"])
def test_bad_host_names_the_connection_and_the_expected_form(host: str) -> None:
    with pytest.raises(
        ValueError,
        match=r"'hume_test': host must be an http:// or https:// base URL such as https://api.hume.ai",
    ):
        settings_from_connection(_conn(host=host, password="k"))


def test_a_scheme_without_a_host_is_rejected() -> None:
    with pytest.raises(ValueError, match="host must be an http:// or https:// base URL"):
        settings_from_connection(_conn(host="http://", password="k"))


def test_extras_plain_or_prefixed() -> None:
    plain = settings_from_connection(
        _conn(password="k", extra='{"timeout": 5, "max_retries": 0, "console_url": "https://c.example"}')
    )
    prefixed = settings_from_connection(
        _conn(
            password="k",
            extra='{"extra__hume__timeout": "7.5", "extra__hume__max_retries": "2",'
            ' "extra__hume__console_url": "https://p.example"}',
        )
    )
    assert (plain.timeout, plain.max_retries, plain.console_url) == (5.0, 0, "https://c.example")
    assert (prefixed.timeout, prefixed.max_retries, prefixed.console_url) == (7.5, 2, "https://p.example")


def test_an_empty_extra_counts_as_unset() -> None:
    settings = settings_from_connection(
        _conn(password="k", extra='{"timeout": "", "extra__hume__timeout": "9", "console_url": ""}')
    )
    assert (settings.timeout, settings.console_url) == (9.0, None)


@pytest.mark.parametrize("password", [None, "", "   "])
def test_missing_key_names_the_field(password: str | None) -> None:
    with pytest.raises(ValueError, match=r"'hume_test' has no API key: put .* password \('API Key'\) field"):
        settings_from_connection(_conn(host="http://x", password=password))


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        ('{"timeout": "soon"}', "'timeout' must be a number"),
        ('{"max_retries": "many"}', "'max_retries' an integer"),
        ('{"timeout": 0}', "'timeout' must be > 0"),
        ('{"max_retries": -1}', "'max_retries' >= 0"),
    ],
)
def test_bad_extras_name_the_extra(extra: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        settings_from_connection(_conn(password="k", extra=extra))


def test_repr_never_shows_the_key() -> None:
    settings = settings_from_connection(_conn(password=KEY))
    assert KEY not in repr(settings)
    assert KEY not in str(settings)
    assert KEY not in f"{settings}"


# HumeHook


def test_settings_are_read_once_per_hook() -> None:
    hook, reads = reading(_conn(password=KEY))
    hook.get_settings()
    hook.get_settings()
    hook.get_client().close()
    asyncio.run(hook.aget_settings())
    assert reads == ["hume_test"]


def test_async_settings_are_read_once_too() -> None:
    hook, reads = reading(_conn(password=KEY))

    async def twice() -> None:
        await hook.aget_settings()
        await (await hook.get_async_client()).close()

    asyncio.run(twice())
    hook.get_settings()
    assert reads == ["hume_test"]


def test_clients_are_built_from_the_connection_with_overrides() -> None:
    conn = _conn(host="http://hume.example:8080", password=KEY, extra='{"timeout": 7.5, "max_retries": 2}')
    hook, _ = reading(conn)
    with hook.get_client(connect_timeout=2.5) as client:
        assert (client.base_url, client.timeout, client.connect_timeout) == (
            "http://hume.example:8080",
            7.5,
            2.5,
        )
        assert client.retry_policy.max_retries == 2
        assert KEY not in repr(client)

    async def build() -> tuple[str, float, float, int]:
        async with await hook.get_async_client(connect_timeout=1.5) as aclient:
            return (
                aclient.base_url,
                aclient.timeout,
                aclient.connect_timeout,
                aclient.retry_policy.max_retries,
            )

    assert asyncio.run(build()) == ("http://hume.example:8080", 7.5, 1.5, 2)
    stream = hook.get_stream_client()
    assert (stream.url, stream.timeout) == ("ws://hume.example:8080/v0/stream/models", 7.5)


def test_get_conn_is_the_batch_client_of_the_connection() -> None:
    conn = _conn(host="http://hume.example:8080", password=KEY, extra='{"timeout": 7.5, "max_retries": 2}')
    hook, reads = reading(conn)
    with hook.get_conn() as client:
        assert isinstance(client, HumeBatchClient)
        assert (client.base_url, client.timeout, client.retry_policy.max_retries) == (
            "http://hume.example:8080",
            7.5,
            2,
        )
    assert reads == ["hume_test"]


def test_async_clients_for_triggers_share_the_loops_connection_pool() -> None:
    hook, _ = reading(_conn(host="http://hume.example:8080", password=KEY))

    async def build() -> tuple[bool, bool]:
        shared, own = await hook.get_async_client(), await hook.get_async_client(share_connections=False)
        return shared.share_connections, own.share_connections

    assert asyncio.run(build()) == (True, False)


def test_get_client_rejects_an_unknown_override() -> None:
    hook, _ = reading(_conn(password=KEY))
    with pytest.raises(TypeError, match="colour"):
        hook.get_client(colour="red")


class RejectingClient(StubClient):
    def check_connection(self) -> None:
        raise HumeAuthError("Hume rejected the API key (HTTP 401): check the connection's API Key", 401)


class AcceptingClient(StubClient):
    checks = 0

    def check_connection(self) -> None:
        AcceptingClient.checks += 1


class ClientHook(StubHook):
    """A stub hook whose ``v0`` client is ``client_class`` and ``v1`` client ``v1_class``."""

    def __init__(self, client_class: type[StubClient], v1_class: type[StubClient] | None = None) -> None:
        super().__init__(Script(), FakeClock())
        self.client_class = client_class
        self.v1_class = v1_class or client_class

    def get_client(self, **overrides: Any) -> StubClient:
        return self.client_class(self.script, self.clock)

    def get_v1_client(self, **overrides: Any) -> StubClient:
        return self.v1_class(self.script, self.clock)


class NotServingV1Client(StubClient):
    def check_connection(self) -> None:
        raise HumeNotServingV1Error("the server at http://hume.example does not serve /v1/expression")


def test_connection_test_reports_a_rejected_key_without_the_key() -> None:
    ok, message = ClientHook(RejectingClient).test_connection()
    assert ok is False
    assert "rejected the API key" in message
    assert API_KEY not in message


def test_connection_test_reports_success() -> None:
    before = AcceptingClient.checks
    assert ClientHook(AcceptingClient).test_connection() == (
        True,
        "Connection to Hume succeeded: the API key was accepted by the v1 and v0 API.",
    )
    assert AcceptingClient.checks == before + 2, "both APIs were asked"


def test_connection_test_succeeds_when_only_one_api_is_served() -> None:
    ok, message = ClientHook(RejectingClient, v1_class=AcceptingClient).test_connection()
    assert ok, message
    assert message.startswith("Connection to Hume succeeded: the API key was accepted by the v1 API")
    assert "v0: Hume rejected the API key" in message
    ok, message = ClientHook(AcceptingClient, v1_class=NotServingV1Client).test_connection()
    assert ok, message
    assert "accepted by the v0 API (not served: v1: the server at http://hume.example" in message


def test_connection_test_reports_a_missing_key_as_the_field_to_fill() -> None:
    hook, _ = reading(_conn(host="http://hume.example"))
    ok, message = hook.test_connection()
    assert ok is False
    assert "password ('API Key')" in message


# The connection form and provider registration


def test_the_form_comes_from_one_place() -> None:
    (conn_type,) = get_provider_info()["connection-types"]
    hook_form = HumeHook.get_ui_field_behaviour()
    assert hook_form == ui_field_behaviour()
    assert conn_type["ui-field-behaviour"] == provider_ui_field_behaviour()
    assert conn_type["ui-field-behaviour"] == {key.replace("_", "-"): v for key, v in hook_form.items()}
    assert conn_type["conn-fields"] is CONN_FIELDS
    assert hook_form["relabeling"] == {"password": "API Key", "host": "Base URL"}
    assert set(hook_form["hidden_fields"]) >= {"login", "schema", "port"}


def test_every_form_extra_is_read_by_the_hook() -> None:
    values = {"timeout": 9.0, "max_retries": 1, "console_url": "https://console.example"}
    assert set(CONN_FIELDS) == set(values)
    settings = settings_from_connection(_conn(password="k", extra=json.dumps(values)))
    assert {name: getattr(settings, name) for name in values} == values


def test_provider_info_matches_the_hook() -> None:
    (conn_type,) = get_provider_info()["connection-types"]
    assert conn_type["connection-type"] == HumeHook.conn_type == "hume"
    assert conn_type["hook-class-name"] == f"{HumeHook.__module__}.{HumeHook.__qualname__}"
    assert HumeHook.default_conn_name == "hume_default"
    assert HumeHook.conn_name_attr == "hume_conn_id"


def test_providers_manager_discovers_the_package_and_connection_type() -> None:
    from airflow.providers_manager import ProvidersManager

    manager = ProvidersManager()  # type: ignore[no-untyped-call]
    assert manager.providers["airflow-provider-hume"].version == __version__
    hook = manager.hooks["hume"]
    assert hook is not None
    assert hook.hook_class_name == "airflow_provider_hume.hooks.hume.HumeHook"
    assert hook.connection_type == "hume"


def test_a_host_without_a_scheme_says_https_was_assumed(logs: Logs) -> None:
    settings = settings_from_connection(_conn(host="hume.internal:8443", password="k"))
    assert settings.base_url == "https://hume.internal:8443"
    assert "host 'hume.internal:8443' has no scheme; assuming https://hume.internal:8443" in logs.text


@pytest.mark.parametrize(
    ("conn", "field"),
    [
        ({"host": "http://x"}, "no API key"),
        ({"host": "ftp://x", "password": "k"}, "host must be an http:// or https:// base URL"),
        ({"password": "k", "extra": '{"timeout": "soon"}'}, "'timeout' must be a number"),
    ],
)
def test_a_bad_connection_is_final(conn: dict[str, Any], field: str) -> None:
    with pytest.raises(AirflowFailException, match=field):
        settings_from_connection(_conn(**conn))
