"""API-key authentication of REST requests (hume-api-v0.md §8): the caller's user id, or a ``401`` fault.

The key is read once per request, straight from the ASGI scope (no ``Headers``/``QueryParams`` objects unless
the query string may hold it): job details is the route clients poll, so this is on the hot path.
"""

from __future__ import annotations

from typing import Final

from starlette.datastructures import QueryParams
from starlette.requests import HTTPConnection
from starlette.types import Scope

from airflow_provider_hume.emulator.backend.auth import HEADER, QUERY_PARAMS, key_fault
from airflow_provider_hume.emulator.backend.state import EmulatorState
from airflow_provider_hume.emulator.http.errors import ApiError

_HEADER_NAME: Final = HEADER.lower().encode("latin-1")


def scope_key(scope: Scope) -> str | None:
    """The key a request or websocket handshake presents: the first ``X-Hume-Api-Key`` header, else the
    ``apikey``/``apiKey``/``api_key`` query parameter, in that order; an empty value counts as missing."""
    for name, value in scope["headers"]:
        if name == _HEADER_NAME:
            if value:
                key: str = value.decode("latin-1")
                return key
            break
    query: bytes = scope.get("query_string", b"")
    if b"api" not in query.lower() and b"%" not in query:  # no name can be a key's (all hold "api")
        return None
    params = QueryParams(query)
    return next((key for key in (params.get(name) for name in QUERY_PARAMS) if key), None)


def connection_key(connection: HTTPConnection) -> str | None:
    """:func:`scope_key` of a request or websocket connection."""
    return scope_key(connection.scope)


def authenticate(state: EmulatorState, connection: HTTPConnection) -> str:
    """The caller's user id; a missing or unknown key raises the matching 401 fault."""
    return authenticate_scope(state, connection.scope)


def authenticate_scope(state: EmulatorState, scope: Scope) -> str:
    """:func:`authenticate` of the request whose ASGI scope is ``scope``."""
    key = scope_key(scope)
    user_id = None if key is None else state.user_for_key(key)
    if user_id is None:
        raise ApiError(401, key_fault(key))
    return user_id
