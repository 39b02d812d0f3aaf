"""``session.update`` (hume-api-v1.md §7.1): omitted fields reset to defaults, one format, strict fields."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_hume.emulator.v1.realtime.bucket import TokenBucket
from airflow_provider_hume.emulator.v1.realtime.config import (
    ConfigInvalid,
    audio_update,
    default_audio_config,
    default_video_config,
    video_update,
)


def test_audio_update_resets_omitted_fields() -> None:
    assert audio_update({"type": "session.update"}) == default_audio_config()
    assert (
        audio_update({"type": "session.update", "measurement_timer_ms": 5000})["measurement_timer_ms"] == 5000
    )
    audio = {"type": "audio/pcm", "encoding": "s16le", "sample_rate": 16000, "channels": 1}
    assert audio_update({"audio": audio, "measurement_timer_ms": None}) == default_audio_config()


@pytest.mark.parametrize(
    ("message", "field"),
    [
        ({"measurement_timer_ms": 2999}, "measurement_timer_ms"),
        ({"measurement_timer_ms": 10001}, "measurement_timer_ms"),
        ({"measurement_timer_ms": True}, "measurement_timer_ms"),
        ({"measurement_timer_ms": 3000.0}, "measurement_timer_ms"),
        ({"timer_ms": 3000}, "timer_ms"),
        ({"audio": {"sample_rate": 44100}}, "audio.sample_rate"),
        ({"audio": {"channels": 2}}, "audio.channels"),
        ({"audio": {"encoding": "f32le"}}, "audio.encoding"),
        ({"audio": {"bits": 16}}, "bits"),
        ({"audio": "pcm"}, "audio"),
    ],
)
def test_bad_audio_updates_name_the_field(message: dict[str, Any], field: str) -> None:
    with pytest.raises(ConfigInvalid, match=field):
        audio_update({"type": "session.update", **message})


def test_video_update() -> None:
    config = video_update({"type": "session.update", "face": {"min_size": 20}})
    assert config == {"image": {"type": "image/jpeg"}, "face": {"threshold": 0.9, "min_size": 20}}
    assert video_update({"face": {"threshold": 0.123456}})["face"]["threshold"] == 0.1235
    assert video_update({}) == default_video_config()


@pytest.mark.parametrize(
    "message",
    [
        {"face": {"threshold": 1.5}},
        {"face": {"threshold": "0.5"}},
        {"face": {"min_size": 0}},
        {"face": {"return_face_state": True}},
        {"image": {"type": "image/png"}},
        {"face": []},
        {"face_state": "x"},
    ],
)
def test_bad_video_updates(message: dict[str, Any]) -> None:
    with pytest.raises(ConfigInvalid):
        video_update(message)


def test_bucket_refills_at_its_rate_up_to_capacity() -> None:
    bucket = TokenBucket(rate=1.0, capacity=2.0, now=0.0)
    assert bucket.take(1.0, 0.0)
    assert bucket.take(1.0, 0.0)
    assert not bucket.take(0.1, 0.0)
    assert bucket.take(0.1, 0.1)
    assert not bucket.take(0.1, 0.15)
    assert bucket.take(2.0, 100.0)  # refilled to the capacity, not beyond
    assert not bucket.take(0.1, 100.0)


def test_bucket_lets_a_frame_bigger_than_itself_through_when_full_then_is_in_debt() -> None:
    bucket = TokenBucket(rate=1.0, capacity=2.0, now=0.0)
    assert bucket.take(10.0, 0.0)
    assert not bucket.take(0.1, 8.05)  # the 2 s burst plus 8 s of debt
    assert bucket.take(0.1, 8.1)
