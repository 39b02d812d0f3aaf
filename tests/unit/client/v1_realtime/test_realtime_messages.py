"""Reading the server's realtime messages (hume-api-v1.md §4.2, §7.1) into typed values."""

from __future__ import annotations

import json
from typing import Any

import pytest

from airflow_provider_hume.client.errors import HumeStreamError
from airflow_provider_hume.client.v1.realtime.messages import (
    RealtimeError,
    SessionClosed,
    SessionCreated,
    SessionUpdated,
    UnknownMessage,
    UtteranceEnd,
    UtteranceStart,
    parse_message,
)
from airflow_provider_hume.client.v1.results import AudioMeasurement, FrameMeasurement

AUDIO = {"type": "audio/pcm", "encoding": "s16le", "sample_rate": 16000, "channels": 1}


def parsed(message: dict[str, Any], endpoint: str = "audio") -> Any:
    return parse_message(json.dumps(message), endpoint)  # type: ignore[arg-type]


def test_session_messages() -> None:
    created = parsed(
        {"type": "session.created", "session_id": "r1", "audio": AUDIO, "measurement_timer_ms": 3000}
    )
    assert created == SessionCreated("r1", {"audio": AUDIO, "measurement_timer_ms": 3000})
    assert parsed({"type": "session.updated", "measurement_timer_ms": 5000}) == SessionUpdated(
        {"measurement_timer_ms": 5000}
    )
    closed = parsed(
        {
            "type": "session.closed",
            "session_id": "r1",
            "reason": "server_shutdown",
            "received": {"audio_duration_ms": 26000, "frames": 260},
            "produced": {"utterances": 1, "measurements": 9},
        }
    )
    assert isinstance(closed, SessionClosed)
    assert closed.reason == "server_shutdown"
    assert closed.produced["measurements"] == 9


def test_audio_messages() -> None:
    assert parsed({"type": "utterance.start", "utterance_id": 0, "audio_start_ms": 98}) == UtteranceStart(
        0, 98
    )
    end = {"type": "utterance.end", "utterance_id": 0, "audio_start_ms": 98, "audio_end_ms": 26000}
    assert parsed(end) == UtteranceEnd(0, 98, 26000)
    result = parsed(
        {
            "type": "measurement.result",
            "measurement_id": 8,
            "utterance_id": 0,
            "audio_start_ms": 16000,
            "audio_end_ms": 26000,
            "trigger": "speech_ended",
            "expressions": [{"name": "interest", "probability": 0.6}],
            "voice_attributes": [],
            "new_field": 1,
        }
    )
    assert isinstance(result, AudioMeasurement)
    assert (result.measurement_id, result.trigger, result.expressions[0].name) == (
        8,
        "speech_ended",
        "interest",
    )
    assert result.extra == {"new_field": 1}  # the wire's ``type`` is not kept as an extra


def test_a_video_result_reads_faces() -> None:
    face = {
        "face_id": None,
        "bbox": [1, 2, 3, 4],
        "confidence": 0.93,
        "expressions": None,
        "descriptions": None,
    }
    result = parsed({"type": "measurement.result", "frame_id": 2, "faces": [face]}, "video")
    assert isinstance(result, FrameMeasurement)
    assert result.frame_id == 2
    assert result.faces[0].face_id is None


def test_errors() -> None:
    error = parsed({"type": "error", "code": "rate_limited", "message": "slow down", "retryable": True})
    assert error == RealtimeError("rate_limited", "slow down", True)
    raised = error.to_exception()
    assert isinstance(raised, HumeStreamError)
    assert raised.code == "rate_limited"


def test_unknown_types_are_kept() -> None:
    message = parsed({"type": "session.paused", "until": 5})
    assert isinstance(message, UnknownMessage)
    assert message.type == "session.paused"


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[1]",
        '{"kind": "error"}',
        '{"type": "error", "code": "x", "message": "m"}',
        '{"type": "utterance.start", "utterance_id": "0", "audio_start_ms": 1}',
        '{"type": "measurement.result", "frame_id": 0}',
        '{"type": "session.closed", "session_id": "r", "reason": "error", "received": 1, "produced": {}}',
    ],
)
def test_unreadable_messages_raise_with_a_code(text: str) -> None:
    with pytest.raises(HumeStreamError) as raised:
        parse_message(text, "video")
    assert raised.value.code == "message_unreadable"
