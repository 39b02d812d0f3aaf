"""``v1`` error answers mapped onto the project's error hierarchy (hume-api-v1.md §3, §4.1).

Every error body but a 401 is ``{"type": "error", "code", "message", "request_id"}`` and the mapping branches
on ``code``; a 401 comes from the gateway as ``{"message", "request_id"?}`` without a code. An answer with no
code (a gateway or proxy in between, or a server that is not Hume's ``v1``) is mapped on its status. Every
error carries ``code`` and ``request_id`` (None when absent) and a message, redacted, that says what to fix.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from airflow_provider_hume.client.errors import (
    HumeAuthError,
    HumeConnectionError,
    HumeError,
    HumeNotFoundError,
    HumeRateLimitError,
    HumeServerError,
    HumeValidationError,
    decode_body,
    error_from_response,
    redact_text,
    truncate,
)
from airflow_provider_hume.client.retry import parse_retry_after

V1_PATH = "/v1/expression"
MEDIA_EXTRA = (
    "install the media extra (pip install 'airflow-provider-hume[media]') and let the operator convert it"
)


class HumeMediaError(HumeValidationError):
    """Hume could not take the media: undecodable, of an unsupported type, or over a size limit."""


class HumeNotServingV1Error(HumeNotFoundError):
    """The server answered 404 without a ``v1`` error body: it does not serve ``/v1/expression``."""


class HumeUploadOutcomeUnknownError(HumeConnectionError):
    """An upload may have reached Hume and been measured (and billed), but no answer was read.

    It is not retried automatically. ``started_after`` (UTC, taken just before the attempt), ``endpoint``
    (``audio`` or ``video``) and ``media_bytes`` (the file parts' total size) are what
    ``HumeV1Client.find_upload_runs`` needs to look for the run the attempt may have created.
    """

    def __init__(
        self,
        message: str,
        *,
        started_after: datetime,
        endpoint: str,
        media_bytes: int,
        status_code: int | None = None,
    ) -> None:
        super().__init__(message, status_code)
        self.started_after = started_after
        self.endpoint = endpoint
        self.media_bytes = media_bytes


_FIXES: dict[str, tuple[type[HumeError], str]] = {
    "message_invalid": (
        HumeValidationError,
        "Hume could not read the multipart body; something between the client and Hume (a proxy) may have "
        "altered it.",
    ),
    "config_invalid": (
        HumeValidationError,
        "Hume rejected the config: check measurement_timer_ms (3000 to 10000), face.threshold (0 to 1) and "
        "face.min_size (>= 1).",
    ),
    "invalid_request": (
        HumeValidationError,
        "Hume rejected the request's parameters: check the runs filters and page_size.",
    ),
    "audio_decode_failed": (
        HumeMediaError,
        "Hume could not decode the audio: it takes 16 kHz mono signed 16-bit PCM, as a WAV with a plain (not "
        "extensible) header or as raw samples with an even byte count. Convert it to 16 kHz mono s16 WAV, or "
        f"{MEDIA_EXTRA}.",
    ),
    "image_decode_failed": (
        HumeMediaError,
        "Hume could not decode an image, and one bad image fails the whole request: check that every part "
        "is a complete JPEG (re-encode it), or let the operator convert images.",
    ),
    "unsupported_media_type": (
        HumeMediaError,
        "Hume does not take this media type: audio must be 16 kHz mono s16 WAV or raw PCM (not MP3, FLAC, "
        f"Ogg or MP4/M4A) and images must be JPEGs. Convert it, or {MEDIA_EXTRA}.",
    ),
    "audio_too_long": (
        HumeMediaError,
        "The request is over Hume's 25 MB limit (about 13 minutes of audio): split the audio into requests "
        "of at most 25 MB; the audio operator does this.",
    ),
    "image_too_large": (
        HumeMediaError,
        "An image is over Hume's limits of 2 MB and 8,294,400 pixels (3840 x 2160): downscale it "
        "(the images operator does with oversize='downscale').",
    ),
    "forbidden": (
        HumeAuthError,
        "Hume refused the credential for this request: check that the API key has the Expression "
        "Measurement permission and that the organisation has access to the v1 API (limited release).",
    ),
    "not_found": (
        HumeNotFoundError,
        "Hume has no such run in this organisation: check the run id (a new run can take a moment to "
        "appear).",
    ),
    "method_not_allowed": (
        HumeValidationError,
        "Hume does not allow this method on this path: the client and the server disagree on the API.",
    ),
    "internal_error": (
        HumeServerError,
        "Hume failed with an internal error; a request that failed is not billed.",
    ),
    "server_busy": (
        HumeServerError,
        "Hume is busy and refused the request before measuring it; try again later.",
    ),
}


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _text_field(data: Any, key: str) -> str | None:
    value = data.get(key) if isinstance(data, Mapping) else None
    return value if isinstance(value, str) and value.strip() else None


def v1_error_code(body: bytes | str) -> str | None:
    """The ``code`` of a ``v1`` error body, or None when the body is not one."""
    return _text_field(_json(decode_body(body)), "code")


def error_from_v1_response(
    status: int,
    body: bytes | str,
    headers: Mapping[str, str],
    *,
    base_url: str,
    redact: Iterable[str] = (),
) -> HumeError:
    """The :class:`HumeError` for a non-2xx ``v1`` answer; ``redact``: secrets kept out of the message."""
    secrets = tuple(redact)
    text = redact_text(decode_body(body), secrets)
    data = _json(text)
    code = _text_field(data, "code")
    request_id = _text_field(data, "request_id")
    message = _text_field(data, "message")
    detail = truncate(message or text or "no details")
    if code is not None:
        error = _coded(status, code, detail, headers)
    elif status == 401:
        error = HumeAuthError(
            f"Hume rejected the credential (HTTP 401: {detail}). Check the API Key of the connection: it may "
            "be wrong or expired (a key's expiry cannot be extended; create a new key).",
            status,
        )
    elif status == 404:
        error = HumeNotServingV1Error(
            f"The server at {base_url} does not serve Hume's v1 API ({V1_PATH}): it answered 404 without a "
            f"v1 error body ({detail}). Set the connection's host to https://api.cloud.hume.ai (or leave it "
            "empty), or to an emulator that serves v1.",
            status,
        )
    else:
        error = error_from_response(status, text, headers)
    error.code = code
    error.request_id = request_id
    suffix = f" (request_id {request_id}: quote it to Hume support)" if request_id else ""
    error.message = redact_text(error.message + suffix, secrets)
    error.args = (error.message,)
    return error


def _coded(status: int, code: str, detail: str, headers: Mapping[str, str]) -> HumeError:
    """The error for a ``v1`` body carrying ``code``; an unknown code is mapped on the status."""
    head = f"HTTP {status} {code}: {detail}"
    if status == 429:
        return HumeRateLimitError(f"Hume rate limit hit ({head}).", status, parse_retry_after(headers))
    known = _FIXES.get(code)
    if known is not None:
        kind, fix = known
        return kind(f"{fix} ({head})", status)
    if status >= 500:
        return HumeServerError(f"Hume server error ({head}).", status)
    return HumeValidationError(f"Hume rejected the request ({head}).", status)
