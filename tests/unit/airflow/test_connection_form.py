"""The ``hume`` connection form: what it shows, hides and says, kept in step with the hook."""

from __future__ import annotations

from airflow_provider_hume import get_provider_info
from airflow_provider_hume._connection_form import (
    CONN_FIELDS,
    DEFAULT_BASE_URL,
    provider_ui_field_behaviour,
    ui_field_behaviour,
)
from airflow_provider_hume.hooks.hume import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, HumeHook


def test_only_the_base_url_and_the_key_are_shown() -> None:
    form = ui_field_behaviour()
    assert form["hidden_fields"] == ["login", "schema", "port", "extra"]
    assert form["relabeling"] == {"password": "API Key", "host": "Base URL"}
    assert form["placeholders"] == {"host": DEFAULT_BASE_URL, "password": "your Hume API key"}
    assert DEFAULT_BASE_URL == "https://api.hume.ai"


def test_the_provider_info_spelling_is_kebab_case() -> None:
    assert provider_ui_field_behaviour() == {
        "hidden-fields": ui_field_behaviour()["hidden_fields"],
        "relabeling": ui_field_behaviour()["relabeling"],
        "placeholders": ui_field_behaviour()["placeholders"],
    }


def test_each_call_returns_a_fresh_form() -> None:
    form = ui_field_behaviour()
    form["hidden_fields"].remove("port")
    form["relabeling"]["password"] = "changed"
    assert "port" in ui_field_behaviour()["hidden_fields"]
    assert provider_ui_field_behaviour()["relabeling"]["password"] == "API Key"


def test_extras_are_optional_fields_with_a_label() -> None:
    for name, field in CONN_FIELDS.items():
        assert field["label"], name
        assert "null" in field["schema"]["type"], f"{name} must be optional"
        assert field["description"], name


def test_the_documented_defaults_are_the_hook_defaults() -> None:
    assert f"(default {DEFAULT_TIMEOUT:g})" in CONN_FIELDS["timeout"]["description"]
    assert f"(default {DEFAULT_MAX_RETRIES})" in CONN_FIELDS["max_retries"]["description"]
    assert CONN_FIELDS["max_retries"]["schema"]["minimum"] == 0


def test_the_provider_info_names_the_connection_type_as_the_hook_does() -> None:
    (connection_type,) = get_provider_info()["connection-types"]
    assert connection_type["hook-name"] == HumeHook.hook_name == "Hume"
    assert connection_type["conn-fields"] == CONN_FIELDS
    assert set(CONN_FIELDS) == {"timeout", "max_retries", "console_url"}
