"""``v1`` bodies in the documented shapes (hume-api-v1.md §5, §6, §8), shared by the v1 client unit tests."""

from __future__ import annotations

from typing import Any

RUN_ID = "01926f3a-5b1c-7d2e-8f40-3a9b7c1d2e5f"


def audio_response() -> dict[str, Any]:
    return {
        "request_id": "3f9a1c07e2b84d56a0c7e19b5d2f8a64",
        "run_id": RUN_ID,
        "received": {"audio_duration_ms": 26000},
        "utterances": [{"utterance_id": 0, "audio_start_ms": 98, "audio_end_ms": 26000}],
        "measurements": [
            {
                "measurement_id": 0,
                "utterance_id": 0,
                "audio_start_ms": 98,
                "audio_end_ms": 3098,
                "trigger": "interval",
                "expressions": [
                    {"name": "interest", "probability": 0.6231},
                    {"name": "amusement", "probability": 0.4187},
                ],
                "voice_attributes": [
                    {"name": "clear", "probability": 0.9612},
                    {"name": "calm", "probability": 0.9148},
                ],
            },
            {
                "measurement_id": 1,
                "utterance_id": 0,
                "audio_start_ms": 16000,
                "audio_end_ms": 26000,
                "trigger": "speech_ended",
                "expressions": [],
                "voice_attributes": [],
            },
        ],
    }


def image_response(face_state: str | None = "opaque-state") -> dict[str, Any]:
    body: dict[str, Any] = {
        "request_id": "req-2",
        "run_id": RUN_ID,
        "received": {"frames": 2},
        "measurements": [
            {
                "frame_id": 0,
                "faces": [
                    {
                        "face_id": 0,
                        "bbox": [10, 20, 110.5, 140],
                        "confidence": 0.9871,
                        "expressions": [{"name": "surprise (positive)", "probability": 0.7124}],
                        "descriptions": [{"name": "smile", "probability": 0.8419}],
                    },
                    {
                        "face_id": None,
                        "bbox": [200, 20, 260, 90],
                        "confidence": 0.93,
                        "expressions": None,
                        "descriptions": None,
                    },
                ],
            },
            {"frame_id": 1, "faces": []},
        ],
    }
    if face_state is not None:
        body["face_state"] = face_state
    return body


def run_summary(**changes: Any) -> dict[str, Any]:
    run = {
        "run_id": RUN_ID,
        "user_id": "user-1",
        "status": "ended",
        "endpoint": "audio",
        "mode": "file",
        "started_at": "2026-12-01T10:00:00.123456Z",
        "ended_at": "2026-12-01T10:00:03Z",
        "bytes_received": 832044,
        "bytes_recorded": None,
        "metered_seconds": 26.0,
    }
    return {**run, **changes}


def run(**changes: Any) -> dict[str, Any]:
    config = {
        "schema": "v4",
        "audio": {"type": "audio/pcm", "encoding": "s16le", "sample_rate": 16000, "channels": 1},
        "measurement_timer_ms": 3000,
    }
    return {**run_summary(), "close_code": None, "close_reason": None, "config": config, **changes}


def events_page(**changes: Any) -> dict[str, Any]:
    page = {
        "events": [
            {"seq": 1, "at": "2026-12-01T10:00:01Z", "kind": "rate_limited", "detail": None},
            {
                "seq": 2,
                "at": "2026-12-01T10:00:02+01:00",
                "kind": "invalid_audio_frame",
                "detail": {"detail": "odd byte count"},
            },
        ],
        "at_cap": True,
        "capped_kinds": ["rate_limited"],
        "gaps": False,
        "next_cursor": "c2",
    }
    return {**page, **changes}


def error_body(code: str, message: str = "something went wrong", request_id: str = "req-9") -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message, "request_id": request_id}
