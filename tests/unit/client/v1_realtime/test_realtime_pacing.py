"""The client's send pacing (hume-api-v1.md §7.1, §10 ``stream_video``): token buckets on a fake clock."""

from __future__ import annotations

import itertools

import pytest

from airflow_provider_hume.client.v1.realtime.pacing import AudioPacer, FramePacer


def drive_audio(pacer: AudioPacer, frames: int, seconds: float = 0.1) -> list[float]:
    """Send ``frames`` frames as soon as allowed; the send times."""
    now, times = 0.0, []
    for _ in range(frames):
        now += pacer.delay(seconds, now)
        pacer.sent(seconds, now)
        times.append(round(now, 3))
    return times


def test_audio_goes_out_at_one_second_of_audio_per_second() -> None:
    times = drive_audio(AudioPacer(0.0), 30)
    assert times[:3] == [0.0, 0.0, 0.1]  # 0.2 s of allowance to start with
    assert times[-1] == pytest.approx(2.8)  # 3 s of audio took 2.8 s: never ahead by more than the burst
    assert all(later - earlier <= 0.1 + 1e-9 for earlier, later in itertools.pairwise(times))


def test_speed_multiplies_the_rate() -> None:
    assert drive_audio(AudioPacer(0.0, speed=10.0), 30)[-1] == pytest.approx(0.28)


def test_a_rejection_makes_the_next_frame_wait_its_length() -> None:
    pacer = AudioPacer(0.0)
    pacer.sent(0.1, 0.0)
    assert pacer.delay(0.1, 0.0) == 0.0
    pacer.rejected(0.0)
    assert pacer.delay(0.1, 0.0) == pytest.approx(0.1)
    assert pacer.delay(0.1, 0.1) == 0.0


def test_a_long_frame_waits_for_a_full_bucket_and_leaves_debt() -> None:
    pacer = AudioPacer(0.0)
    pacer.sent(0.2, 0.0)
    assert pacer.delay(10.0, 0.0) == pytest.approx(0.2)
    pacer.sent(10.0, 0.2)
    assert pacer.delay(0.1, 0.2) == pytest.approx(9.9)  # 0.2 s of allowance, then 9.8 s of debt


def test_frames_start_with_one_allowed_and_hold_two() -> None:
    pacer = FramePacer(0.0)
    assert pacer.delay(0.0) == 0.0
    pacer.sent(0.0)
    assert pacer.delay(0.0) == pytest.approx(0.334)
    assert pacer.delay(10.0) == 0.0
    pacer.sent(10.0)
    pacer.sent(10.0)
    assert pacer.delay(10.0) > 0  # no more than two at once


def test_rejections_halve_the_rate_once_per_burst_down_to_half_a_frame_per_second() -> None:
    pacer = FramePacer(0.0)
    first = pacer.sent(0.0)
    second = pacer.sent(0.5)
    pacer.rejected(first, 1.0)
    assert pacer.rate == 1.5
    pacer.rejected(second, 1.0)  # sent before the slowdown: says nothing new
    assert pacer.rate == 1.5
    for step in range(5):
        pacer.rejected(pacer.sent(10.0 + step * 3), 10.0 + step * 3)
    assert pacer.rate == 0.5
    assert pacer.delay(22.0) == pytest.approx(2.0)  # the bucket was emptied


def test_accepted_frames_climb_back_to_three_per_second() -> None:
    pacer = FramePacer(0.0)
    pacer.rejected(pacer.sent(0.0), 0.0)
    assert pacer.rate == 1.5
    now = 1.0
    while pacer.rate < 3.0:
        pacer.accepted(pacer.sent(now), now)
        now += 1.0
    assert now == 4.0  # three accepted frames: 1.5, 2.17, 2.63, then 3


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="fps"):
        FramePacer(0.0, fps=4.0)
    with pytest.raises(ValueError, match="positive"):
        AudioPacer(0.0, speed=0.0)
