"""The ``hume`` connection form, in one place for the hook and for Airflow's provider discovery."""

from __future__ import annotations

from typing import Any

DEFAULT_BASE_URL = "https://api.hume.ai"

_HIDDEN_FIELDS = ["login", "schema", "port", "extra"]
_RELABELING = {"password": "API Key", "host": "Base URL"}
_PLACEHOLDERS = {"host": DEFAULT_BASE_URL, "password": "your Hume API key"}

#: The extras shown as form fields (``conn-fields`` of the provider info).
CONN_FIELDS: dict[str, dict[str, Any]] = {
    "timeout": {
        "label": "Request timeout (seconds)",
        "schema": {"type": ["number", "null"], "minimum": 1},
        "description": "Read timeout for each HTTP request (default 60).",
    },
    "max_retries": {
        "label": "Max retries",
        "schema": {"type": ["integer", "null"], "minimum": 0},
        "description": "Retries for 429, 5xx and connection errors (default 5).",
    },
    "console_url": {
        "label": "Console URL",
        "schema": {"type": ["string", "null"]},
        "description": (
            "Where the 'Hume Job' link points: '{job_id}' is replaced by the job id, else "
            "'/jobs/<job_id>' is appended. Default: Hume's platform for api.hume.ai, the "
            "emulator console for any other base URL."
        ),
    },
}


def ui_field_behaviour() -> dict[str, Any]:
    """The form as ``BaseHook.get_ui_field_behaviour`` returns it (snake_case keys)."""
    return {
        "hidden_fields": list(_HIDDEN_FIELDS),
        "relabeling": dict(_RELABELING),
        "placeholders": dict(_PLACEHOLDERS),
    }


def provider_ui_field_behaviour() -> dict[str, Any]:
    """The same form as the provider info's ``ui-field-behaviour`` (kebab-case keys)."""
    return {key.replace("_", "-"): value for key, value in ui_field_behaviour().items()}
