"""The realtime websockets ``/v1/expression/audio/realtime`` and ``/v1/expression/video/realtime``
(hume-api-v1.md §3, §7), and the admin switch of the ``server_shutdown`` fault.

The key comes from the ``X-Hume-Api-Key`` handshake header only (no query parameter, no Bearer token); a
missing or unknown key refuses the handshake with HTTP 401 and the gateway body. Handshakes are counted
like requests (``WS <path>``: 101 or 401). Each accepted connection is one :class:`RealtimeSession`:
``session.created`` first, then one step per client message, in order. A session ends on ``session.close``
(``client_request``), a session-ending error (``error``), ``realtime_idle_seconds`` without a client message
(``idle_timeout``) or the shutdown switch (``server_shutdown``): its last messages, ``session.closed`` last,
then a close frame with the reason's code. The fault injector decides per media frame (as per request):
an injected 429 is a ``rate_limited`` reply, an injected 5xx an ``internal_error``; its latency delays the
reply.

``POST /_emulator/v1/realtime/shutdown`` (any accepted key) with ``{}`` ends every live session now and
answers ``{"sessions": n}``; with ``{"after_frames": n}`` it arms the switch for the ``n``-th media frame
taken in from now on, in whichever session, and answers ``{"armed": n}``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Mapping
from typing import Any, Final

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from airflow_provider_hume.emulator.backend.auth import HEADER
from airflow_provider_hume.emulator.v1.errors import new_request_id, unauthorized_body
from airflow_provider_hume.emulator.v1.realtime.audio import AudioSession
from airflow_provider_hume.emulator.v1.realtime.messages import CLOSE_CODES, CloseReason, Message
from airflow_provider_hume.emulator.v1.realtime.session import RealtimeSession
from airflow_provider_hume.emulator.v1.realtime.shutdown import ShutdownSwitch
from airflow_provider_hume.emulator.v1.realtime.video import VideoSession
from airflow_provider_hume.emulator.v1.room import V1Room

AUDIO_PATH: Final = "/v1/expression/audio/realtime"
VIDEO_PATH: Final = "/v1/expression/video/realtime"
SHUTDOWN_PATH: Final = "/_emulator/v1/realtime/shutdown"
MISSING_KEY: Final = "Missing API key or access token: send your API key in X-Hume-Api-Key"
INVALID_KEY: Final = "Invalid API key"

SessionFactory = Callable[[str], RealtimeSession]


def realtime_router(room: V1Room, switch: ShutdownSwitch | None = None) -> APIRouter:
    """The two realtime websockets and the shutdown switch of ``room`` (its runs, measurers, keys and the
    realtime fields of its ``V1Settings``)."""
    settings = room.settings
    switch = switch or ShutdownSwitch()
    room.state.on_reset(switch.reset)
    router = APIRouter()
    multiplier = settings.rate_multiplier

    def clock() -> float:
        return time.monotonic() * multiplier

    def audio(user_id: str) -> RealtimeSession:
        burst = settings.audio_burst_seconds
        return AudioSession(room.runs, user_id, clock, burst_seconds=burst, measurer=room.audio_measurer)

    def video(user_id: str) -> RealtimeSession:
        burst = settings.video_burst_frames
        return VideoSession(room.runs, user_id, clock, burst_frames=burst, measurer=room.face_measurer)

    @router.websocket(AUDIO_PATH)
    async def audio_socket(websocket: WebSocket) -> None:
        await _Connection(websocket, room, switch, f"WS {AUDIO_PATH}").run(audio)

    @router.websocket(VIDEO_PATH)
    async def video_socket(websocket: WebSocket) -> None:
        await _Connection(websocket, room, switch, f"WS {VIDEO_PATH}").run(video)

    @router.post(SHUTDOWN_PATH)
    async def shutdown(request: Request) -> Response:
        if _user(room, request.headers.get(HEADER)) is None:
            return JSONResponse({"message": INVALID_KEY}, 401)
        raw = await request.body()
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            body = None
        after = body.get("after_frames") if isinstance(body, dict) else None
        if (
            not isinstance(body, dict)
            or set(body) - {"after_frames"}
            or (after is not None and (isinstance(after, bool) or not isinstance(after, int) or after < 1))
        ):
            return JSONResponse({"message": 'the body must be {} or {"after_frames": n >= 1}'}, 400)
        if after is None:
            return JSONResponse({"sessions": switch.now()})
        switch.arm(after)
        return JSONResponse({"armed": after})

    return router


class _Connection:
    """One websocket: authentication, the message loop, and the end of its session."""

    def __init__(
        self,
        websocket: WebSocket,
        room: V1Room,
        switch: ShutdownSwitch,
        route: str,
    ) -> None:
        self.websocket = websocket
        self.room = room
        self.state = room.state
        self.idle_timeout_seconds = room.settings.realtime_idle_seconds
        self.switch = switch
        self.route = route

    async def run(self, new_session: SessionFactory) -> None:
        key = self.websocket.headers.get(HEADER) or None
        user_id = _user(self.room, key)
        if key is None or user_id is None:
            self.state.record_request(self.route, 401)
            body = (
                unauthorized_body(MISSING_KEY, None)
                if key is None
                else unauthorized_body(INVALID_KEY, new_request_id())
            )
            await self.websocket.send_denial_response(JSONResponse(body, status_code=401))
            return
        self.state.record_request(self.route, 101)
        await self.websocket.accept()
        session = await run_in_threadpool(new_session, user_id)
        shutdown = self.switch.register()
        try:
            await self._serve(session, key, shutdown)
        except WebSocketDisconnect as gone:
            session.lost(gone.code, gone.reason or None)
        finally:
            self.switch.unregister(shutdown)
            if not session.ended:
                session.lost(None, None)

    async def _serve(self, session: RealtimeSession, key: str, shutdown: asyncio.Event) -> None:
        await self._send([session.created()])
        stopping = asyncio.ensure_future(shutdown.wait())
        try:
            while True:
                receiving = asyncio.ensure_future(self.websocket.receive())
                done, _ = await asyncio.wait(
                    {receiving, stopping},
                    timeout=self.idle_timeout_seconds,
                    return_when=asyncio.FIRST_COMPLETED,
                )
                if receiving not in done:
                    receiving.cancel()
                    await self._end(session, "server_shutdown" if stopping in done else "idle_timeout")
                    return
                message = receiving.result()
                if message["type"] == "websocket.disconnect":
                    session.lost(message.get("code"), message.get("reason") or None)
                    return
                if not await self._step(session, message, key, shutdown):
                    return
                if shutdown.is_set():
                    await self._end(session, "server_shutdown")
                    return
        finally:
            stopping.cancel()

    async def _step(
        self, session: RealtimeSession, message: Mapping[str, Any], key: str, shutdown: asyncio.Event
    ) -> bool:
        """Answer one client message; ``False`` once the session has ended."""
        text = message.get("text")
        if text is not None:
            step = await run_in_threadpool(session.on_text, text)
        else:
            decision = self.state.faults.decide(self.route, key)
            if decision.latency_seconds:
                await asyncio.sleep(decision.latency_seconds)
            taken = session.media_taken
            step = await run_in_threadpool(session.on_media, message.get("bytes") or b"", decision.rejection)
            if step.end is None and session.media_taken > taken:
                self.switch.frame_taken(shutdown)
        await self._send(step.messages)
        if step.end is not None:
            await self._end(session, step.end)
            return False
        return True

    async def _end(self, session: RealtimeSession, reason: CloseReason) -> None:
        messages = await run_in_threadpool(session.closing, reason)
        await self._send(messages)
        if self.websocket.application_state is WebSocketState.CONNECTED:
            await self.websocket.close(CLOSE_CODES[reason], reason)

    async def _send(self, messages: list[Message]) -> None:
        for message in messages:
            await self.websocket.send_text(json.dumps(message))


def _user(room: V1Room, key: str | None) -> str | None:
    return None if not key else room.user_for_key(key)
