"""The audio session state machine (hume-api-v1.md §4.2, §7.1, §8), without a socket, on a fake clock."""

from __future__ import annotations

import json
from collections.abc import Callable

from airflow_provider_hume.emulator.backend.faults import Rejection
from airflow_provider_hume.emulator.v1.realtime.audio import AudioSession
from airflow_provider_hume.emulator.v1.runs import RunStore
from tests.support.v1_realtime import frames_of, speech_pcm
from tests.unit.emulator.v1_realtime.conftest import FakeClock

Factory = Callable[[], AudioSession]


def codes(messages: list[dict[str, object]]) -> list[object]:
    return [message.get("code", message["type"]) for message in messages]


def test_created_carries_the_run_id_and_the_default_config(audio_session: Factory, runs: RunStore) -> None:
    session = audio_session()
    created = session.created()
    assert created == {
        "type": "session.created",
        "session_id": session.run_id,
        "audio": {"type": "audio/pcm", "encoding": "s16le", "sample_rate": 16000, "channels": 1},
        "measurement_timer_ms": 3000,
    }
    run = runs.get(session.run_id)
    assert run is not None
    assert (run.status, run.mode, run.endpoint) == ("live", "realtime", "audio")


def test_documented_flow_at_real_time(audio_session: Factory, clock: FakeClock, runs: RunStore) -> None:
    session = audio_session()
    update = session.on_text(json.dumps({"type": "session.update", "measurement_timer_ms": 3000}))
    assert codes(update.messages) == ["session.updated"]
    assert update.end is None
    messages = []
    for frame in frames_of(speech_pcm(26000, 98)):
        step = session.on_media(frame)
        assert step.end is None
        messages += step.messages
        clock.now += 0.1
    close = session.on_text('{"type": "session.close"}')
    assert close.end == "client_request"
    assert not close.messages
    messages += session.closing("client_request")
    kinds = codes(messages)
    assert kinds[0] == "utterance.start"
    assert messages[0]["audio_start_ms"] == 98
    results = [message for message in messages if message["type"] == "measurement.result"]
    assert [(r["audio_start_ms"], r["audio_end_ms"], r["trigger"]) for r in results] == [
        (98, 3098, "interval"),
        (98, 6098, "interval"),
        (98, 9098, "interval"),
        (2098, 12098, "interval"),
        (5098, 15098, "interval"),
        (8098, 18098, "interval"),
        (11098, 21098, "interval"),
        (14098, 24098, "interval"),
        (16000, 26000, "speech_ended"),
    ]
    assert kinds[-2:] == ["utterance.end", "session.closed"]
    assert messages[-1] == {
        "type": "session.closed",
        "session_id": session.run_id,
        "reason": "client_request",
        "received": {"audio_duration_ms": 26000, "frames": 260},
        "produced": {"utterances": 1, "measurements": 9},
    }
    run = runs.get(session.run_id)
    assert run is not None
    assert (run.status, run.close_code, run.close_reason) == ("ended", 1000, "client_request")
    assert (run.metered_seconds, run.bytes_received) == (26.0, 832000)


def test_update_after_the_first_frame_ends_the_session(audio_session: Factory, runs: RunStore) -> None:
    session = audio_session()
    session.on_media(b"\x00\x00" * 1600)
    step = session.on_text('{"type": "session.update"}')
    assert codes(step.messages) == ["config_invalid"]
    assert step.messages[0]["retryable"] is False
    assert step.end == "error"
    closed = session.closing("error")[-1]
    assert closed["reason"] == "error"
    run = runs.get(session.run_id)
    assert run is not None
    assert (run.status, run.close_code) == ("errored", 1008)
    assert run.metered_seconds == 10.0  # 0.1 s taken in, billed the 10 s minimum


def test_a_rejected_frame_also_locks_the_config(audio_session: Factory) -> None:
    session = audio_session()
    session.on_media(b"\x00")
    assert session.on_text('{"type": "session.update"}').end == "error"


def test_a_bad_update_ends_the_session(audio_session: Factory) -> None:
    step = audio_session().on_text('{"type": "session.update", "measurement_timer_ms": 100}')
    assert codes(step.messages) == ["config_invalid"]
    assert step.end == "error"
    assert "measurement_timer_ms" in str(step.messages[0]["message"])


def test_update_resets_omitted_fields(audio_session: Factory) -> None:
    session = audio_session()
    session.on_text('{"type": "session.update", "measurement_timer_ms": 7000}')
    assert session.on_text('{"type": "session.update"}').messages[0]["measurement_timer_ms"] == 3000


def test_the_run_records_the_accepted_config(audio_session: Factory, runs: RunStore) -> None:
    session = audio_session()
    session.on_text('{"type": "session.update", "measurement_timer_ms": 7000}')
    run = runs.get(session.run_id)
    assert run is not None
    assert run.to_api()["config"] == {
        "schema": "v4",
        "audio": {"type": "audio/pcm", "encoding": "s16le", "sample_rate": 16000, "channels": 1},
        "measurement_timer_ms": 7000,
    }
    session.on_text('{"type": "session.update", "measurement_timer_ms": 1}')  # refused: the config stays
    assert runs.get(session.run_id) == run


def test_invalid_frames_are_answered_and_the_session_goes_on(audio_session: Factory, runs: RunStore) -> None:
    session = audio_session()
    for frame in (b"", b"\x00" * 3, b"\x00" * 320_002):
        step = session.on_media(frame)
        assert codes(step.messages) == ["invalid_audio_frame"]
        assert step.end is None
        assert step.messages[0]["retryable"] is True
    assert session.on_media(b"\x00" * 320_000).messages == []  # exactly 10 s is fine
    events = runs.events(session.run_id).events
    assert [event["kind"] for event in events] == ["invalid_audio_frame"] * 3
    assert "odd number of bytes" in events[1]["detail"]["detail"]
    assert session.totals()["received"] == {"audio_duration_ms": 10000, "frames": 1}


def test_sending_faster_than_real_time_is_rate_limited(
    audio_session: Factory, clock: FakeClock, runs: RunStore
) -> None:
    session = audio_session()
    frame = b"\x00\x00" * 1600  # 100 ms
    answers = [codes(session.on_media(frame).messages) for _ in range(25)]
    assert answers[:20] == [[]] * 20  # the 2 s burst
    assert answers[20:] == [["rate_limited"]] * 5
    clock.now += 0.1
    assert session.on_media(frame).messages == []
    assert session.totals()["received"] == {"audio_duration_ms": 2100, "frames": 21}
    page = runs.events(session.run_id)
    assert [event["detail"] for event in page.events] == [None] * 3  # capped at 3 in this store
    assert (page.at_cap, page.capped_kinds) == (True, ["rate_limited"])


def test_metered_seconds_are_updated_live(audio_session: Factory, runs: RunStore) -> None:
    session = audio_session()
    session.on_media(b"\x00\x00" * 8000)
    run = runs.get(session.run_id)
    assert run is not None
    assert run.status == "live"
    assert run.metered_seconds == 0.5


def test_message_too_large_ends_the_session(audio_session: Factory, runs: RunStore) -> None:
    session = audio_session()
    step = session.on_media(b"\x00" * (1_048_576 + 2))
    assert codes(step.messages) == ["message_too_large"]
    assert step.end == "error"
    assert session.on_text("x" * 1_048_577).end == "error"
    assert runs.events(session.run_id).events[0]["detail"] == {"limit_bytes": 1_048_576}


def test_unreadable_text_is_message_invalid(audio_session: Factory) -> None:
    session = audio_session()
    for text in ("not json", "[]", '{"kind": 1}', '{"type": "session.pause"}'):
        step = session.on_text(text)
        assert codes(step.messages) == ["message_invalid"]
        assert step.end is None
        assert step.messages[0]["retryable"] is True


def test_an_injected_server_error_is_a_session_ending_internal_error(audio_session: Factory) -> None:
    session = audio_session()
    step = session.on_media(b"\x00\x00" * 1600, Rejection(503))
    assert codes(step.messages) == ["internal_error"]
    assert step.end == "error"
    assert step.messages[0]["retryable"] is False
    assert codes(session.on_media(b"\x00\x00", Rejection(429)).messages) == ["rate_limited"]


def test_shutdown_does_not_measure_what_is_left(audio_session: Factory) -> None:
    session = audio_session()
    for frame in frames_of(speech_pcm(2000, 0))[:15]:
        session.on_media(frame)
    messages = session.closing("server_shutdown")
    assert codes(messages) == ["session.closed"]
    assert messages[0]["reason"] == "server_shutdown"


def test_idle_timeout_measures_what_is_left(audio_session: Factory, runs: RunStore) -> None:
    session = audio_session()
    for frame in frames_of(speech_pcm(1500, 0)):
        session.on_media(frame)
    assert codes(session.closing("idle_timeout")) == [
        "measurement.result",
        "utterance.end",
        "session.closed",
    ]
    run = runs.get(session.run_id)
    assert run is not None
    assert (run.status, run.close_code, run.close_reason) == (
        "ended",
        1000,
        "idle_timeout",
    )


def test_a_lost_connection_errors_the_run(audio_session: Factory, runs: RunStore) -> None:
    lost, left = audio_session(), audio_session()
    lost.lost(None, None)
    left.lost(1000, "bye")
    lost_run, left_run = runs.get(lost.run_id), runs.get(left.run_id)
    assert lost_run is not None
    assert (lost_run.status, lost_run.close_code, lost_run.close_reason) == (
        "errored",
        1011,
        "error",
    )
    assert left_run is not None
    assert (left_run.status, left_run.close_code, left_run.close_reason) == (
        "ended",
        1000,
        "bye",
    )
    assert left_run.metered_seconds == 0.0  # no media, no bill
