"""Handshake authentication (hume-api-v0.md §1.3, §8): header or query key; anything else is an HTTP 401."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient, WebSocketDenialResponse

from airflow_provider_hume.emulator.backend.state import EmulatorState
from airflow_provider_hume.emulator.streaming.route import STREAM_PATH, stream_router


def test_header_key_is_accepted(stream_client: TestClient, api_key: str) -> None:
    with stream_client.websocket_connect(STREAM_PATH, headers={"X-Hume-Api-Key": api_key}) as socket:
        socket.send_json({"job_details": True})
        assert "job_details" in socket.receive_json()


@pytest.mark.parametrize("param", ["apikey", "apiKey", "api_key"])
def test_query_key_is_accepted(stream_client: TestClient, api_key: str, param: str) -> None:
    with stream_client.websocket_connect(f"{STREAM_PATH}?{param}={api_key}") as socket:
        socket.send_json({"job_details": True})
        assert "job_details" in socket.receive_json()


def test_unknown_key_is_refused_with_401(stream_client: TestClient) -> None:
    with (
        pytest.raises(WebSocketDenialResponse) as denied,
        stream_client.websocket_connect(STREAM_PATH, headers={"X-Hume-Api-Key": "wrong"}),
    ):
        pass
    assert denied.value.status_code == 401
    assert denied.value.json()["fault"]["detail"]["errorcode"] == "oauth.v2.InvalidApiKey"


@pytest.mark.parametrize("url", [STREAM_PATH, f"{STREAM_PATH}?apikey="])
def test_missing_key_is_refused_with_401(stream_client: TestClient, url: str) -> None:
    with pytest.raises(WebSocketDenialResponse) as denied, stream_client.websocket_connect(url):
        pass
    assert denied.value.status_code == 401
    assert denied.value.json()["fault"]["detail"]["errorcode"] == "steps.oauth.v2.FailedToResolveAPIKey"


@pytest.mark.parametrize("seconds", [0.0, -1.0])
def test_idle_timeout_must_be_positive(state: EmulatorState, seconds: float) -> None:
    with pytest.raises(ValueError, match="idle_timeout_seconds"):
        stream_router(state, idle_timeout_seconds=seconds)
