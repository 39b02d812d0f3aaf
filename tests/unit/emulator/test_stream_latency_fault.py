"""The added-latency fault also holds back websocket replies, per message, honouring routes and times."""

from __future__ import annotations

from airflow_provider_hume.emulator.backend.settings import EmulatorSettings, FaultSettings
from airflow_provider_hume.emulator.backend.state import EmulatorState
from airflow_provider_hume.emulator.streaming.route import STREAM_ROUTE


def _state(faults: FaultSettings) -> EmulatorState:
    return EmulatorState(["k"], settings=EmulatorSettings(faults=faults))


def test_latency_applies_to_each_websocket_message() -> None:
    state = _state(FaultSettings(latency_ms=20))
    assert [state.faults.message_latency(STREAM_ROUTE) for _ in range(3)] == [0.02, 0.02, 0.02]


def test_latency_honours_the_routes_filter() -> None:
    state = _state(FaultSettings(latency_ms=20, routes=("GET /v0/batch/jobs/{job_id}",)))
    assert state.faults.message_latency(STREAM_ROUTE) == 0.0


def test_latency_honours_times() -> None:
    state = _state(FaultSettings(latency_ms=20, times=2))
    assert [state.faults.message_latency(STREAM_ROUTE) for _ in range(3)] == [0.02, 0.02, 0.0]


def test_no_latency_by_default() -> None:
    assert _state(FaultSettings()).faults.message_latency(STREAM_ROUTE) == 0.0
