"""Flattening predictions bodies (hume-api-v0.md §2.7) into rows: context, columns, name sets, errors."""

from __future__ import annotations

import io
import json
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_hume.client.tabular import ParseReport, PredictionRow, coerce, iter_prediction_rows
from airflow_provider_hume.client.tabular_schema import (
    EXPRESSIONS_48,
    EXPRESSIONS_53,
    MODEL_COLUMNS,
    SENTIMENT_COLUMNS,
    TOXICITY_COLUMNS,
)
from tests.unit.client.tabular_bodies import BAD_URL, LazyFaceBody, emulator_body, face_prediction

REFERENCE = Path(__file__).resolve().parents[2] / "fixtures" / "reference" / "wiremock_predictions.json"
COMMON = ["job_id", "source_type", "source", "file", "model", "group_id"]


def rows_of(body: bytes | Any, report: ParseReport | None = None) -> list[PredictionRow]:
    data = json.dumps(body).encode() if not isinstance(body, bytes) else body
    return list(iter_prediction_rows(io.BytesIO(data), "job-1", report))


def test_expression_name_sets_match_the_reference() -> None:
    assert len(EXPRESSIONS_48) == 48
    assert len(EXPRESSIONS_53) == 53
    assert list(EXPRESSIONS_53) == sorted(
        [*EXPRESSIONS_48, "Annoyance", "Disapproval", "Enthusiasm", "Gratitude", "Sarcasm"]
    )
    reference = json.loads(REFERENCE.read_bytes())
    face = reference[0]["results"]["predictions"][0]["models"]["face"]["grouped_predictions"][0]
    assert [score["name"] for score in face["predictions"][0]["emotions"]] == list(EXPRESSIONS_48)


def test_reference_body_gives_one_face_row() -> None:
    (row,) = rows_of(REFERENCE.read_bytes())
    record = row.record()
    assert list(record)[:13] == [*COMMON, "frame", "time", "prob", "box_x", "box_y", "box_w", "box_h"]
    assert list(record)[13:] == list(EXPRESSIONS_48)
    assert record["source_type"] == "url"
    assert record["source"] == "https://hume-tutorials.s3.amazonaws.com/faces.zip"
    assert (record["file"], record["model"], record["group_id"]) == ("faces/100.jpg", "face", "unknown")
    assert (record["frame"], record["time"]) == (0, 0.0)
    assert record["box_x"] == pytest.approx(1187.885986328125)
    assert record["Admiration"] == pytest.approx(0.10722749680280685)
    assert record["Triumph"] == pytest.approx(0.01955239288508892)


def test_every_model_of_an_emulator_job() -> None:
    body = emulator_body()
    report = ParseReport()
    rows = rows_of(body, report)
    expected = Counter(
        (source.get("filename", "text"), model)
        for source_result in json.loads(body)
        for source in [source_result["source"]]
        for entry in (source_result.get("results") or {}).get("predictions", [])
        for model, found in entry["models"].items()
        for group in found["grouped_predictions"]
        for _ in group["predictions"]
    )
    assert Counter((row.source or "text", row.model) for row in rows) == expected
    assert {row.model for row in rows} == set(MODEL_COLUMNS)
    assert report.rows == len(rows)
    assert report.models == ["prosody", "burst", "language", "ner", "face", "facemesh"]
    for row in rows:
        record = row.record()
        assert list(record) == [column.name for column in MODEL_COLUMNS[row.model]]
        assert record["job_id"] == "job-1"
        names = EXPRESSIONS_53 if row.model in ("language", "ner") else EXPRESSIONS_48
        assert all(isinstance(record[name], float) for name in names)


def test_positional_sentiment_and_toxicity_columns() -> None:
    rows = rows_of(emulator_body())
    text_language = [r.record() for r in rows if r.source_type == "text" and r.model == "language"]
    first = text_language[0]
    assert (first["file"], first["source"], first["group_id"]) == ("text_0", None, "unknown")
    assert first["text"] == "Barack"
    assert (first["position_begin"], first["position_end"]) == (0, 6)
    assert all(isinstance(first[name], float) for name in SENTIMENT_COLUMNS + TOXICITY_COLUMNS)
    assert TOXICITY_COLUMNS[-1] == "toxicity_identity_hate"
    assert sum(first[name] for name in SENTIMENT_COLUMNS) == pytest.approx(1.0)
    ner = [r.record() for r in rows if r.source_type == "text" and r.model == "ner"]
    assert [r["entity"] for r in ner] == ["Barack Obama", "New York"]
    assert ner[0]["uri"] == "https://en.wikipedia.org/wiki/Barack_Obama"
    assert ner[0]["link_word"] == "Obama"
    prosody = [r.record() for r in rows if r.model == "prosody"]
    assert all(isinstance(r["text"], str) and 0 <= r["time_begin"] < r["time_end"] <= 4.0 for r in prosody)
    (face,) = [r.record() for r in rows if r.model == "face"]
    assert face["source"] == face["file"] == "photo.png"
    assert face["box_w"] > 0
    facemesh = next(r.record() for r in rows if r.model == "facemesh")
    assert list(facemesh) == [*COMMON, *EXPRESSIONS_48]


def test_errors_are_counted_not_rows() -> None:
    report = ParseReport()
    rows = rows_of(emulator_body(), report)
    assert report.errors == 2
    assert report.error_samples == [
        f"{BAD_URL}: could not download {BAD_URL}",
        "bad.json: invalid facemesh landmarks",
    ]
    assert all(row.source not in (BAD_URL, "bad.json") for row in rows)


def test_context_that_arrives_after_the_predictions() -> None:
    """Keys in any order: rows wait for their source, file and group, then come out in body order."""
    predictions = [face_prediction(3, EXPRESSIONS_48)]
    late_group = {"face": {"grouped_predictions": [{"predictions": predictions, "id": "g"}]}}
    no_group = {"face": {"grouped_predictions": [{"predictions": predictions}]}}
    body = [
        {
            "results": {
                "errors": [],
                "predictions": [{"models": late_group, "file": "late.png"}, {"models": no_group}],
            },
            "source": {"filename": "late.zip", "type": "file"},
        },
        {"results": {"predictions": [{"file": "x", "models": {"face": {"grouped_predictions": []}}}]}},
    ]
    first, second = rows_of(body)
    assert (first.source_type, first.source, first.file) == ("file", "late.zip", "late.png")
    assert first.group_id == "g"
    assert (second.source, second.file, second.group_id) == ("late.zip", None, None)
    assert first.record()["frame"] == 3


def test_unknown_models_and_extra_names_are_skipped() -> None:
    scores = [{"name": "Joy", "score": "0.5"}, {"score": 0.2, "name": "Not An Expression"}]
    found = {"grouped_predictions": [{"id": "u", "predictions": [{"emotions": scores}]}]}
    models = {"future": found, "facemesh": found}
    body = [{"source": {"type": "text"}, "results": {"predictions": [{"file": "t", "models": models}]}}]
    report = ParseReport()
    (row,) = rows_of(body, report)
    record = row.record()
    assert row.model == "facemesh"
    assert record["Joy"] == 0.5
    assert record["Anger"] is None
    assert "Not An Expression" not in record
    assert (report.models, report.unknown_models) == (["future", "facemesh"], ["future"])


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        (None, "float", None),
        (True, "float", None),
        (3, "float", 3.0),
        ("0.25", "float", 0.25),
        ("n/a", "float", None),
        (4.0, "int", 4),
        (7, "string", "7"),
        ("x", "string", "x"),
    ],
)
def test_coerce(value: Any, kind: Any, expected: Any) -> None:
    assert coerce(value, kind) == expected


def test_malformed_body_raises() -> None:
    with pytest.raises(Exception, match=r"parse error|Incomplete"):
        list(iter_prediction_rows(io.BytesIO(b'[{"source": {"type": '), "job-1"))


def _peak_bytes(count: int) -> tuple[int, int]:
    body = LazyFaceBody(count, EXPRESSIONS_48)
    tracemalloc.start()
    try:
        rows = sum(1 for _ in iter_prediction_rows(io.BufferedReader(body, 64 * 1024), "job-1"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert rows == count
    return peak, body.size


def test_memory_does_not_grow_with_the_body() -> None:
    """One source of 10x the predictions (2.7 MB of JSON) needs no more memory (BENCHMARKS.md: 200 MB)."""
    small_peak, _ = _peak_bytes(150)
    large_peak, large_size = _peak_bytes(1_500)
    assert large_size > 2_500_000
    assert large_peak < small_peak + 256 * 1024
    assert large_peak < 4 * 1024 * 1024
