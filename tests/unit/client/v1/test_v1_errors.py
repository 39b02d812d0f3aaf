"""Mapping of v1 error answers on ``code`` and status (hume-api-v1.md §3, §4.1), redacted."""

from __future__ import annotations

import json

import pytest

from airflow_provider_hume.client.errors import (
    HumeAuthError,
    HumeConnectionError,
    HumeError,
    HumeNotFoundError,
    HumeRateLimitError,
    HumeServerError,
    HumeValidationError,
)
from airflow_provider_hume.client.v1 import HumeMediaError, HumeNotServingV1Error
from airflow_provider_hume.client.v1.errors import error_from_v1_response, v1_error_code
from tests.unit.client.v1.samples import error_body

BASE = "http://hume.test"
KEY = "k3y-Sx9fQk2LmN4pR7tV1wY3zA5bC8dE0gH6"


def mapped(status: int, body: object, headers: dict[str, str] | None = None) -> HumeError:
    raw = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return error_from_v1_response(status, raw, headers or {}, base_url=BASE, redact=(KEY,))


@pytest.mark.parametrize(
    ("status", "code", "kind", "fix"),
    [
        (400, "message_invalid", HumeValidationError, "multipart body"),
        (400, "config_invalid", HumeValidationError, "measurement_timer_ms (3000 to 10000)"),
        (400, "invalid_request", HumeValidationError, "page_size"),
        (
            400,
            "audio_decode_failed",
            HumeMediaError,
            "Convert it to 16 kHz mono s16 WAV, or install the media extra",
        ),
        (400, "image_decode_failed", HumeMediaError, "complete JPEG"),
        (415, "unsupported_media_type", HumeMediaError, "not MP3, FLAC"),
        (413, "audio_too_long", HumeMediaError, "at most 25 MB"),
        (413, "image_too_large", HumeMediaError, "downscale"),
        (403, "forbidden", HumeAuthError, "permission"),
        (404, "not_found", HumeNotFoundError, "check the run id"),
        (405, "method_not_allowed", HumeValidationError, "disagree"),
        (500, "internal_error", HumeServerError, "not billed"),
        (503, "server_busy", HumeServerError, "busy"),
    ],
)
def test_every_documented_code(status: int, code: str, kind: type[HumeError], fix: str) -> None:
    error = mapped(status, error_body(code, message="the server's words"))
    assert type(error) is kind
    assert (error.code, error.request_id, error.status_code) == (code, "req-9", status)
    assert fix in str(error)
    assert f"HTTP {status} {code}: the server's words" in str(error)
    assert "request_id req-9" in str(error)


def test_not_found_code_is_not_the_not_serving_error() -> None:
    assert not isinstance(mapped(404, error_body("not_found")), HumeNotServingV1Error)


@pytest.mark.parametrize(("status", "kind"), [(400, HumeValidationError), (502, HumeServerError)])
def test_unknown_code_falls_back_on_status(status: int, kind: type[HumeError]) -> None:
    error = mapped(status, error_body("brand_new_code"))
    assert type(error) is kind
    assert error.code == "brand_new_code"


def test_429_with_or_without_code_is_a_rate_limit_with_retry_after() -> None:
    gateway = mapped(429, {"message": "API rate limit exceeded"}, {"Retry-After": "7"})
    assert isinstance(gateway, HumeRateLimitError)
    assert (gateway.retry_after, gateway.code, gateway.request_id) == (7.0, None, None)
    coded = mapped(429, error_body("rate_limited"), {"retry-after-ms": "1500"})
    assert isinstance(coded, HumeRateLimitError)
    assert coded.retry_after == 1.5


def test_401_gateway_body_without_code() -> None:
    error = mapped(401, {"message": "Invalid API key", "request_id": "r-401"})
    assert isinstance(error, HumeAuthError)
    assert (error.code, error.request_id) == (None, "r-401")
    assert "Check the API Key of the connection" in str(error)
    assert "Invalid API key" in str(error)
    bare = mapped(401, {"message": "missing credential"})
    assert bare.request_id is None
    assert "request_id" not in str(bare)


@pytest.mark.parametrize("body", [{"detail": "Not Found"}, "<html>404</html>", b""])
def test_404_without_a_v1_body_means_not_serving_v1(body: object) -> None:
    error = mapped(404, body)
    assert isinstance(error, HumeNotServingV1Error)
    assert isinstance(error, HumeNotFoundError)
    assert f"The server at {BASE} does not serve Hume's v1 API (/v1/expression)" in str(error)
    assert "connection's host" in str(error)
    assert error.code is None


@pytest.mark.parametrize(
    ("status", "kind"),
    [(502, HumeServerError), (504, HumeServerError), (408, HumeConnectionError), (400, HumeValidationError)],
)
def test_bodies_without_code_map_on_status(status: int, kind: type[HumeError]) -> None:
    error = mapped(status, "<html>Bad Gateway</html>")
    assert type(error) is kind
    assert (error.code, error.request_id) == (None, None)


@pytest.mark.parametrize(
    "body",
    [
        error_body("config_invalid", message=f"bad key {KEY}", request_id="r"),
        {"message": f"bad key {KEY}"},
        f"<html>{KEY}</html>",
        {"message": "x" * 490 + KEY},
    ],
)
@pytest.mark.parametrize("status", [400, 401, 404, 500, 502])
def test_the_key_never_appears(status: int, body: object) -> None:
    error = mapped(status, body)
    for text in (str(error), repr(error), error.message, *map(str, error.args)):
        assert KEY not in text
        assert KEY[:12] not in text


def test_error_code_sniffing() -> None:
    assert v1_error_code(json.dumps(error_body("server_busy"))) == "server_busy"
    assert v1_error_code(b'{"message": "Bad Gateway"}') is None
    assert v1_error_code(b"not json") is None
    assert v1_error_code(b'{"code": 5}') is None


def test_every_error_has_code_and_request_id() -> None:
    plain = HumeValidationError("x")
    assert (plain.code, plain.request_id) == (None, None)
