"""Idle close (hume-api-v0.md §4.1, §8): no client message for the timeout closes the socket normally."""

from __future__ import annotations

from collections.abc import Callable

from starlette.testclient import TestClient

from airflow_provider_hume.emulator.streaming.route import IDLE_CLOSE_CODE, STREAM_PATH, idle_close_reason


def test_idle_connection_is_closed_with_code_and_reason(
    make_client: Callable[..., TestClient], api_key: str
) -> None:
    client = make_client(idle_timeout_seconds=0.3)
    with client.websocket_connect(STREAM_PATH, headers={"X-Hume-Api-Key": api_key}) as socket:
        socket.send_json({"job_details": True})
        assert "job_details" in socket.receive_json()
        closed = socket.receive()
    assert closed == {"type": "websocket.close", "code": IDLE_CLOSE_CODE, "reason": idle_close_reason(0.3)}
    assert closed["reason"] == "Idle timeout: no message received for 0.3 seconds"
    assert IDLE_CLOSE_CODE == 1000
