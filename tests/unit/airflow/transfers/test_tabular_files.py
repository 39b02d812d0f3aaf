"""``export_prediction_tables``: the upload step of the tabular formats (the writers are covered in
``tests/unit/client/test_tabular_files.py``)."""

from __future__ import annotations

import contextlib
import io
import json
import logging
from collections.abc import Iterator
from typing import BinaryIO

import pytest

from airflow_provider_hume.transfers.tabular_files import export_prediction_tables, table_key
from tests.unit.airflow.transfers.conftest import JOB, PREDICTIONS, FakeS3Hook

log = logging.getLogger("airflow_provider_hume.tests")


class Body:
    """Opens the predictions body and counts how often it was opened."""

    def __init__(self, data: bytes = PREDICTIONS) -> None:
        self.data = data
        self.opened = 0

    @contextlib.contextmanager
    def __call__(self) -> Iterator[BinaryIO]:
        self.opened += 1
        yield io.BytesIO(self.data)


def export(
    s3: FakeS3Hook, body: Body, output_format: str, s3_key: str, replace: bool = True
) -> str | list[str]:
    return export_prediction_tables(
        open_body=body,
        s3=s3,
        job_id=JOB,
        output_format=output_format,
        bucket="b",
        s3_key=s3_key,
        replace=replace,
        log=log,
    )


@pytest.mark.parametrize("model", ["face", "burst", "prosody", "language", "ner", "facemesh"])
def test_without_replace_any_possible_table_already_there_fails_before_reading(model: str) -> None:
    s3 = FakeS3Hook(("b", table_key("out/p.csv", model, "csv")))
    body = Body()
    with pytest.raises(FileExistsError, match=rf"^s3://b/out/p.{model}.csv exists; set replace=True"):
        export(s3, body, "csv", "out/p.csv", replace=False)
    assert body.opened == 0
    assert s3.objects == {("b", f"out/p.{model}.csv"): b"old"}


def test_csv_uploads_one_table_per_model_present() -> None:
    s3 = FakeS3Hook()
    assert export(s3, Body(), "csv", "out/") == ["s3://b/out/face.csv", "s3://b/out/language.csv"]
    assert sorted(s3.objects) == [("b", "out/face.csv"), ("b", "out/language.csv")]


def test_jsonl_uploads_one_object_with_every_row() -> None:
    s3 = FakeS3Hook(("b", "rows.jsonl"))
    assert export(s3, Body(), "jsonl", "rows.jsonl") == "s3://b/rows.jsonl"
    rows = [json.loads(line) for line in s3.objects[("b", "rows.jsonl")].splitlines()]
    assert [row["model"] for row in rows] == ["face", "face", "language"]
    assert {row["job_id"] for row in rows} == {JOB}


def test_the_log_counts_rows_and_names_skipped_errors(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger=log.name):
        export(FakeS3Hook(), Body(), "csv", "out/")
    text = "\n".join(record.getMessage() for record in caplog.records if record.name == log.name)
    assert f"Flattening the predictions of Hume job {JOB} to csv" in text
    assert ": 3 rows" in text
    assert "Skipped 1 source/file errors, e.g. https://m.example/bad.mp3: Failed to download the URL" in text
    assert "Wrote s3://b/out/face.csv (2 rows)" in text
    assert "Wrote s3://b/out/language.csv (1 rows)" in text
