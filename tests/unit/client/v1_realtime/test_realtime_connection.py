"""Realtime URLs and the errors of a refused handshake (hume-api-v1.md §3, §7)."""

from __future__ import annotations

import pytest

from airflow_provider_hume.client.errors import (
    HumeAuthError,
    HumeConnectionError,
    HumeError,
    HumeRateLimitError,
    HumeServerError,
    HumeValidationError,
)
from airflow_provider_hume.client.v1.errors import HumeNotServingV1Error
from airflow_provider_hume.client.v1.realtime.connection import handshake_error, realtime_url, retryable


@pytest.mark.parametrize(
    ("base", "url"),
    [
        ("wss://api.cloud.hume.ai", "wss://api.cloud.hume.ai/v1/expression/audio/realtime"),
        ("https://api.cloud.hume.ai/", "wss://api.cloud.hume.ai/v1/expression/audio/realtime"),
        ("http://127.0.0.1:8000", "ws://127.0.0.1:8000/v1/expression/audio/realtime"),
        ("WS://proxy:1/hume", "ws://proxy:1/hume/v1/expression/audio/realtime"),
    ],
)
def test_realtime_url(base: str, url: str) -> None:
    assert realtime_url(base, "audio") == url
    assert realtime_url(base, "video") == url.replace("/audio/", "/video/")


@pytest.mark.parametrize("base", ["", "ftp://host", "wss://host?apikey=x", "wss://", "api.cloud.hume.ai"])
def test_bad_base_urls(base: str) -> None:
    with pytest.raises(HumeValidationError):
        realtime_url(base, "audio")


@pytest.mark.parametrize(
    ("status", "kind", "again"),
    [
        (401, HumeAuthError, False),
        (403, HumeAuthError, False),
        (404, HumeNotServingV1Error, False),
        (400, HumeValidationError, False),
        (408, HumeConnectionError, True),
        (429, HumeRateLimitError, True),
        (500, HumeServerError, True),
        (503, HumeServerError, True),
    ],
)
def test_handshake_errors(status: int, kind: type[HumeError], again: bool) -> None:
    error = handshake_error("wss://h/v1/expression/audio/realtime", status)
    assert type(error) is kind
    assert error.status_code == status
    assert retryable(error) is again
