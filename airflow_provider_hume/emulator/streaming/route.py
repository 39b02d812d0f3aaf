"""The streaming websocket route ``/v0/stream/models`` (hume-api-v0.md §1.3, §4, §8): the socket in front of
the HTTP-free core of this package.

The key comes from the ``X-Hume-Api-Key`` header or the ``apikey``/``apiKey``/``api_key`` query parameter;
a missing or unknown key refuses the handshake with HTTP 401 and the REST ``fault`` body. After accepting,
each client message gets one JSON reply (see :mod:`.session`); messages are handled in order, off
the event loop. A connection without a client message for ``idle_timeout_seconds`` is closed with
:data:`IDLE_CLOSE_CODE` and a reason naming the timeout.
"""

from __future__ import annotations

import asyncio
import json
from typing import Final

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse
from starlette.websockets import WebSocket, WebSocketDisconnect

from airflow_provider_hume.emulator.backend.auth import key_fault, presented_key
from airflow_provider_hume.emulator.backend.state import EmulatorState
from airflow_provider_hume.emulator.streaming.session import StreamSession

STREAM_PATH: Final = "/v0/stream/models"
STREAM_ROUTE: Final = f"WS {STREAM_PATH}"
"""The route name that fault settings use for websocket messages (the added latency applies per reply)."""
IDLE_CLOSE_CODE: Final = 1000
"""Normal closure: the service documents a one-minute timeout, not an error."""


def idle_close_reason(idle_timeout_seconds: float) -> str:
    """The close reason sent with :data:`IDLE_CLOSE_CODE`."""
    return f"Idle timeout: no message received for {idle_timeout_seconds:g} seconds"


def stream_router(
    state: EmulatorState, *, idle_timeout_seconds: float = 60.0, warnings_top_level: bool = False
) -> APIRouter:
    """A router with the websocket ``/v0/stream/models``; ``warnings_top_level`` selects the warning form."""
    if idle_timeout_seconds <= 0:
        raise ValueError("idle_timeout_seconds must be positive")
    router = APIRouter()

    @router.websocket(STREAM_PATH)
    async def stream_models(websocket: WebSocket) -> None:
        key = presented_key(websocket.headers, websocket.query_params)
        if key is None or state.user_for_key(key) is None:
            await websocket.send_denial_response(JSONResponse(key_fault(key), status_code=401))
            return
        await websocket.accept()
        session = StreamSession(warnings_top_level=warnings_top_level)
        try:
            await _serve(websocket, session, idle_timeout_seconds, state)
        except WebSocketDisconnect:
            return

    return router


async def _serve(
    websocket: WebSocket, session: StreamSession, idle_timeout_seconds: float, state: EmulatorState
) -> None:
    while True:
        try:
            message = await asyncio.wait_for(websocket.receive(), idle_timeout_seconds)
        except asyncio.TimeoutError:
            await websocket.close(IDLE_CLOSE_CODE, idle_close_reason(idle_timeout_seconds))
            return
        if message["type"] == "websocket.disconnect":
            return
        text = message.get("text")
        frame: str | bytes = text if text is not None else message.get("bytes") or b""
        reply = await run_in_threadpool(session.reply, frame)
        delay = state.faults.message_latency(STREAM_ROUTE)
        if delay:
            await asyncio.sleep(delay)
        await websocket.send_text(json.dumps(reply))
