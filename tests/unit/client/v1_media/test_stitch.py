"""stitch_audio: chunk answers renumbered and rebased onto the file's timeline (hume-api-v1.md §5)."""

from __future__ import annotations

import io
from typing import Any

import pytest

from airflow_provider_hume.client.errors import HumeError
from airflow_provider_hume.client.v1.media import AudioChunk, stitch_audio
from airflow_provider_hume.client.v1.parts import AUDIO_WAV, MediaPart
from airflow_provider_hume.client.v1.results import AudioFileResult


def chunk(index: int, offset_ms: int, duration_ms: int) -> AudioChunk:
    part = MediaPart(f"call.chunk{index:03d}.wav", 44, AUDIO_WAV, lambda: io.BytesIO(bytes(44)))
    return AudioChunk(index, offset_ms, duration_ms, offset_ms * 16, duration_ms * 16, part)


def measurement(mid: int, uid: int, start: int, end: int, trigger: str = "interval") -> dict[str, Any]:
    return {
        "measurement_id": mid,
        "utterance_id": uid,
        "audio_start_ms": start,
        "audio_end_ms": end,
        "trigger": trigger,
        "expressions": [{"name": "interest", "probability": 0.61}],
        "voice_attributes": [{"name": "calm", "probability": 0.9}],
        "new_field": mid,
    }


def result(
    run: str, duration: int, utterances: list[tuple[int, int]], measurements: list[Any]
) -> AudioFileResult:
    return AudioFileResult.from_api(
        {
            "request_id": f"req-{run}",
            "run_id": run,
            "received": {"audio_duration_ms": duration},
            "utterances": [
                {"utterance_id": i, "audio_start_ms": start, "audio_end_ms": end}
                for i, (start, end) in enumerate(utterances)
            ],
            "measurements": measurements,
        }
    )


# An utterance cut at 60 s: it ends the first chunk (utterance 1 there) and starts the second (utterance 0).
FIRST = result(
    "run-a",
    60_000,
    [(500, 4_000), (55_000, 60_000)],
    [
        measurement(0, 0, 500, 3_500),
        measurement(1, 0, 1_000, 4_000, "speech_ended"),
        measurement(2, 1, 55_000, 58_000),
        measurement(3, 1, 55_000, 60_000, "speech_ended"),
    ],
)
SECOND = result("run-b", 60_000, [(0, 2_500)], [measurement(0, 0, 0, 2_500, "speech_ended")])
EMPTY = result("run-c", 30_000, [], [])
THIRD = result("run-d", 20_000, [(100, 900)], [measurement(0, 0, 100, 900, "speech_ended")])


def test_ids_are_renumbered_and_times_rebased() -> None:
    stitched = stitch_audio(
        [(chunk(0, 0, 60_000), FIRST), (chunk(1, 60_000, 60_000), SECOND), (chunk(2, 120_000, 30_000), EMPTY),
         (chunk(3, 150_000, 20_000), THIRD)]
    )  # fmt: skip
    assert [(u.utterance_id, u.audio_start_ms, u.audio_end_ms) for u in stitched.utterances] == [
        (0, 500, 4_000),
        (1, 55_000, 60_000),  # the cut utterance ends at the split...
        (2, 60_000, 62_500),  # ...and a new one starts there: no merging
        (3, 150_100, 150_900),
    ]
    assert [
        (m.measurement_id, m.utterance_id, m.audio_start_ms, m.audio_end_ms) for m in stitched.measurements
    ] == [
        (0, 0, 500, 3_500),
        (1, 0, 1_000, 4_000),
        (2, 1, 55_000, 58_000),
        (3, 1, 55_000, 60_000),
        (4, 2, 60_000, 62_500),
        (5, 3, 150_100, 150_900),
    ]
    assert stitched.measurements[4].trigger == "speech_ended"
    assert stitched.measurements[4].expressions == SECOND.measurements[0].expressions
    assert stitched.audio_duration_ms == 170_000
    assert stitched.run_ids == ("run-a", "run-b", "run-c", "run-d")
    assert stitched.request_ids == ("req-run-a", "req-run-b", "req-run-c", "req-run-d")
    assert [(c.offset_ms, c.utterances, c.measurements) for c in stitched.chunks] == [
        (0, 2, 4),
        (60_000, 1, 1),
        (120_000, 0, 0),
        (150_000, 1, 1),
    ]


def test_to_api_is_an_audio_file_response_plus_runs_and_chunks() -> None:
    stitched = stitch_audio([(chunk(0, 0, 60_000), FIRST), (chunk(1, 60_000, 60_000), SECOND)])
    body = stitched.to_api()
    assert body["run_id"] == "run-a"
    assert body["request_id"] == "req-run-a"
    assert body["run_ids"] == ["run-a", "run-b"]
    assert body["chunks"][1] == {
        "index": 1,
        "offset_ms": 60_000,
        "duration_ms": 60_000,
        "run_id": "run-b",
        "request_id": "req-run-b",
        "utterances": 1,
        "measurements": 1,
    }
    assert body["measurements"][4]["new_field"] == 0  # fields Hume adds are kept
    again = AudioFileResult.from_api(body)
    assert again.measurements == stitched.measurements
    assert again.audio_duration_ms == 120_000


def test_one_chunk_is_its_own_answer() -> None:
    stitched = stitch_audio([(chunk(0, 0, 60_000), FIRST)])
    body = stitched.to_api()
    assert {key: body[key] for key in FIRST.to_api()} == FIRST.to_api()


def test_chunks_must_come_in_order() -> None:
    with pytest.raises(ValueError, match=r"in order, each once \(got indexes \[1, 0\]\)"):
        stitch_audio([(chunk(1, 60_000, 60_000), SECOND), (chunk(0, 0, 60_000), FIRST)])
    with pytest.raises(ValueError, match=r"at least one chunk"):
        stitch_audio([])


def test_a_measurement_of_an_unlisted_utterance_is_an_error() -> None:
    broken = result("run-x", 1_000, [(0, 900)], [measurement(0, 7, 0, 900)])
    with pytest.raises(
        HumeError, match=r"call\.chunk000\.wav has measurement 0 of utterance 7, which the answer"
    ):
        stitch_audio([(chunk(0, 0, 1_000), broken)])
