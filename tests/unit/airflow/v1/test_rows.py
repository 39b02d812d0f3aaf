"""``client.v1.rows``: file lines flattened to one row per measurement or face, in three formats."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from airflow_provider_hume.client import HumeValidationError
from airflow_provider_hume.client.v1 import rows

AUDIO_LINE: dict[str, Any] = {
    "source": "s3://b/calls/a.mp3",
    "status": "measured",
    "chunks": [
        {"index": 0, "offset_ms": 0, "run_id": "run-a"},
        {"index": 1, "offset_ms": 780000, "run_id": "run-b"},
    ],
    "measurements": [
        {
            "measurement_id": 0,
            "utterance_id": 0,
            "audio_start_ms": 98,
            "audio_end_ms": 3098,
            "trigger": "interval",
            "expressions": [
                {"name": "interest", "probability": 0.62},
                {"name": "surprise (positive)", "probability": 0.4},
            ],
            "voice_attributes": [],
        },
        {
            "measurement_id": 1,
            "utterance_id": 1,
            "audio_start_ms": 780100,
            "audio_end_ms": 783100,
            "trigger": "speech_ended",
            "expressions": [],
            "voice_attributes": [{"name": "calm", "probability": 0.91}],
        },
    ],
}
IMAGE_LINE: dict[str, Any] = {
    "source": "clip.mp4",
    "status": "measured",
    "measurements": [
        {
            "frame_index": 4,
            "timestamp_ms": 4000,
            "run_id": "run-v",
            "faces": [
                {
                    "face_id": 0,
                    "bbox": [1, 2, 3, 4],
                    "confidence": 0.99,
                    "expressions": [{"name": "joy", "probability": 0.7}],
                    "descriptions": [{"name": "smile", "probability": 0.8}],
                },
                {
                    "face_id": None,
                    "bbox": [5, 6, 7, 8],
                    "confidence": 0.93,
                    "expressions": None,
                    "descriptions": None,
                },
            ],
        },
        {"frame_index": 5, "timestamp_ms": 5000, "run_id": "run-v", "faces": []},
    ],
}


def test_audio_rows_take_the_run_of_their_chunk_and_the_top_scores() -> None:
    first, second = rows.audio_rows(AUDIO_LINE)
    assert first["run_id"] == "run-a"
    assert second["run_id"] == "run-b"
    assert first["top_expression"] == "interest"
    assert first["top_expression_probability"] == 0.62
    assert first["top_voice_attribute"] is None
    assert second["top_voice_attribute"] == "calm"
    assert set(first) == {column.name for column in rows.AUDIO_COLUMNS}


def test_image_rows_one_per_face_unmeasured_faces_with_nulls() -> None:
    measured, listed = rows.image_rows(IMAGE_LINE)
    assert (measured["face_index"], measured["face_id"], measured["bbox_x1"]) == (0, 0, 3)
    assert listed["face_id"] is None
    assert listed["expressions"] is None
    assert listed["top_expression"] is None
    assert measured["frame_index"] == 4
    assert measured["timestamp_ms"] == 4000
    assert set(measured) == {column.name for column in rows.IMAGE_COLUMNS}


def test_failed_lines_give_no_rows() -> None:
    assert list(rows.audio_rows({"source": "x", "status": "failed", "error": "bad"})) == []


def test_csv_holds_score_lists_as_json(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    assert rows.write_rows([AUDIO_LINE], path, "csv", media="audio") == 2
    with path.open() as handle:
        first = next(csv.DictReader(handle))
    assert json.loads(first["expressions"])[1] == {"name": "surprise (positive)", "probability": 0.4}
    assert first["voice_attributes"] == "[]"


def test_parquet_streams_row_groups_with_a_fixed_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rows, "PARQUET_ROW_GROUP_ROWS", 2)
    path = tmp_path / "t.parquet"
    assert rows.write_rows([IMAGE_LINE] * 3, path, "parquet", media="image") == 6
    parquet = pq.ParquetFile(path)
    assert parquet.metadata.num_row_groups == 3
    assert parquet.schema_arrow == rows.arrow_schema(rows.IMAGE_COLUMNS)
    assert parquet.read().column("top_description").to_pylist()[:2] == ["smile", None]


def test_an_empty_table_still_has_its_schema(tmp_path: Path) -> None:
    path = tmp_path / "empty.parquet"
    assert rows.write_rows([], path, "parquet", media="audio") == 0
    assert pq.read_table(path).schema == rows.arrow_schema(rows.AUDIO_COLUMNS)


def test_unknown_format_is_named() -> None:
    with pytest.raises(HumeValidationError, match="output_format must be one of jsonl, csv, parquet"):
        rows.check_rows_format("xlsx")
