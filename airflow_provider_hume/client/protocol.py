"""The I/O-free part of the batch protocol shared by the sync and async clients (hume-api-v0.md §2).

Paths, headers, query parameters and the reading of response bodies live here once, so both clients agree on
the wire format and on which answers are errors.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlsplit

from airflow_provider_hume import __version__
from airflow_provider_hume.client._fields import check_choice, check_int, invalid
from airflow_provider_hume.client.errors import (
    HumeError,
    HumeValidationError,
    decode_body,
    error_in_success_body,
    redact_bytes,
    redact_text,
    truncate,
)
from airflow_provider_hume.client.jobs import JobDetails, JobStatus

JOBS_PATH = "/v0/batch/jobs"
API_KEY_HEADER = "X-Hume-Api-Key"
USER_AGENT = f"airflow-provider-hume/{__version__}"
MAX_ERROR_BODY = 64 * 1024
"""Bytes of an error body read for the error message."""
MAX_JSON_BODY = 32 * 1024 * 1024
"""Upper bound for the small JSON bodies (job id, job details, job list) read into memory."""

LIST_WHEN = ("created_before", "created_after")
LIST_SORT_BY = ("created", "started", "ended")
LIST_DIRECTIONS = ("asc", "desc")


def check_api_key(api_key: Any) -> str:
    """The key without surrounding whitespace; refused, without echoing it, if it cannot be a header."""
    if not isinstance(api_key, str) or not api_key.strip():
        raise HumeValidationError("The Hume API key is empty. Set the API Key of the connection.")
    key: str = api_key.strip()
    if not all("!" <= char <= "~" for char in key):
        raise HumeValidationError(
            "The Hume API key contains spaces, control or non-ASCII characters. "
            "Check the API Key of the connection."
        )
    return key


def normalize_base_url(base_url: Any) -> str:
    """An http(s) base URL without trailing slash, query or fragment (a key must never ride in a URL)."""
    if not isinstance(base_url, str) or not base_url.strip():
        raise invalid("base_url", "must be an http(s) URL such as https://api.hume.ai", base_url)
    url: str = base_url.strip().rstrip("/")
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise invalid("base_url", "must be an http(s) URL such as https://api.hume.ai", url) from exc
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise invalid("base_url", "must be an http(s) URL such as https://api.hume.ai", url)
    if parts.query or parts.fragment:
        raise HumeValidationError(
            "base_url must not contain a query string or fragment; the API key goes in a header"
        )
    return url


def request_headers(api_key: str) -> dict[str, str]:
    """Headers of every request; the key travels only here.

    ``Accept-Encoding`` is pinned because Hume's own example notes the API does not accept ``br``, which HTTP
    libraries add when a brotli package happens to be installed.
    """
    return {
        API_KEY_HEADER: api_key,
        "User-Agent": USER_AGENT,
        "Accept": "application/json",
        "Accept-Encoding": "gzip, deflate",
    }


def job_path(job_id: Any, suffix: str = "") -> str:
    """``/v0/batch/jobs/{id}{suffix}`` with the id validated and quoted as one path segment.

    An id that is empty, ``.``/``..`` or holds a ``/`` would name another resource, so it is refused before
    any request (a templated id that rendered to nothing usually means the upstream task pushed no XCom).
    """
    if not isinstance(job_id, str) or not job_id.strip():
        raise invalid("job_id", "must be a non-empty string (did the upstream task push a job id?)", job_id)
    job_id = job_id.strip()
    if job_id in (".", "..") or "/" in job_id:
        raise invalid("job_id", "must be one Hume job id, without '/' and not '.' or '..'", job_id)
    return f"{JOBS_PATH}/{quote(job_id, safe='')}{suffix}"


def list_jobs_params(
    *,
    limit: int | None = None,
    statuses: Sequence[JobStatus | str] | JobStatus | str | None = None,
    when: str | None = None,
    timestamp_ms: int | None = None,
    sort_by: str | None = None,
    direction: str | None = None,
) -> list[tuple[str, str]]:
    """Validated query parameters of ``GET /v0/batch/jobs``; ``status`` is repeated once per status."""
    params: list[tuple[str, str]] = []
    if limit is not None:
        params.append(("limit", str(check_int(limit, "limit", minimum=1))))
    if statuses is not None:
        items = [statuses] if isinstance(statuses, str) else list(statuses)
        names = [status.value for status in JobStatus]
        for index, status in enumerate(items):
            params.append(("status", check_choice(status, f"statuses[{index}]", names)))
    if when is not None:
        params.append(("when", check_choice(when, "when", LIST_WHEN)))
    if timestamp_ms is not None:
        params.append(("timestamp_ms", str(check_int(timestamp_ms, "timestamp_ms", minimum=0))))
    if sort_by is not None:
        params.append(("sort_by", check_choice(sort_by, "sort_by", LIST_SORT_BY)))
    if direction is not None:
        params.append(("direction", check_choice(direction, "direction", LIST_DIRECTIONS)))
    return params


def redirect_error(status: int, location: str | None, redact: Iterable[str] = ()) -> HumeError:
    """Redirects are refused: following one could hand the API key to another host.

    ``redact`` lists secrets masked in ``location`` before it is cut (a server may echo the key in it).
    """
    shown = truncate(redact_text(location or "nowhere", redact), 200)
    return HumeError(
        f"Hume answered HTTP {status} redirecting to {shown}; "
        "redirects are not followed so the API key stays with the configured host. "
        "Set the base URL to the final address.",
        status,
    )


def _decode_json(
    status: int, body: bytes, headers: Mapping[str, str], what: str, redact: Iterable[str]
) -> Any:
    """The JSON of a 2xx body, raising the error hidden in it (``fault``, ``job not found``) if any.

    Callers pass ``body`` already redacted (:func:`redact_bytes`), so nothing parsed from it holds the key.
    """
    try:
        data = json.loads(body)
    except ValueError:
        raise HumeError(
            f"Hume returned a body that is not JSON for {what} (HTTP {status}): "
            f"{truncate(decode_body(body))}",
            status,
        ) from None
    error = error_in_success_body(status, data, body, headers, redact=redact)
    if error is not None:
        raise error
    return data


def parse_job_id(status: int, body: bytes, headers: Mapping[str, str], redact: Iterable[str] = ()) -> str:
    """The ``job_id`` of a start-job answer."""
    redact = tuple(redact)
    body = redact_bytes(body, redact)
    data = _decode_json(status, body, headers, "the new job", redact)
    job_id = data.get("job_id") if isinstance(data, Mapping) else None
    if not isinstance(job_id, str) or not job_id:
        raise HumeError(
            f"Hume did not return a job id (HTTP {status}): {truncate(decode_body(body))}", status
        )
    return job_id


def parse_job_details(
    status: int, body: bytes, headers: Mapping[str, str], job_id: str, redact: Iterable[str] = ()
) -> JobDetails:
    """The details of job ``job_id``."""
    redact = tuple(redact)
    data = _decode_json(status, redact_bytes(body, redact), headers, f"job {job_id}", redact)
    return JobDetails.from_api(data, job_id=job_id)


def parse_job_list(
    status: int, body: bytes, headers: Mapping[str, str], redact: Iterable[str] = ()
) -> list[JobDetails]:
    """Jobs from a bare JSON array (current API) or ``{"jobs": [...], "next_page_token"}`` (early 2023)."""
    redact = tuple(redact)
    body = redact_bytes(body, redact)
    data = _decode_json(status, body, headers, "the job list", redact)
    if isinstance(data, Mapping) and isinstance(data.get("jobs"), list):
        data = data["jobs"]
    if not isinstance(data, list):
        raise HumeError(
            f"Hume returned a job list that is not a JSON array: {truncate(decode_body(body))}", status
        )
    return [JobDetails.from_api(item) for item in data]
