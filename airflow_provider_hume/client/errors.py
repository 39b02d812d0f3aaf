"""One error hierarchy for everything the Hume client raises, and the mapping from HTTP responses to it.

Hume's ``v0`` API answers errors in several shapes (hume-api-v0.md §2.10, §8): an Apigee ``fault`` object
whose status the old SDK ignored, ``{"message": "job not found"}``, ``{"message": ...}`` validation bodies and
plain text. The mapping below turns all of them into a precise exception whose message says what to fix.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any

from airflow_provider_hume.client.retry import parse_retry_after

MAX_BODY_IN_MESSAGE = 500
REDACTED = "***"


class HumeError(Exception):
    """Base class of every error raised by the Hume client.

    ``code`` is the error code the server gave (the ``v1`` body's ``code``, a streaming error code) and
    ``request_id`` the id to quote to Hume support; both are None when the answer had none.
    """

    code: str | None = None
    request_id: str | None = None

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code

    def __str__(self) -> str:
        return self.message


class HumeAuthError(HumeError):
    """Hume rejected the API key, or none was sent."""


class HumeNotFoundError(HumeError):
    """The job does not exist (or belongs to another account)."""


class HumeValidationError(HumeError, ValueError):
    """The request is invalid: caught before sending it, or rejected by Hume with a 4xx."""


class HumeJobNotCompletedError(HumeValidationError):
    """Predictions or artifacts were requested before the job reached COMPLETED."""


class HumeRateLimitError(HumeError):
    """Hume throttled the request (HTTP 429 or an Apigee rate-limit fault)."""

    def __init__(self, message: str, status_code: int | None = 429, retry_after: float | None = None) -> None:
        super().__init__(message, status_code)
        self.retry_after = retry_after


class HumeServerError(HumeError):
    """Hume failed with a 5xx status."""


class HumeConnectionError(HumeError):
    """The server could not be reached, or the connection broke before a response arrived."""


class HumeTLSError(HumeConnectionError):
    """The TLS handshake failed: a wrong scheme or host in the base URL, or a certificate the client refuses.

    Nothing was sent (the request never left the client), and asking again will not help.
    """


class HumeBodyError(HumeConnectionError):
    """A streamed body did not arrive whole: it broke off, ended early, or fails its format's check.

    ``body`` names it (e.g. ``artifacts of Hume job 42``); ``received`` counts the bytes that arrived and
    ``expected`` is the announced length, or None when the body came without one. Fetching the body again may
    well succeed, so this is a :class:`HumeConnectionError` (transient).
    """

    def __init__(
        self, message: str, *, body: str = "", received: int = 0, expected: int | None = None
    ) -> None:
        super().__init__(message)
        self.body = body
        self.received = received
        self.expected = expected


class HumeJobFailedError(HumeError):
    """The job ended in the FAILED state; ``reason`` is Hume's own message."""

    def __init__(self, job_id: str, message: str) -> None:
        super().__init__(f"Hume job {job_id} failed: {message or 'no reason given'}")
        self.job_id = job_id
        self.reason = message


class HumeStreamError(HumeError):
    """The streaming API answered a payload with an error ``code`` (e.g. ``E0102``)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"Hume streaming error {code}: {message}")
        self.code = code
        self.reason = message


#: Errors after which polling again may well succeed: the network or the server had a bad moment.
TRANSIENT_ERRORS: tuple[type[HumeError], ...] = (HumeConnectionError, HumeRateLimitError, HumeServerError)
#: Errors that asking again cannot fix: a rejected key, an unknown job, an invalid request, a TLS failure.
PERMANENT_ERRORS: tuple[type[HumeError], ...] = (
    HumeAuthError,
    HumeNotFoundError,
    HumeValidationError,
    HumeTLSError,
)


def tls_error(base_url: str, error: BaseException) -> HumeTLSError:
    """The error for a failed TLS handshake with ``base_url``, saying what to check."""
    return HumeTLSError(
        f"The TLS handshake with {base_url} failed ({type(error).__name__}: {truncate(str(error), 300)}). "
        "Nothing was sent to Hume. Check the connection's base URL (its scheme, https:// or http://, and its "
        "host) and the server's certificate."
    )


def redact_text(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret replaced by ``***``: done before any cut, so no part of a key survives."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def redact_bytes(body: bytes, secrets: Iterable[str]) -> bytes:
    """``body`` with every secret replaced by ``***``, for answers read before they are parsed."""
    for secret in secrets:
        if secret:
            body = body.replace(secret.encode("utf-8"), REDACTED.encode("ascii"))
    return body


def decode_body(body: bytes | str) -> str:
    """Decode a response body for messages, never failing on bad UTF-8."""
    return body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body


def truncate(text: str, limit: int = MAX_BODY_IN_MESSAGE) -> str:
    """Shorten ``text`` for an error message, saying how much was cut."""
    text = text.strip()
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit} more characters)"


def _parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _detail(data: Any, text: str, status: int) -> str:
    """The most useful human-readable part of an error body."""
    if isinstance(data, Mapping):
        for key in ("message", "error", "detail"):
            value = data.get(key)
            if isinstance(value, str) and value.strip():
                return truncate(value)
            if value:
                return truncate(json.dumps(value))
    if text.strip():
        return truncate(text)
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "no details"


def _fault(data: Any) -> tuple[str, str] | None:
    """``(faultstring, errorcode)`` of an Apigee fault body, or None."""
    if not isinstance(data, Mapping) or not isinstance(data.get("fault"), Mapping):
        return None
    fault = data["fault"]
    detail = fault.get("detail")
    errorcode = detail.get("errorcode") if isinstance(detail, Mapping) else None
    return str(fault.get("faultstring") or ""), str(errorcode or "")


def _is_job_not_found(data: Any) -> bool:
    if not isinstance(data, Mapping):
        return False
    message = data.get("message")
    return isinstance(message, str) and message.strip().lower() == "job not found"


def _auth_error(status: int, detail: str) -> HumeAuthError:
    return HumeAuthError(
        f"Hume rejected the API key (HTTP {status}: {detail}). Check the API Key of the connection.", status
    )


def _from_fault(
    status: int, faultstring: str, errorcode: str, headers: Mapping[str, str]
) -> HumeError | None:
    """Classify a fault by its content, whatever the status (the old SDK ignored the status too)."""
    detail = truncate(faultstring or errorcode or "fault")
    code = errorcode.lower()
    if "invalidapikey" in code or "failedtoresolveapikey" in code or faultstring == "Invalid ApiKey":
        return _auth_error(status, detail)
    if "ratelimit" in code or "quotaviolation" in code or "spikearrest" in code:
        retry_after = parse_retry_after(headers)
        return HumeRateLimitError(f"Hume rate limit hit (HTTP {status}: {detail}).", status, retry_after)
    return None


def error_from_response(
    status: int, body: bytes | str, headers: Mapping[str, str], *, redact: Iterable[str] = ()
) -> HumeError:
    """Map an error response to the matching :class:`HumeError`.

    ``redact`` lists secrets (the API key) to scrub in case a server echoes them back: from the body before it
    is read and cut, and from the message.
    """
    secrets = tuple(redact)
    text = redact_text(decode_body(body), secrets)
    data = _parse_json(text)
    error = _classify(status, text, data, headers)
    error.message = redact_text(error.message, secrets)
    error.args = (error.message,)
    return error


def _classify(status: int, text: str, data: Any, headers: Mapping[str, str]) -> HumeError:
    fault = _fault(data)
    if fault is not None:
        error = _from_fault(status, *fault, headers)
        if error is not None:
            return error
        detail = truncate(": ".join(part for part in (fault[1], fault[0]) if part) or "fault")
    else:
        detail = _detail(data, text, status)
    if _is_job_not_found(data):
        return HumeNotFoundError(f"Hume job not found (HTTP {status}: {detail}). Check the job id.", status)
    if status == 404:
        return HumeNotFoundError(
            f"Hume answered 404 Not Found ({detail}). Check the job id, and the base URL of the connection "
            "if every request fails this way.",
            status,
        )
    if status in (401, 403):
        return _auth_error(status, detail)
    if status == 429:
        return HumeRateLimitError(
            f"Hume rate limit hit (HTTP 429: {detail}).", status, parse_retry_after(headers)
        )
    if status == 408:
        return HumeConnectionError(f"Hume timed out waiting for the request (HTTP 408: {detail}).", status)
    if status >= 500:
        return HumeServerError(f"Hume server error (HTTP {status}: {detail}).", status)
    if 400 <= status < 500:
        if status == 400 and "not completed" in detail.lower():
            return HumeJobNotCompletedError(
                f"Hume job is not completed yet (HTTP 400: {detail}). "
                "Wait for COMPLETED before fetching results.",
                status,
            )
        return HumeValidationError(f"Hume rejected the request (HTTP {status}: {detail}).", status)
    return HumeError(f"Unexpected answer from Hume (HTTP {status}: {detail}).", status)


def error_in_success_body(
    status: int, data: Any, body: bytes | str, headers: Mapping[str, str], *, redact: Iterable[str] = ()
) -> HumeError | None:
    """An error hidden in a 2xx body (a ``fault`` or ``job not found``), which old Hume servers sent."""
    if _fault(data) is None and not _is_job_not_found(data):
        return None
    return error_from_response(status, body, headers, redact=redact)
