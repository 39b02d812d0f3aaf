"""Chunking long inputs, stitching replies back with offsets, and reading every reply shape."""

from __future__ import annotations

import io
import json
import wave
from pathlib import Path

import pytest

from airflow_provider_hume.client.errors import HumeError, HumeStreamError, HumeValidationError
from airflow_provider_hume.client.stream_chunks import iter_wav_chunks, split_text
from airflow_provider_hume.client.stream_messages import StreamResult, decode_message, parse_reply
from airflow_provider_hume.client.stream_stitch import StitchedResult, shift_prediction, write_result_line


def write_wav(path: Path, seconds: float, rate: int = 8000, channels: int = 2) -> Path:
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        frames = bytes(range(256)) * (int(seconds * rate) * 2 * channels // 256 + 1)
        writer.writeframes(frames[: int(seconds * rate) * 2 * channels])
    return path


def test_wav_chunks_are_equal_bounded_and_cover_the_file(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "a.wav", 12.5)
    chunks = list(iter_wav_chunks(path))
    assert [round(c.offset, 6) for c in chunks] == [0.0, 4.16675, 8.3335]
    assert all(c.duration <= 5.0 for c in chunks)
    assert sum(c.duration for c in chunks) == pytest.approx(12.5)
    with wave.open(str(path)) as original:
        frames = original.readframes(original.getnframes())
    joined = b""
    for chunk in chunks:
        with wave.open(io.BytesIO(chunk.data)) as reader:
            assert (reader.getnchannels(), reader.getframerate()) == (2, 8000)
            joined += reader.readframes(reader.getnframes())
    assert joined == frames


def test_short_wav_is_one_chunk_and_bad_input_is_refused(tmp_path: Path) -> None:
    assert len(list(iter_wav_chunks(write_wav(tmp_path / "s.wav", 5.0)))) == 1
    assert [c.duration for c in iter_wav_chunks(write_wav(tmp_path / "t.wav", 2.0), max_ms=500)] == [0.5] * 4
    (tmp_path / "n.wav").write_bytes(b"not a wav")
    with pytest.raises(HumeValidationError, match="not a PCM WAV file"):
        list(iter_wav_chunks(tmp_path / "n.wav"))
    with pytest.raises(HumeValidationError, match="max_ms"):
        list(iter_wav_chunks(tmp_path / "s.wav", max_ms=6000))


def test_text_splits_at_sentence_ends_and_concatenates_back() -> None:
    text = "One two three. Four five six! Seven eight? Nine ten."
    chunks = split_text(text, max_chars=20)
    assert [c.text for c in chunks] == ["One two three. ", "Four five six! ", "Seven eight? ", "Nine ten."]
    assert "".join(c.text for c in chunks) == text
    assert all(text[c.offset : c.offset + len(c.text)] == c.text for c in chunks)


def test_text_without_sentences_splits_at_whitespace_then_hard() -> None:
    assert [c.text for c in split_text("aaaa bbbb cccc", max_chars=10)] == ["aaaa bbbb ", "cccc"]
    assert [c.text for c in split_text("x" * 25, max_chars=10)] == ["x" * 10, "x" * 10, "x" * 5]
    assert [c.text for c in split_text("short")] == ["short"]


def test_shift_prediction_moves_times_and_positions() -> None:
    prosody = {"time": {"begin": 0.5, "end": 1.0}, "emotions": []}
    assert shift_prediction(prosody, seconds=5.0)["time"] == {"begin": 5.5, "end": 6.0}
    assert shift_prediction({"time": 1.25}, seconds=2.0)["time"] == 3.25
    assert shift_prediction({"time": None}, seconds=2.0)["time"] is None
    language = {"text": "hi", "position": {"begin": 3, "end": 5}}
    assert shift_prediction(language, chars=100)["position"] == {"begin": 103, "end": 105}
    assert prosody["time"] == {"begin": 0.5, "end": 1.0}


def test_stitched_result_spools_and_writes_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("airflow_provider_hume.client.stream_stitch.SPOOL_IN_MEMORY_BYTES", 64)
    reply = parse_reply(
        {
            "prosody": {"predictions": [{"time": {"begin": 0, "end": 1}}]},
            "burst": {"warning": "none", "code": "W0101"},
        }
    )
    with StitchedResult() as result:
        for offset in range(50):
            result.add(reply, seconds=offset * 5.0)
        out = io.StringIO()
        write_result_line(out, index=3, input_id="call.wav", result=result)
    line = json.loads(out.getvalue())
    assert (line["index"], line["id"], line["error"]) == (3, "call.wav", None)
    times = [p["time"]["begin"] for p in line["predictions"]["prosody"]["predictions"]]
    assert times == [offset * 5.0 for offset in range(50)]
    assert line["warnings"] == [{"code": "W0101", "message": "none", "model": "burst", "count": 50}]


def test_error_line() -> None:
    out = io.StringIO()
    write_result_line(out, index=0, input_id="t", error=HumeStreamError("E0102", "wrong model"))
    assert json.loads(out.getvalue()) == {
        "index": 0,
        "id": "t",
        "predictions": None,
        "warnings": [],
        "error": {
            "type": "HumeStreamError",
            "code": "E0102",
            "message": "Hume streaming error E0102: wrong model",
        },
    }


def test_replies_of_every_shape() -> None:
    result = parse_reply(
        {
            "payload_id": "p1",
            "job_details": {"job_id": "a" * 32},
            "language": {"predictions": [{"text": "hi"}, "junk"]},
            "face": {"warning": "No faces could be detected.", "code": "W0103"},
        }
    )
    assert result == StreamResult(
        payload_id="p1",
        predictions={"language": [{"text": "hi"}]},
        warnings=result.warnings,
        job_id="a" * 32,
    )
    assert [(w.code, w.model) for w in result.warnings] == [("W0103", "face")]
    top = parse_reply({"warning": "No speech detected.", "code": "W0105", "payload_id": "p2"})
    assert [(w.code, w.model) for w in top.warnings] == [("W0105", None)]
    assert parse_reply({}) == StreamResult()


def test_errors_carry_the_code() -> None:
    with pytest.raises(HumeStreamError) as caught:
        parse_reply({"error": "Streaming payload configured with model type 'prosody'...", "code": "E0102"})
    assert caught.value.code == "E0102"
    with pytest.raises(HumeStreamError, match="face: bad frame") as nested:
        parse_reply({"face": {"error": "bad frame", "code": "E0200"}})
    assert nested.value.code == "E0200"
    with pytest.raises(HumeError, match="not a JSON object"):
        decode_message("[1, 2]")
    with pytest.raises(HumeError, match="not a JSON object"):
        decode_message(b"\xff garbage")


def test_window_context_is_dropped_or_clipped_so_spans_never_overlap() -> None:
    """A 4 s payload whose window starts 1 s earlier (context): spans stay within the payload's own audio."""
    spans = [(0.0, 0.8), (0.5, 2.5), (2.5, 5.0)]  # window time; context is the first second
    reply = StreamResult(
        predictions={"prosody": [{"time": {"begin": b, "end": e}, "emotions": []} for b, e in spans]}
    )
    with StitchedResult() as result:
        result.add(reply, seconds=4.0, context=1.0)
        kept = result.predictions()["prosody"]["predictions"]
    assert [(p["time"]["begin"], p["time"]["end"]) for p in kept] == [(4.0, 5.5), (5.5, 8.0)]
