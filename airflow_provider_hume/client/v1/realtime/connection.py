"""Opening a realtime socket (hume-api-v1.md §3, §7): the URL, header-only auth and the handshake's errors.

The API key travels only in the ``X-Hume-Api-Key`` handshake header; redirects are refused so it never
follows one, and ``websockets``' wire log (which would print the headers at DEBUG) stays at INFO. A refused
handshake maps onto the project's errors: 401/403 :class:`HumeAuthError`, 404
:class:`HumeNotServingV1Error`, 408 and network errors :class:`HumeConnectionError`, 429
:class:`HumeRateLimitError`, 5xx :class:`HumeServerError`, other statuses :class:`HumeValidationError`.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Final
from urllib.parse import urlsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidHandshake, InvalidStatus, InvalidURI

from airflow_provider_hume.client.errors import (
    HumeAuthError,
    HumeConnectionError,
    HumeError,
    HumeRateLimitError,
    HumeServerError,
    HumeValidationError,
    redact_text,
    truncate,
)
from airflow_provider_hume.client.protocol import API_KEY_HEADER, USER_AGENT, check_api_key
from airflow_provider_hume.client.v1.errors import HumeNotServingV1Error
from airflow_provider_hume.client.v1.realtime.messages import Endpoint

DEFAULT_V1_WS_URL: Final = "wss://api.cloud.hume.ai"
MAX_SERVER_MESSAGE_BYTES: Final = 16 * 1024 * 1024
"""Largest server message read: a frame's result lists at most 32 faces, a few hundred KB at most."""
_SCHEMES: Final = {"wss": "wss", "ws": "ws", "https": "wss", "http": "ws"}

# websockets logs handshake headers, the API key among them, at DEBUG: its logger never goes below INFO.
_WIRE_LOG = logging.getLogger(f"{__name__}.wire")
_WIRE_LOG.setLevel(logging.INFO)


def realtime_url(base_url: str, endpoint: Endpoint) -> str:
    """``<base>/v1/expression/<endpoint>/realtime``; an ``https``/``http`` base becomes ``wss``/``ws``."""
    text = base_url.strip().rstrip("/") if isinstance(base_url, str) else ""
    parts = urlsplit(text)
    scheme = _SCHEMES.get(parts.scheme.lower())
    if scheme is None or not parts.netloc or parts.query or parts.fragment:
        raise HumeValidationError(
            f"base_url must be a ws(s) or http(s) URL without query or fragment, such as {DEFAULT_V1_WS_URL} "
            f"(got {truncate(text, 200)!r})"
        )
    return f"{scheme}://{parts.netloc}{parts.path}/v1/expression/{endpoint}/realtime"


class _Connect(connect):
    """``websockets.connect`` that refuses redirects instead of following them with the API key."""

    def process_redirect(self, exc: Exception) -> Exception | str:
        if isinstance(exc, InvalidStatus) and 300 <= exc.response.status_code < 400:
            return HumeValidationError(
                f"the realtime handshake was redirected (HTTP {exc.response.status_code}); redirects are not "
                "followed so that the API key is never sent elsewhere: check the base URL"
            )
        return exc


async def open_socket(url: str, api_key: str, *, open_timeout: float) -> ClientConnection:
    """Handshake once; a refusal or a failure raises the matching :class:`HumeError`."""
    key = check_api_key(api_key)
    try:
        return await _Connect(
            url,
            additional_headers={API_KEY_HEADER: key},
            user_agent_header=USER_AGENT,
            open_timeout=open_timeout,
            max_size=MAX_SERVER_MESSAGE_BYTES,
            logger=_WIRE_LOG,
        )
    except InvalidStatus as exc:
        raise handshake_error(url, exc.response.status_code) from None
    except InvalidURI as exc:
        raise HumeValidationError(f"invalid realtime URL {url}: {redact_text(str(exc), (key,))}") from None
    except (OSError, asyncio.TimeoutError, InvalidHandshake) as exc:
        detail = truncate(redact_text(str(exc), (key,)), 300)
        raise HumeConnectionError(f"could not open {url}: {type(exc).__name__}: {detail}") from None


def handshake_error(url: str, status: int) -> HumeError:
    """The error for a handshake refused with HTTP ``status``."""
    if status in (401, 403):
        return HumeAuthError(
            f"Hume refused the realtime connection's API key (HTTP {status}). Check the API Key of the "
            "connection.",
            status,
        )
    if status == 404:
        return HumeNotServingV1Error(
            f"the server at {url} does not serve /v1/expression realtime sockets (HTTP 404): check base_url",
            status,
        )
    text = f"Hume refused the realtime connection to {url} (HTTP {status})"
    if status == 408:
        return HumeConnectionError(f"{text}: request timeout", status)
    if status == 429:
        return HumeRateLimitError(f"{text}: rate limited", status)
    if status >= 500:
        return HumeServerError(f"{text}: server error", status)
    return HumeValidationError(text, status)


def retryable(error: HumeError) -> bool:
    """Whether a failed reconnect attempt may succeed later (network errors, 408, 429, 5xx)."""
    return isinstance(error, (HumeConnectionError, HumeRateLimitError, HumeServerError))
