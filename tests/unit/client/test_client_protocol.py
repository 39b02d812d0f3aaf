"""Wire details shared by both clients, and the secrecy of the API key in reprs and messages."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest
import requests
from urllib3.exceptions import MaxRetryError, NameResolutionError, NewConnectionError, ProtocolError

from airflow_provider_hume import __version__
from airflow_provider_hume.client import AsyncHumeBatchClient, HumeBatchClient, batch, batch_async
from airflow_provider_hume.client.errors import (
    HumeAuthError,
    HumeError,
    HumeNotFoundError,
    HumeValidationError,
)
from airflow_provider_hume.client.jobs import JobStatus
from airflow_provider_hume.client.protocol import (
    check_api_key,
    job_path,
    list_jobs_params,
    normalize_base_url,
    parse_job_details,
    parse_job_id,
    parse_job_list,
    request_headers,
)
from airflow_provider_hume.client.retry import Delivery

KEY = "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v2W3x4"


def test_headers_carry_the_key_and_identify_the_client() -> None:
    assert request_headers(KEY) == {
        "X-Hume-Api-Key": KEY,
        "User-Agent": f"airflow-provider-hume/{__version__}",
        "Accept": "application/json",
        "Accept-Encoding": "gzip, deflate",
    }


@pytest.mark.parametrize("bad", ["", "   ", None, 42, "has space", "tab\tinside", "ünïcode"])
def test_bad_api_keys_are_refused_without_echo(bad: Any) -> None:
    with pytest.raises(HumeValidationError) as info:
        check_api_key(bad)
    if isinstance(bad, str) and bad.strip():
        assert bad not in info.value.message


def test_api_key_is_stripped() -> None:
    assert check_api_key(f"  {KEY}\n") == KEY


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://api.hume.ai", "https://api.hume.ai"),
        ("https://api.hume.ai/", "https://api.hume.ai"),
        ("http://127.0.0.1:8080//", "http://127.0.0.1:8080"),
        ("https://proxy.example.com/hume/", "https://proxy.example.com/hume"),
    ],
)
def test_base_url_normalisation(url: str, expected: str) -> None:
    assert normalize_base_url(url) == expected


@pytest.mark.parametrize(
    "url", ["", "api.hume.ai", "ftp://api.hume.ai", "https://", "https://api.hume.ai?apikey=x", None]
)
def test_bad_base_urls(url: Any) -> None:
    with pytest.raises(HumeValidationError, match="base_url"):
        normalize_base_url(url)


def test_job_path_quotes_one_segment() -> None:
    assert job_path("abc-123") == "/v0/batch/jobs/abc-123"
    assert job_path(" abc ", "/predictions") == "/v0/batch/jobs/abc/predictions"
    assert job_path("x?y#z") == "/v0/batch/jobs/x%3Fy%23z"


@pytest.mark.parametrize("job_id", ["", "  ", ".", "..", " .. ", "a/b", "../x", None, 7])
def test_job_ids_that_name_another_resource_are_refused(job_id: object) -> None:
    with pytest.raises(HumeValidationError, match="job_id"):
        job_path(job_id)
    for bad in ("", "  ", None, 5):
        with pytest.raises(HumeValidationError, match=r"^job_id must be a non-empty string"):
            job_path(bad)


def test_list_params_repeat_status() -> None:
    params = list_jobs_params(
        limit=5,
        statuses=[JobStatus.QUEUED, "failed"],
        when="created_after",
        timestamp_ms=1712587158717,
        sort_by="started",
        direction="DESC",
    )
    assert params == [
        ("limit", "5"),
        ("status", "QUEUED"),
        ("status", "FAILED"),
        ("when", "created_after"),
        ("timestamp_ms", "1712587158717"),
        ("sort_by", "started"),
        ("direction", "desc"),
    ]
    assert list_jobs_params() == []
    assert list_jobs_params(statuses="COMPLETED") == [("status", "COMPLETED")]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"limit": 0}, "limit must be >= 1"),
        ({"limit": "5"}, "limit must be an integer"),
        ({"statuses": ["DONE"]}, "statuses[0] must be one of QUEUED, IN_PROGRESS, COMPLETED, FAILED"),
        ({"when": "before"}, "when must be one of created_before, created_after"),
        ({"timestamp_ms": -1}, "timestamp_ms must be >= 0"),
        ({"sort_by": "name"}, "sort_by must be one of created, started, ended"),
        ({"direction": "up"}, "direction must be one of asc, desc"),
    ],
)
def test_list_params_validation(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(HumeValidationError) as info:
        list_jobs_params(**kwargs)
    assert info.value.message.startswith(message)


def test_parse_job_id() -> None:
    assert parse_job_id(200, b'{"job_id": "abc"}', {}) == "abc"
    with pytest.raises(HumeError, match="did not return a job id"):
        parse_job_id(200, b'{"id": "abc"}', {})
    with pytest.raises(HumeError, match="not JSON"):
        parse_job_id(200, b"<html>", {})
    fault = {"fault": {"faultstring": "Invalid ApiKey", "detail": {"errorcode": "oauth.v2.InvalidApiKey"}}}
    with pytest.raises(HumeAuthError):
        parse_job_id(200, json.dumps(fault).encode(), {})


def test_parse_job_details_and_hidden_not_found() -> None:
    details = parse_job_details(200, b'{"state": {"status": "QUEUED"}}', {}, "j-1")
    assert details.job_id == "j-1"
    with pytest.raises(HumeNotFoundError):
        parse_job_details(200, b'{"message": "job not found"}', {}, "j-1")


def test_parse_job_list_shapes() -> None:
    job = {"job_id": "a", "state": {"status": "COMPLETED"}}
    assert [d.job_id for d in parse_job_list(200, json.dumps([job, job]).encode(), {})] == ["a", "a"]
    old = {"jobs": [job], "next_page_token": "tok"}
    assert [d.job_id for d in parse_job_list(200, json.dumps(old).encode(), {})] == ["a"]
    assert parse_job_list(200, b"[]", {}) == []
    with pytest.raises(HumeError, match="not a JSON array"):
        parse_job_list(200, b'{"items": []}', {})


def test_clients_never_show_the_key() -> None:
    sync = HumeBatchClient(KEY, "https://api.hume.ai/")
    asynchronous = AsyncHumeBatchClient(KEY, "http://127.0.0.1:9")
    try:
        assert repr(sync) == "HumeBatchClient(base_url='https://api.hume.ai')"
        assert repr(asynchronous) == "AsyncHumeBatchClient(base_url='http://127.0.0.1:9')"
        assert KEY not in str(sync)
    finally:
        sync.close()


def test_client_argument_validation() -> None:
    with pytest.raises(HumeValidationError, match="API key is empty"):
        HumeBatchClient("")
    with pytest.raises(HumeValidationError, match=r"^timeout must be >= 0.001"):
        HumeBatchClient(KEY, timeout=0)
    with pytest.raises(HumeValidationError, match=r"^connect_timeout must be a number"):
        AsyncHumeBatchClient(KEY, connect_timeout="10")  # type: ignore[arg-type]


def test_invalid_inputs_fail_before_any_request() -> None:
    """A session that explodes on use proves validation happens first."""

    class NoNetwork(requests.Session):
        def request(self, *args: Any, **kwargs: Any) -> Any:
            raise AssertionError("network used")

    from airflow_provider_hume.client.job_request import JobRequest

    with HumeBatchClient(KEY, session=NoNetwork()) as client:
        with pytest.raises(HumeValidationError, match="at least one input"):
            client.submit_job(JobRequest())
        with pytest.raises(HumeValidationError, match=r"files\[0\] does not exist"):
            client.submit_job(JobRequest(), ["/nonexistent/file.wav"])
        with pytest.raises(HumeValidationError, match="job_id"):
            client.get_job_details("")
        with pytest.raises(HumeValidationError, match="limit"):
            client.list_jobs(limit=-1)
        with pytest.raises(TypeError, match="JobRequest"):
            client.submit_job({"text": ["x"]})  # type: ignore[arg-type]


def wrapped_connection_error(reason: Exception) -> requests.ConnectionError:
    """What requests raises: ConnectionError(MaxRetryError(reason=...)) without an explicit cause."""
    return requests.ConnectionError(MaxRetryError(None, "/v0/batch/jobs", reason))  # type: ignore[arg-type]


def test_requests_delivery_classification() -> None:
    refused = NewConnectionError(None, "Failed to establish a new connection: [Errno 111] Connection refused")  # type: ignore[arg-type]
    dns = NameResolutionError("api.hume.ai", None, OSError("no such host"))  # type: ignore[arg-type]
    assert batch.delivery_of(wrapped_connection_error(refused)) is Delivery.NOT_SENT
    assert batch.delivery_of(wrapped_connection_error(dns)) is Delivery.NOT_SENT
    assert batch.delivery_of(requests.exceptions.ConnectTimeout()) is Delivery.NOT_SENT
    dropped = requests.ConnectionError(ProtocolError("Connection aborted.", ConnectionResetError()))
    assert batch.delivery_of(dropped) is Delivery.MAYBE_SENT
    assert batch.delivery_of(requests.exceptions.ReadTimeout()) is Delivery.MAYBE_SENT
    assert (
        batch.delivery_of(requests.exceptions.SSLError("EOF occurred in violation of protocol"))
        is Delivery.MAYBE_SENT
    )
    assert batch.delivery_of(requests.exceptions.ChunkedEncodingError()) is Delivery.MAYBE_SENT


def test_aiohttp_delivery_classification() -> None:
    key = aiohttp.client_reqrep.ConnectionKey("h", 1, False, True, None, None, None)
    refused = aiohttp.ClientConnectorError(key, ConnectionRefusedError(111, "refused"))
    assert batch_async.delivery_of(refused) is Delivery.NOT_SENT
    assert batch_async.delivery_of(aiohttp.ConnectionTimeoutError()) is Delivery.NOT_SENT
    assert batch_async.delivery_of(aiohttp.ServerDisconnectedError()) is Delivery.MAYBE_SENT
    assert batch_async.delivery_of(aiohttp.SocketTimeoutError()) is Delivery.MAYBE_SENT
