"""``v1`` authentication (hume-api-v1.md §3): the ``X-Hume-Api-Key`` header, the same keys as ``v0``.

A missing key (or a Bearer token, which the emulator does not issue) gets ``401`` without a ``request_id``; a
rejected key gets one. Either way the body has no ``type`` or ``code``. A request that passes gets its
``request_id`` here, kept on ``request.state`` for the response and any error.
"""

from __future__ import annotations

from starlette.requests import Request

from airflow_provider_hume.emulator.backend.auth import HEADER
from airflow_provider_hume.emulator.v1.errors import V1Unauthorized, new_request_id
from airflow_provider_hume.emulator.v1.room import V1Room


def request_id(request: Request) -> str:
    """The request's id, made on first use."""
    current = getattr(request.state, "v1_request_id", None)
    if current is None:
        current = request.state.v1_request_id = new_request_id()
    return str(current)


def authenticate(room: V1Room, request: Request) -> str:
    """The caller's user id; :class:`V1Unauthorized` otherwise."""
    key = request.headers.get(HEADER)
    if not key:
        raise V1Unauthorized("Missing API key or access token: send your API key in X-Hume-Api-Key", None)
    user_id = room.user_for_key(key)
    if user_id is None:
        raise V1Unauthorized("Invalid API key", request_id(request))
    request_id(request)
    return user_id
