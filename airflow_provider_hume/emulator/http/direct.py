"""The routes clients hit most, answered without the rest of the app's middleware and its router.

Through the app, a request passes Starlette's error middleware, the fault middleware, the exception
middleware, FastAPI's exit-stack middleware, the router (matching every route in turn), the route and its own
exception wrapper, each a coroutine wrapping ``send``, for what is a dictionary lookup and a few hundred
cached bytes. :class:`DirectRoutes` sits right inside the fault middleware (so requests are still counted and
faults still injected): it matches a request against a few routes and, on a full match, sends the route's
:data:`Answer` at once, leaving ``scope["route"]`` as the router would, so the request is counted under the
route's name. Any other request (another route, another method, a websocket) goes on to the app. The routes
stay in the router, their endpoints calling the same answers (:func:`answering`), so the app also works, only
more slowly, without this middleware.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from airflow_provider_hume.emulator.http.errors import ApiError

Answer = Callable[[Scope], bytes]
"""A route's answer from the request's scope alone: its ``200`` JSON body, or an :class:`ApiError`."""

JSON: Final = b"application/json"


def json_bytes(value: Any) -> bytes:
    """``value`` as compact JSON, byte for byte what Starlette's ``JSONResponse`` sends."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")).encode()


def json_response(body: bytes, status_code: int = 200) -> Response:
    """A response of already serialised JSON."""
    return Response(body, status_code, media_type="application/json")


def answering(answer: Answer) -> Callable[[Request], Awaitable[Response]]:
    """The route endpoint sending ``answer`` (its :class:`ApiError` goes to the app's handler)."""

    async def endpoint(request: Request) -> Response:
        return json_response(answer(request.scope))

    return endpoint


class DirectRoutes:
    """Answer the requests that fully match one of ``routes`` with its answer; pass on every other one."""

    def __init__(self, app: ASGIApp, routes: Sequence[tuple[Route, Answer]]) -> None:
        self.app = app
        self.routes = tuple(routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for route, answer in self.routes:
                match, child_scope = route.matches(scope)
                if match is Match.FULL:
                    scope["route"] = route
                    scope.update(child_scope)
                    await _send_answer(answer, scope, send)
                    return
        await self.app(scope, receive, send)


async def _send_answer(answer: Answer, scope: Scope, send: Send) -> None:
    try:
        status, body = 200, answer(scope)
    except ApiError as exc:
        status, body = exc.status_code, json_bytes(exc.body)
    headers = [(b"content-length", str(len(body)).encode()), (b"content-type", JSON)]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
