"""``HumeHook.get_v1_client``: the connection's base URL, or Hume's ``v1`` host when it has none."""

from __future__ import annotations

import pytest
from airflow.sdk import Connection

from airflow_provider_hume.client.v1 import DEFAULT_V1_BASE_URL
from airflow_provider_hume.hooks.hume import HumeHook

KEY = "conn-secret-key-0123456789abcdef0123456789"


def hook_for(conn: Connection) -> HumeHook:
    class Hook(HumeHook):
        @classmethod
        def get_connection(cls, conn_id: str) -> Connection:
            return conn

    return Hook("hume_test")


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        (None, DEFAULT_V1_BASE_URL),
        ("  ", DEFAULT_V1_BASE_URL),
        ("http://127.0.0.1:8123/", "http://127.0.0.1:8123"),
    ],
)
def test_v1_client_base_url(host: str | None, expected: str) -> None:
    hook = hook_for(Connection(conn_id="hume_test", conn_type="hume", host=host, password=KEY))
    with hook.get_v1_client() as client:
        assert client.base_url == expected
        assert KEY not in repr(client)
    assert hook.get_settings().base_url == (expected if host and host.strip() else "https://api.hume.ai")


def test_v1_client_takes_the_connection_timeout_and_overrides() -> None:
    conn = Connection(conn_id="hume_test", conn_type="hume", password=KEY, extra='{"timeout": 7}')
    with hook_for(conn).get_v1_client(upload_timeout=900.0) as client:
        assert client.timeout == 7.0
        assert client.upload_timeout == 900.0


def test_provider_info_lists_the_v1_operators() -> None:
    import importlib

    from airflow_provider_hume import get_provider_info

    (operators,) = get_provider_info()["operators"]
    expected = {
        "airflow_provider_hume.operators.measure_audio": "HumeMeasureAudioOperator",
        "airflow_provider_hume.operators.measure_images": "HumeMeasureImagesOperator",
        "airflow_provider_hume.operators.runs_export": "HumeRunsToS3Operator",
    }
    for module, name in expected.items():
        assert module in operators["python-modules"]
        assert hasattr(importlib.import_module(module), name)
