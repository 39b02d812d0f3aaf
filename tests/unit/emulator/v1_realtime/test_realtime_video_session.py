"""The video session state machine (hume-api-v1.md §4.2, §7.1, §8), on a fake clock."""

from __future__ import annotations

import io
from collections.abc import Callable

from PIL import Image

from airflow_provider_hume.emulator.backend.faults import Rejection
from airflow_provider_hume.emulator.v1.realtime.shutdown import ShutdownSwitch
from airflow_provider_hume.emulator.v1.realtime.video import VideoSession
from airflow_provider_hume.emulator.v1.runs import RunStore
from tests.support.v1_realtime import jpeg_with_faces
from tests.unit.emulator.v1_realtime.conftest import FakeClock

Factory = Callable[[], VideoSession]
TWO_FACES = [[10, 10, 200, 200, 0.99], [300, 200, 420, 330, 0.95]]
ONE_FACE = [[10, 10, 200, 200, 0.99]]


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64)).save(out, format="PNG")
    return out.getvalue()


def test_documented_flow_one_reply_per_frame(
    video_session: Factory, clock: FakeClock, runs: RunStore
) -> None:
    session = video_session()
    assert session.created()["face"] == {"threshold": 0.9, "min_size": 60}
    replies = []
    for frame in (jpeg_with_faces(ONE_FACE), jpeg_with_faces(TWO_FACES), png(), jpeg_with_faces(ONE_FACE)):
        step = session.on_media(frame)
        assert len(step.messages) == 1
        assert step.end is None
        replies.append(step.messages[0])
        clock.now += 1 / 3
    assert [(r["type"], r.get("frame_id"), r.get("code")) for r in replies] == [
        ("measurement.result", 0, None),
        ("measurement.result", 1, None),
        ("error", None, "invalid_image_frame"),
        ("measurement.result", 2, None),
    ]
    assert [len(r["faces"]) for r in replies if "faces" in r] == [1, 2, 1]
    closed = session.closing("client_request")
    assert closed == [
        {
            "type": "session.closed",
            "session_id": session.run_id,
            "reason": "client_request",
            "received": {"frames": 3},
            "produced": {"measurements": 4},
        }
    ]
    run = runs.get(session.run_id)
    assert run is not None
    assert run.metered_seconds == 10.0
    assert runs.events(session.run_id).events[0]["kind"] == "invalid_image_frame"


def test_metering_counts_invalid_frames_that_passed_the_rate_check(
    video_session: Factory, clock: FakeClock
) -> None:
    session = video_session()
    for _ in range(33):
        assert session.on_media(b"not a jpeg").messages[0]["code"] == "invalid_image_frame"
        clock.now += 1 / 3
    assert session.metered_seconds() == 11.0
    assert session.totals() == {"received": {"frames": 0}, "produced": {"measurements": 0}}


def test_faster_than_3_fps_is_rate_limited_and_not_billed(video_session: Factory, clock: FakeClock) -> None:
    session = video_session()
    frame = jpeg_with_faces(ONE_FACE)
    answers = [session.on_media(frame).messages[0].get("code") for _ in range(3)]
    assert answers == [None, None, "rate_limited"]  # a burst of 2
    clock.now += 1 / 3
    assert session.on_media(frame).messages[0]["frame_id"] == 2
    assert session.metered_seconds() == 1.0


def test_measured_faces_and_filters_follow_the_config(video_session: Factory) -> None:
    session = video_session()
    updated = session.on_text('{"type": "session.update", "face": {"threshold": 0.97}}')
    assert updated.messages[0]["face"] == {"threshold": 0.97, "min_size": 60}
    faces = session.on_media(jpeg_with_faces(TWO_FACES)).messages[0]["faces"]
    assert [face["confidence"] for face in faces] == [0.99]


def test_the_run_records_the_accepted_config(video_session: Factory, runs: RunStore) -> None:
    session = video_session()
    session.on_text('{"type": "session.update", "face": {"min_size": 30}}')
    run = runs.get(session.run_id)
    assert run is not None
    assert run.to_api()["config"] == {
        "schema": "v4",
        "image": {"type": "image/jpeg"},
        "face": {"threshold": 0.9, "min_size": 30},
    }


def test_five_failures_in_a_row_end_the_session(
    video_session: Factory, clock: FakeClock, runs: RunStore
) -> None:
    session = video_session()
    frame = jpeg_with_faces(ONE_FACE)
    steps = []
    for index in range(5):
        if index == 2:
            ok = session.on_media(frame)
            assert ok.messages[0]["type"] == "measurement.result"
            clock.now += 1
        steps.append(session.on_media(frame, Rejection(503)))
        clock.now += 1
    assert [step.messages[0]["code"] for step in steps] == ["internal_error"] * 5
    assert [step.end for step in steps] == [None] * 5  # the success in between reset the count
    fourth = session.on_media(frame, Rejection(500))
    assert fourth.end is None
    assert fourth.messages[0]["retryable"] is False
    clock.now += 1
    last = session.on_media(frame, Rejection(503))
    assert last.end == "error"
    assert last.messages[0]["retryable"] is False
    failures = [event["detail"] for event in runs.events(session.run_id, page_size=200).events]
    assert failures[:2] == [{"retryable": True, "consecutive": 1}, {"retryable": True, "consecutive": 2}]
    assert session.totals()["received"] == {"frames": 8}


def test_frame_over_2_mb_ends_the_session(video_session: Factory) -> None:
    step = video_session().on_media(b"\xff\xd8\xff" + bytes(2_000_000))
    assert step.messages[0]["code"] == "message_too_large"
    assert step.end == "error"


def test_the_shutdown_switch() -> None:
    switch = ShutdownSwitch()
    first, second = switch.register(), switch.register()
    switch.arm(2)
    switch.frame_taken(first)
    assert not first.is_set()
    switch.frame_taken(second)
    assert second.is_set()
    assert not first.is_set()
    switch.frame_taken(first)
    assert not first.is_set()  # one shot
    assert switch.now() == 2
    assert first.is_set()
    switch.unregister(first)
    assert switch.now() == 1
