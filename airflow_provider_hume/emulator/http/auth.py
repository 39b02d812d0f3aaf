"""API-key authentication of REST requests (hume-api-v0.md §8): the caller's user id, or a ``401`` fault."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from airflow_provider_hume.emulator.backend.auth import key_fault, presented_key
from airflow_provider_hume.emulator.backend.state import EmulatorState
from airflow_provider_hume.emulator.http.errors import ApiError


def connection_key(connection: HTTPConnection) -> str | None:
    """The key a request or websocket handshake presents (header, else ``apikey``/``apiKey``/``api_key``)."""
    return presented_key(connection.headers, connection.query_params)


def authenticate(state: EmulatorState, connection: HTTPConnection) -> str:
    """The caller's user id; a missing or unknown key raises the matching 401 fault."""
    key = connection_key(connection)
    user_id = None if key is None else state.user_for_key(key)
    if user_id is None:
        raise ApiError(401, key_fault(key))
    return user_id
