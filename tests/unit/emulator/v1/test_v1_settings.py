"""The ``v1`` settings: validated, and each one a ``hume-emulator`` flag made from its dataclass field."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import pytest

from airflow_provider_hume.emulator.backend.settings import FLAG, EmulatorSettings, SettingError, V1Settings
from airflow_provider_hume.emulator.cli import build_parser, settings_from_args


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"runs_page_size_max": 0}, "runs_page_size_max"),
        ({"measured_faces": 0}, "measured_faces"),
        ({"face_state_ttl_seconds": 0}, "face_state_ttl_seconds"),
        ({"upload_latency_ms": -1}, "upload_latency_ms"),
        ({"vad_threshold_dbfs": 3}, "vad_threshold_dbfs"),
        ({"vad_hangover_ms": 5}, "vad_hangover_ms"),
        ({"live_silence_seconds": float("nan")}, "live_silence_seconds"),
        ({"run_event_cap": 0}, "run_event_cap"),
        ({"realtime_idle_seconds": 0}, "realtime_idle_seconds"),
        ({"audio_burst_seconds": float("inf")}, "audio_burst_seconds"),
        ({"video_burst_frames": 0.5}, "video_burst_frames"),
        ({"video_burst_frames": float("nan")}, "video_burst_frames"),
        ({"rate_multiplier": -2}, "rate_multiplier"),
    ],
)
def test_invalid_v1_settings_name_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(SettingError) as raised:
        V1Settings(**changes)
    assert raised.value.field == field


def test_every_v1_setting_has_a_flag_that_sets_it() -> None:
    argv = [
        "--v1-runs-page-size-max", "500",
        "--v1-measured-faces", "4",
        "--v1-face-state-ttl", "60",
        "--v1-upload-latency-ms", "250",
        "--v1-vad-threshold-dbfs", "-50",
        "--v1-vad-hangover-ms", "300",
        "--v1-live-silence", "30",
        "--v1-run-event-cap", "7",
        "--v1-realtime-idle-seconds", "0.5",
        "--v1-audio-burst-seconds", "4",
        "--v1-video-burst-frames", "1",
        "--v1-rate-multiplier", "20",
    ]  # fmt: skip
    assert len(argv) == 2 * len([f for f in fields(V1Settings) if FLAG in f.metadata])
    settings = settings_from_args(build_parser().parse_args(argv))
    assert settings.v1 == V1Settings(
        runs_page_size_max=500, measured_faces=4, face_state_ttl_seconds=60.0, upload_latency_ms=250,
        vad_threshold_dbfs=-50.0, vad_hangover_ms=300, live_silence_seconds=30.0, run_event_cap=7,
        realtime_idle_seconds=0.5, audio_burst_seconds=4.0, video_burst_frames=1.0, rate_multiplier=20.0,
    )  # fmt: skip
    assert settings_from_args(build_parser().parse_args([])).v1 == EmulatorSettings().v1 == V1Settings()


def test_the_unpublished_values_are_labelled_guesses() -> None:
    guesses = {f.name for f in fields(V1Settings) if "✖" in f.metadata[FLAG].help}
    assert guesses == {
        "runs_page_size_max", "upload_latency_ms", "vad_threshold_dbfs", "vad_hangover_ms", "run_event_cap",
        "realtime_idle_seconds", "audio_burst_seconds", "video_burst_frames",
    }  # fmt: skip


def test_the_rate_multiplier_is_labelled_a_test_aid() -> None:
    aids = {f.name for f in fields(V1Settings) if f.metadata[FLAG].help.startswith("TEST AID")}
    assert aids == {"rate_multiplier"}
