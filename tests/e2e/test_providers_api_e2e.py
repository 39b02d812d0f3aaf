"""The provider as the api-server sees it: discovered, with its connection form, and testable."""

from __future__ import annotations

import json
from typing import Any

import pytest

from airflow_provider_hume import __version__


def test_provider_is_listed_with_its_version(e2e: Any) -> None:
    providers = e2e.api.get("/api/v2/providers", params={"limit": 500})["providers"]
    ours = [p for p in providers if p["package_name"] == "airflow-provider-hume"]
    assert ours, [p["package_name"] for p in providers]
    assert ours[0]["version"] == __version__


def test_hume_connection_type_has_its_form_fields(e2e: Any) -> None:
    hooks = e2e.api.get("/ui/connections/hook_meta")
    (hume,) = [h for h in hooks if h["connection_type"] == "hume"]
    assert hume["hook_class_name"] == "airflow_provider_hume.hooks.hume.HumeHook"
    fields = json.dumps(hume)
    assert "API Key" in fields
    assert "timeout" in fields
    assert "max_retries" in fields


@pytest.mark.parametrize(
    ("right_key", "expected"), [(True, True), (False, False)], ids=["right-key", "wrong-key"]
)
def test_connection_test_through_the_api(e2e: Any, right_key: bool, expected: bool) -> None:
    key = e2e.stack.hume_api_key if right_key else "wrong-" + e2e.stack.hume_api_key[:20]
    body = {"connection_id": "hume_e2e", "conn_type": "hume", "host": e2e.stack.hume_url, "password": key}
    response = e2e.api.post("/api/v2/connections/test", body)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["status"] is expected, result
    if not expected:
        assert "rejected the API key" in result["message"]
    assert key not in result["message"]
