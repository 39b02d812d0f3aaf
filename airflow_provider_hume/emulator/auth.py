"""API-key authentication (hume-api-v0.md §8).

The key comes from the ``X-Hume-Api-Key`` header or the ``apikey``/``apiKey``/``api_key`` query parameter.
"""

from __future__ import annotations

from typing import Final

from starlette.requests import HTTPConnection

from airflow_provider_hume.emulator.errors import INVALID_KEY_FAULT, MISSING_KEY_FAULT, ApiError
from airflow_provider_hume.emulator.state import EmulatorState

HEADER: Final = "X-Hume-Api-Key"
QUERY_PARAMS: Final = ("apikey", "apiKey", "api_key")


def presented_key(connection: HTTPConnection) -> str | None:
    """The key the client sent, the header taking precedence; empty values count as missing."""
    candidates = [connection.headers.get(HEADER)]
    candidates += [connection.query_params.get(name) for name in QUERY_PARAMS]
    return next((key for key in candidates if key), None)


def authenticate(state: EmulatorState, connection: HTTPConnection) -> str:
    """The caller's user id; a missing or unknown key raises the matching 401 fault."""
    key = presented_key(connection)
    if key is None:
        raise ApiError(401, MISSING_KEY_FAULT)
    user_id = state.user_for_key(key)
    if user_id is None:
        raise ApiError(401, INVALID_KEY_FAULT)
    return user_id
