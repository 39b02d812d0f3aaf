"""API keys (hume-api-v0.md §8): where a request carries one, the user it stands for, and the fault a
missing or unknown key gets. No HTTP here: headers and query parameters arrive as plain mappings.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, Final

HEADER: Final = "X-Hume-Api-Key"
QUERY_PARAMS: Final = ("apikey", "apiKey", "api_key")
INVALID_KEY_FAULT: Final = {
    "fault": {"faultstring": "Invalid ApiKey", "detail": {"errorcode": "oauth.v2.InvalidApiKey"}}
}
MISSING_KEY_FAULT: Final = {
    "fault": {
        "faultstring": "Failed to resolve API Key variable request.header.X-Hume-Api-Key",
        "detail": {"errorcode": "steps.oauth.v2.FailedToResolveAPIKey"},
    }
}
_USER_NAMESPACE: Final = uuid.UUID("6f1d3c52-8d4e-4b7a-9a39-2f0a9d1c7e10")


def presented_key(headers: Mapping[str, str], query: Mapping[str, str]) -> str | None:
    """The key the client sent in the header or the query, the header taking precedence; empty is missing."""
    candidates = [headers.get(HEADER), *(query.get(name) for name in QUERY_PARAMS)]
    return next((key for key in candidates if key), None)


def key_fault(key: str | None) -> dict[str, Any]:
    """The ``401`` body for a request whose ``key`` is missing (``None``) or not accepted."""
    return MISSING_KEY_FAULT if key is None else INVALID_KEY_FAULT


def user_id_for(api_key: str) -> str:
    """The fixed user id of an API key (a name-based UUID, so the key cannot be read back from it)."""
    return str(uuid.uuid5(_USER_NAMESPACE, api_key))
