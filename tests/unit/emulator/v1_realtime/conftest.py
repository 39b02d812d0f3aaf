"""Sessions on a fake clock: the rate-limit clock and the run store's clock are both driven by the test."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from airflow_provider_hume.emulator.v1.audio_measure import AudioMeasurer
from airflow_provider_hume.emulator.v1.faces import FaceMeasurer
from airflow_provider_hume.emulator.v1.realtime.audio import AudioSession
from airflow_provider_hume.emulator.v1.realtime.video import VideoSession
from airflow_provider_hume.emulator.v1.runs import RunStore


class FakeClock:
    """Monotonic seconds that move only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def ms(self) -> int:
        return int(self.now * 1000)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def runs(clock: FakeClock) -> RunStore:
    return RunStore(clock.ms, event_cap=3)


@pytest.fixture
def audio_session(runs: RunStore, clock: FakeClock) -> Callable[[], AudioSession]:
    return lambda: AudioSession(runs, "user-1", clock, burst_seconds=2.0, measurer=AudioMeasurer)


@pytest.fixture
def video_session(runs: RunStore, clock: FakeClock) -> Callable[[], VideoSession]:
    def measurer(threshold: float, min_size: int) -> FaceMeasurer:
        return FaceMeasurer(threshold, min_size)

    return lambda: VideoSession(runs, "user-1", clock, burst_frames=2.0, measurer=measurer)
