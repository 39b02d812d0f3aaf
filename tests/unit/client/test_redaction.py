"""The API key never survives into a message, whatever a server echoes and wherever the message is cut."""

from __future__ import annotations

import io
import json

import pytest
import requests

from airflow_provider_hume.client import AsyncHumeBatchClient, HumeBatchClient
from airflow_provider_hume.client.errors import HumeError, error_from_response
from airflow_provider_hume.client.protocol import (
    parse_job_details,
    parse_job_id,
    parse_job_list,
    redirect_error,
)
from airflow_provider_hume.client.stream_messages import decode_message

KEY = "KEY0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHI"
SECRETS = (KEY,)


def leaks(message: str) -> bool:
    """Whether any 8-character piece of the key shows in ``message``."""
    return any(KEY[start : start + 8] in message for start in range(len(KEY) - 7))


@pytest.mark.parametrize("offset", [480, 490, 495, 499, 500])
@pytest.mark.parametrize("status", [400, 500, 503])
def test_a_key_across_the_cut_of_an_error_body_leaves_no_piece(offset: int, status: int) -> None:
    body = "x" * offset + KEY + "y" * 600
    error = error_from_response(status, body.encode(), {}, redact=SECRETS)
    assert not leaks(str(error)), str(error)


def test_a_key_echoed_in_a_json_error_message_is_masked() -> None:
    body = json.dumps({"message": f"bad header X-Hume-Api-Key: {KEY}"}).encode()
    error = error_from_response(401, body, {}, redact=SECRETS)
    assert "***" in str(error)
    assert not leaks(str(error))


@pytest.mark.parametrize(
    "parse",
    [
        lambda body: parse_job_details(200, body, {}, "job-1", redact=SECRETS),
        lambda body: parse_job_id(200, body, {}, redact=SECRETS),
        lambda body: parse_job_list(200, body, {}, redact=SECRETS),
    ],
    ids=["job details", "job id", "job list"],
)
@pytest.mark.parametrize(
    "body",
    [
        f"<html>echo: X-Hume-Api-Key: {KEY}</html>",
        "z" * 495 + KEY,
        json.dumps({"state": {"note": KEY}}),
        json.dumps({"unexpected": KEY}),
    ],
    ids=["not JSON", "across the cut", "JSON without a status", "JSON without the field"],
)
def test_a_200_answer_echoing_the_key_never_shows_it(parse: object, body: str) -> None:
    with pytest.raises(HumeError) as info:
        parse(body.encode())  # type: ignore[operator]
    assert not leaks(str(info.value)), str(info.value)


def test_a_streaming_reply_is_parsed_only_after_the_key_is_masked() -> None:
    from airflow_provider_hume.client import HumeStreamClient

    client = HumeStreamClient(KEY, "http://127.0.0.1:9")
    for reply in (f"not json {KEY}", f"not json {KEY}".encode()):
        with pytest.raises(HumeError) as info:
            decode_message(client.redact_reply(reply))
        assert not leaks(str(info.value))


def _location(offset: int) -> str:
    """A redirect target holding the key at ``offset``: 176 puts it across the 200-character cut."""
    return ("https://login.invalid/?next=" + "n" * 200)[:offset] + KEY + "&then=more"


@pytest.mark.parametrize("offset", [30, 176, 190])
def test_a_key_in_a_redirect_location_is_masked_before_it_is_cut(offset: int) -> None:
    error = redirect_error(302, _location(offset), redact=SECRETS)
    assert "redirects are not followed" in str(error)
    assert not leaks(str(error)), str(error)


class _Redirecting(requests.adapters.BaseAdapter):
    """A transport answering every request with a 302 whose ``Location`` echoes the key (no socket)."""

    def send(self, request: requests.PreparedRequest, **kwargs: object) -> requests.Response:
        response = requests.Response()
        response.status_code = 302
        response.headers["Location"] = _location(176)
        response.raw = io.BytesIO(b"")
        response.request = request
        response.url = str(request.url)
        return response

    def close(self) -> None:
        pass


def test_the_batch_client_masks_a_key_echoed_in_a_redirect() -> None:
    session = requests.Session()
    session.mount("http://", _Redirecting())
    with (
        HumeBatchClient(KEY, "http://hume.invalid", session=session) as client,
        pytest.raises(HumeError) as info,
    ):
        client.get_job_details("job-1")
    assert "HTTP 302" in str(info.value)
    assert not leaks(str(info.value)), str(info.value)


class _RedirectResponse:
    status = 302

    def __init__(self) -> None:
        self.headers = {"Location": _location(176)}

    async def __aenter__(self) -> _RedirectResponse:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        return None


class _RedirectingSession:
    closed = False

    def get(self, url: str, **kwargs: object) -> _RedirectResponse:
        return _RedirectResponse()

    async def close(self) -> None:
        return None


class _RedirectingLease:
    """Stands in for the client's share of a connection pool."""

    session = _RedirectingSession()
    proxy = None

    async def release(self) -> None:
        return None


async def _redirecting_lease() -> _RedirectingLease:
    return _RedirectingLease()


async def test_the_async_client_masks_a_key_echoed_in_a_redirect(monkeypatch: pytest.MonkeyPatch) -> None:
    client = AsyncHumeBatchClient(KEY, "http://hume.invalid")
    monkeypatch.setattr(client, "_lease_in_loop", _redirecting_lease)
    with pytest.raises(HumeError) as info:
        await client.get_job_details("job-1")
    assert "HTTP 302" in str(info.value)
    assert not leaks(str(info.value)), str(info.value)


def test_the_stream_client_masks_a_key_echoed_in_a_handshake_redirect() -> None:
    from websockets.datastructures import Headers
    from websockets.exceptions import InvalidStatus
    from websockets.http11 import Response

    from airflow_provider_hume.client.protocol import API_KEY_HEADER
    from airflow_provider_hume.client.stream import _Connect

    connect = _Connect("ws://hume.invalid/v0/stream/models", additional_headers={API_KEY_HEADER: KEY})
    redirect = InvalidStatus(Response(302, "Found", Headers({"Location": _location(176)})))
    error = connect.process_redirect(redirect)
    assert isinstance(error, HumeError)
    assert not leaks(str(error)), str(error)
