"""Writing flattened predictions to JSON Lines, CSV and Parquet files: layout, headers, stable schemas."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from airflow_provider_hume.client.tabular_schema import EXPRESSIONS_48, MODEL_COLUMNS, TABLE_MODELS
from airflow_provider_hume.transfers import tabular_files
from airflow_provider_hume.transfers.tabular_files import (
    arrow_schema,
    check_output_format,
    table_key,
    write_prediction_tables,
)
from tests.unit.client.tabular_bodies import LazyFaceBody, emulator_body

PRESENT = ["face", "burst", "prosody", "language", "ner", "facemesh"]


def test_output_format_is_checked() -> None:
    assert check_output_format("parquet") == "parquet"
    with pytest.raises(ValueError, match="json, jsonl, csv, parquet"):
        check_output_format("xlsx")


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("out/p.csv", "out/p.face.csv"),
        ("out/p", "out/p.face.csv"),
        ("out/p.json", "out/p.json.face.csv"),
        ("out/", "out/face.csv"),
    ],
)
def test_table_keys(key: str, expected: str) -> None:
    assert table_key(key, "face", "csv") == expected


def test_jsonl_holds_every_row(tmp_path: Path) -> None:
    files, report = write_prediction_tables(
        io.BytesIO(emulator_body()), job_id="j", output_format="jsonl", directory=tmp_path
    )
    (table,) = files
    assert table.model is None
    records = [json.loads(line) for line in table.path.read_text(encoding="utf-8").splitlines()]
    assert len(records) == table.rows == report.rows
    assert {r["model"] for r in records} == set(PRESENT)
    for record in records:
        assert list(record) == [column.name for column in MODEL_COLUMNS[record["model"]]]


def test_csv_one_file_per_model_with_a_fixed_header(tmp_path: Path) -> None:
    files, report = write_prediction_tables(
        io.BytesIO(emulator_body()), job_id="j", output_format="csv", directory=tmp_path
    )
    assert [table.model for table in files] == PRESENT
    assert sum(table.rows for table in files) == report.rows
    for table in files:
        assert table.model is not None
        with table.path.open(newline="", encoding="utf-8") as handle:
            header, *rows = list(csv.reader(handle))
        assert header == [column.name for column in MODEL_COLUMNS[table.model]]
        assert len(rows) == table.rows
        assert all(row[4] == table.model for row in rows)
    face = (tmp_path / "face.csv").read_text(encoding="utf-8").splitlines()
    assert face[0].endswith(",".join(f'"{n}"' if " " in n else n for n in EXPRESSIONS_48[-3:]))


def test_parquet_schema_is_stable_across_jobs(tmp_path: Path) -> None:
    schemas = []
    for index, text in enumerate(["Barack Obama visited New York. It was great!", "Short."]):
        directory = tmp_path / str(index)
        directory.mkdir()
        files, _ = write_prediction_tables(
            io.BytesIO(emulator_body(text)),
            job_id=f"job-{index}",
            output_format="parquet",
            directory=directory,
        )
        assert [table.model for table in files] == PRESENT
        schemas.append({table.model: pq.read_schema(table.path) for table in files})
        language = pq.read_table(directory / "language.parquet").to_pylist()
        assert {row["job_id"] for row in language} == {f"job-{index}"}
    for model in PRESENT:
        assert schemas[0][model].equals(schemas[1][model])
        assert schemas[0][model].equals(arrow_schema(model))
        assert schemas[0][model].names == [column.name for column in MODEL_COLUMNS[model]]
    assert str(arrow_schema("face").field("frame").type) == "int64"
    assert str(arrow_schema("language").field("sentiment_9").type) == "double"


def test_parquet_row_groups_and_empty_models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tabular_files, "PARQUET_ROW_GROUP_ROWS", 100)
    body = LazyFaceBody(250, EXPRESSIONS_48)
    (table,), _ = write_prediction_tables(body, job_id="j", output_format="parquet", directory=tmp_path)
    parquet = pq.ParquetFile(table.path)
    assert (parquet.metadata.num_rows, parquet.metadata.num_row_groups) == (250, 3)
    assert parquet.read().column("frame").to_pylist() == list(range(250))

    ner = {"ner": {"metadata": None, "grouped_predictions": []}}
    empty = {"source": {"type": "text"}, "results": {"predictions": [{"file": "t", "models": ner}]}}
    (table,), _ = write_prediction_tables(
        io.BytesIO(json.dumps([empty]).encode()), job_id="j", output_format="csv", directory=tmp_path
    )
    assert (table.model, table.rows) == ("ner", 0)
    assert table.path.read_text(encoding="utf-8").startswith("job_id,source_type,")


def test_missing_pyarrow_names_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import builtins

    real_import = builtins.__import__

    def no_pyarrow(name: str, *args: object, **kwargs: object) -> object:
        if name.startswith("pyarrow"):
            raise ImportError("No module named 'pyarrow'")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_pyarrow)
    with pytest.raises(ImportError, match=r"airflow-provider-hume\[parquet\]"):
        write_prediction_tables(io.BytesIO(b"[]"), job_id="j", output_format="parquet", directory=tmp_path)


def test_models_order_is_the_documented_one() -> None:
    assert list(TABLE_MODELS) == PRESENT
