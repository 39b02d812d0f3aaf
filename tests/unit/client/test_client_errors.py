"""Mapping of every error shape of hume-api-v0.md §2.10 and §8 to the client's exceptions."""

from __future__ import annotations

import json
from email.utils import formatdate
from typing import Any

import pytest

from airflow_provider_hume.client.errors import (
    HumeAuthError,
    HumeConnectionError,
    HumeError,
    HumeJobFailedError,
    HumeJobNotCompletedError,
    HumeNotFoundError,
    HumeRateLimitError,
    HumeServerError,
    HumeStreamError,
    HumeValidationError,
    error_from_response,
    error_in_success_body,
)

INVALID_KEY = {"fault": {"faultstring": "Invalid ApiKey", "detail": {"errorcode": "oauth.v2.InvalidApiKey"}}}
MISSING_KEY = {
    "fault": {
        "faultstring": "Failed to resolve API Key variable request.header.X-Hume-Api-Key",
        "detail": {"errorcode": "steps.oauth.v2.FailedToResolveAPIKey"},
    }
}
SPIKE_ARREST = {
    "fault": {
        "faultstring": "Spike arrest violation",
        "detail": {"errorcode": "policies.ratelimit.SpikeArrestViolation"},
    }
}


def body(data: Any) -> bytes:
    return json.dumps(data).encode()


@pytest.mark.parametrize("status", [401, 200, 400, 403, 500])
def test_invalid_key_fault_with_any_status(status: int) -> None:
    error = error_from_response(status, body(INVALID_KEY), {})
    assert isinstance(error, HumeAuthError)
    assert error.status_code == status
    assert error.message == (
        f"Hume rejected the API key (HTTP {status}: Invalid ApiKey). Check the API Key of the connection."
    )


def test_missing_key_fault() -> None:
    error = error_from_response(401, body(MISSING_KEY), {})
    assert isinstance(error, HumeAuthError)
    assert "Failed to resolve API Key variable" in error.message


@pytest.mark.parametrize("status", [429, 200, 503])
def test_rate_limit_fault_with_any_status(status: int) -> None:
    error = error_from_response(status, body(SPIKE_ARREST), {"Retry-After": "3"})
    assert isinstance(error, HumeRateLimitError)
    assert error.retry_after == 3.0
    assert "Spike arrest violation" in error.message


def test_quota_fault() -> None:
    quota = {
        "fault": {
            "faultstring": "Rate limit quota violation",
            "detail": {"errorcode": "policies.ratelimit.QuotaViolation"},
        }
    }
    assert isinstance(error_from_response(429, body(quota), {}), HumeRateLimitError)


def test_other_fault_falls_back_to_status() -> None:
    fault = {
        "fault": {
            "faultstring": "Unable to identify proxy",
            "detail": {"errorcode": "messaging.adaptors.http.flow.ApplicationNotFound"},
        }
    }
    error = error_from_response(502, body(fault), {})
    assert isinstance(error, HumeServerError)
    assert "ApplicationNotFound: Unable to identify proxy" in error.message
    generic = error_from_response(200, body(fault), {})
    assert type(generic) is HumeError


@pytest.mark.parametrize("status", [401, 403])
def test_auth_statuses_without_fault(status: int) -> None:
    error = error_from_response(status, b"Forbidden", {})
    assert isinstance(error, HumeAuthError)
    assert (
        error.message
        == f"Hume rejected the API key (HTTP {status}: Forbidden). Check the API Key of the connection."
    )


@pytest.mark.parametrize("status", [404, 400, 200, 500])
def test_job_not_found_with_any_status(status: int) -> None:
    error = error_from_response(status, body({"message": "job not found"}), {})
    assert isinstance(error, HumeNotFoundError)
    assert "job not found" in error.message


def test_404_without_body() -> None:
    error = error_from_response(404, b"", {})
    assert isinstance(error, HumeNotFoundError)
    assert "Not Found" in error.message


def test_not_completed() -> None:
    error = error_from_response(400, body({"message": "job 123 is not completed (status IN_PROGRESS)"}), {})
    assert isinstance(error, HumeJobNotCompletedError)
    assert isinstance(error, HumeValidationError)
    assert "job 123 is not completed (status IN_PROGRESS)" in error.message


def test_400_json_message() -> None:
    error = error_from_response(400, body({"message": "models.face.prob_threshold must be <= 1"}), {})
    assert type(error) is HumeValidationError
    assert error.message == "Hume rejected the request (HTTP 400: models.face.prob_threshold must be <= 1)."


@pytest.mark.parametrize("status", [400, 413, 415, 422])
def test_4xx_text_body(status: int) -> None:
    error = error_from_response(status, b"payload too large, sorry", {"Content-Type": "text/plain"})
    assert type(error) is HumeValidationError
    assert error.status_code == status
    assert "payload too large, sorry" in error.message


def test_fastapi_style_detail() -> None:
    error = error_from_response(422, body({"detail": [{"loc": ["body", "urls"], "msg": "bad"}]}), {})
    assert isinstance(error, HumeValidationError)
    assert '"msg": "bad"' in error.message


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "7"}, 7.0),
        ({"retry-after": "2.5"}, 2.5),
        ({"retry-after-ms": "1500"}, 1.5),
        ({}, None),
    ],
)
def test_429_retry_after(headers: dict[str, str], expected: float | None) -> None:
    error = error_from_response(429, b"slow down", headers)
    assert isinstance(error, HumeRateLimitError)
    assert error.retry_after == expected
    assert error.status_code == 429


def test_429_retry_after_http_date() -> None:
    import time

    error = error_from_response(429, b"", {"Retry-After": formatdate(time.time() + 30, usegmt=True)})
    assert isinstance(error, HumeRateLimitError)
    assert error.retry_after is not None
    assert 25 <= error.retry_after <= 31


@pytest.mark.parametrize("status", [500, 502, 503, 504, 599])
def test_5xx(status: int) -> None:
    error = error_from_response(status, b"<html>Bad Gateway</html>", {})
    assert isinstance(error, HumeServerError)
    assert error.status_code == status


def test_408_is_a_connection_error() -> None:
    assert isinstance(error_from_response(408, b"", {}), HumeConnectionError)


def test_unexpected_status() -> None:
    error = error_from_response(302, b"", {})
    assert type(error) is HumeError


def test_long_bodies_are_truncated() -> None:
    error = error_from_response(400, b"x" * 5000, {})
    assert len(error.message) < 700
    assert "4500 more characters" in error.message


def test_undecodable_body() -> None:
    error = error_from_response(500, b"\xff\xfe broken", {})
    assert isinstance(error, HumeServerError)


def test_redaction_of_an_echoed_key() -> None:
    key = "k" * 48
    error = error_from_response(400, body({"message": f"bad key {key} in request"}), {}, redact=[key])
    assert key not in error.message
    assert key not in str(error)
    assert key not in repr(error)
    assert "bad key *** in request" in error.message


def test_error_in_success_body() -> None:
    assert error_in_success_body(200, [], b"[]", {}) is None
    assert error_in_success_body(200, {"job_id": "x"}, b"", {}) is None
    assert isinstance(error_in_success_body(200, INVALID_KEY, body(INVALID_KEY), {}), HumeAuthError)
    found = error_in_success_body(200, {"message": "job not found"}, body({"message": "job not found"}), {})
    assert isinstance(found, HumeNotFoundError)


def test_job_failed_and_stream_errors() -> None:
    failed = HumeJobFailedError("job-1", "user 'abcde' has exceeded their usage limit")
    assert failed.message == "Hume job job-1 failed: user 'abcde' has exceeded their usage limit"
    assert failed.job_id == "job-1"
    assert failed.reason == "user 'abcde' has exceeded their usage limit"
    assert failed.status_code is None
    stream = HumeStreamError("E0102", "not supported")
    assert stream.code == "E0102"
    assert str(stream) == "Hume streaming error E0102: not supported"


def test_hierarchy() -> None:
    for cls in (
        HumeAuthError,
        HumeNotFoundError,
        HumeValidationError,
        HumeJobNotCompletedError,
        HumeRateLimitError,
        HumeServerError,
        HumeConnectionError,
        HumeJobFailedError,
        HumeStreamError,
    ):
        assert issubclass(cls, HumeError)
    assert issubclass(HumeValidationError, ValueError)
