"""ASGI middleware in front of the API: counts every answered request per route and status, and applies the
fault injector's decisions (latency, 429/5xx instead of the response, a connection dropped mid-body).
A rejected ``v1`` request gets ``v1`` bodies (``v1.errors.v1_fault_body``), any other the ``v0`` ones.

Routes are named by method and path template (``"GET /v0/batch/jobs/{job_id}"``); a path no route matches
keeps its raw path. While a request fault is in force the route is matched before the router runs, so that
faults can reject a request without calling it; otherwise (the usual case, and the fast one) the route is
matched once, by the router or :mod:`.direct`, and read from the scope they leave (``scope["route"]``) when
the response starts.
Requests under ``/_emulator/`` (the admin API) and websockets pass through untouched. A request is counted
when its response starts, so a client that has read a response always finds it counted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Final

from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Match, Route, WebSocketRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from airflow_provider_hume.emulator.backend.faults import NO_FAULT, Rejection
from airflow_provider_hume.emulator.backend.settings import SettingError
from airflow_provider_hume.emulator.backend.state import EmulatorState
from airflow_provider_hume.emulator.http.auth import scope_key
from airflow_provider_hume.emulator.http.errors import RATE_LIMIT_FAULT, server_error_body
from airflow_provider_hume.emulator.v1.errors import v1_fault_body

ADMIN_PREFIX: Final = "/_emulator/"
V1_PREFIX: Final = "/v1/"


class ConnectionDropped(Exception):
    """Raised on purpose after part of a response body was sent: the server then closes the connection."""


def route_name(scope: Scope) -> str:
    """``"METHOD /path/template"`` of the app route the router will pick for ``scope`` (the first that
    matches fully, else the first that matches but for the method), else ``"METHOD /raw/path"``."""
    partial: BaseRoute | None = None
    for route in scope["app"].router.routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return _name(scope, route)
        if match is Match.PARTIAL and partial is None:
            partial = route
    return _name(scope, partial)


def routed_name(scope: Scope) -> str:
    """The name of the route the router picked for ``scope`` (it leaves it in ``scope["route"]``)."""
    return _name(scope, scope.get("route"))


def _name(scope: Scope, route: BaseRoute | None) -> str:
    path = getattr(route, "path", None)
    return f"{scope['method']} {scope['path'] if path is None else path}"


class FaultMiddleware:
    """Count requests to ``app`` and inject the faults that ``state.faults`` decides."""

    def __init__(self, app: ASGIApp, state: EmulatorState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        route: str | None = None
        decision = NO_FAULT
        if self.state.faults.active():
            route = route_name(scope)
            decision = self.state.faults.decide(route, scope_key(scope))
            if decision.latency_seconds:
                await asyncio.sleep(decision.latency_seconds)
            if decision.rejection is not None:
                await self._reject(route, decision.rejection, scope, receive, send)
                return
        started = False
        sent_part = False

        async def counting_send(message: Message) -> None:
            nonlocal started, sent_part
            if message["type"] == "http.response.start":
                started = True
                self.state.record_request(route or routed_name(scope), message["status"])
            elif message["type"] == "http.response.body" and decision.drop:
                # Send half of the first chunk that has two bytes or more (or of the last one), then abort.
                body: bytes = message.get("body", b"")
                if not sent_part and len(body) > 1:
                    await send(
                        {"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True}
                    )
                    sent_part = True
                if sent_part or not message.get("more_body", False):
                    raise ConnectionDropped(f"{route}: connection dropped mid-body (fault injected)")
                return
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        except Exception:
            if not started:
                self.state.record_request(route or routed_name(scope), 500)
            raise

    async def _reject(
        self, route: str, rejection: Rejection, scope: Scope, receive: Receive, send: Send
    ) -> None:
        self.state.record_request(route, rejection.status)
        headers = {"Retry-After": str(rejection.retry_after)} if rejection.status == 429 else None
        if scope["path"].startswith(V1_PREFIX):
            body = v1_fault_body(rejection.status)
        else:
            body = RATE_LIMIT_FAULT if rejection.status == 429 else server_error_body(rejection.status)
        await JSONResponse(body, rejection.status, headers=headers)(scope, receive, send)


def check_routes(app: Starlette, routes: Iterable[str]) -> None:
    """Raise :class:`SettingError` unless ``app`` serves every one of ``routes`` (admin routes excluded)."""
    known = _route_names(app)
    for route in routes:
        if route not in known:
            raise SettingError("routes", f"{route!r} is not served here (known: {', '.join(sorted(known))})")


def _route_names(app: Starlette) -> frozenset[str]:
    """HTTP routes as ``"METHOD /path"`` and websocket routes as ``"WS /path"`` (admin routes excluded)."""
    http = {
        f"{method} {route.path}"
        for route in app.router.routes
        if isinstance(route, Route) and not route.path.startswith(ADMIN_PREFIX)
        for method in route.methods or ()
        if method != "HEAD"
    }
    websockets = {f"WS {route.path}" for route in app.router.routes if isinstance(route, WebSocketRoute)}
    return frozenset(http | websockets)
