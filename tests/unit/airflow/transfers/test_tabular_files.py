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

from airflow_provider_hume.transfers.output_marks import OutputMark
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
    with pytest.raises(
        FileExistsError,
        match=rf"^s3://b/out/p.{model}.csv already exists and was not written by this transfer for the "
        rf"predictions of Hume job {JOB} \(csv\); set replace=True to overwrite it, or choose another s3_key",
    ):
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


CSV_TABLES = OutputMark(JOB, "predictions", "csv", ("face", "language"))


def test_every_object_is_marked_with_the_job_format_and_set_of_tables() -> None:
    s3 = FakeS3Hook()
    export(s3, Body(), "csv", "out/")
    assert s3.metadata == {
        ("b", "out/face.csv"): CSV_TABLES.metadata(),
        ("b", "out/language.csv"): CSV_TABLES.metadata(),
    }
    assert CSV_TABLES.metadata()["hume-tables"] == "face,language"
    export(s3, Body(), "jsonl", "rows.jsonl")
    assert s3.metadata[("b", "rows.jsonl")] == OutputMark(JOB, "predictions", "jsonl").metadata()


@pytest.mark.parametrize(
    ("output_format", "written", "expected"),
    [
        (
            "csv",
            {"out/face.csv": CSV_TABLES, "out/language.csv": CSV_TABLES},
            ["s3://b/out/face.csv", "s3://b/out/language.csv"],
        ),
        ("jsonl", {"out/": OutputMark(JOB, "predictions", "jsonl")}, "s3://b/out/"),
    ],
)
def test_a_whole_earlier_output_is_returned_without_reading_the_body(
    output_format: str,
    written: dict[str, OutputMark],
    expected: str | list[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    s3 = FakeS3Hook()
    for key, mark in written.items():
        s3.put("b", key, b"earlier try", mark.metadata())
    body = Body()
    with caplog.at_level(logging.INFO, logger=log.name):
        assert export(s3, body, output_format, "out/", replace=False) == expected
    assert (body.opened, s3.uploads) == (0, [])
    assert "already written by an earlier try: nothing to upload" in caplog.text


def test_a_partial_earlier_output_is_completed_keeping_what_is_there() -> None:
    s3 = FakeS3Hook()
    s3.put("b", "out/face.csv", b"earlier try", CSV_TABLES.metadata())
    body = Body()
    assert export(s3, body, "csv", "out/", replace=False) == [
        "s3://b/out/face.csv",
        "s3://b/out/language.csv",
    ]
    assert body.opened == 1
    assert s3.uploads == [("b", "out/language.csv")]
    assert s3.objects[("b", "out/face.csv")] == b"earlier try"
    assert s3.metadata[("b", "out/language.csv")] == CSV_TABLES.metadata()


def test_an_earlier_output_of_another_job_or_format_fails_before_reading() -> None:
    for mark in (
        OutputMark("job-8", "predictions", "csv", ("face",)),
        OutputMark(JOB, "predictions", "parquet"),
    ):
        s3 = FakeS3Hook()
        s3.put("b", "out/face.csv", b"other", mark.metadata())
        body = Body()
        with pytest.raises(FileExistsError, match=r"^s3://b/out/face.csv already exists"):
            export(s3, body, "csv", "out/", replace=False)
        assert (body.opened, s3.uploads) == (0, [])


def test_replace_uploads_every_table_again() -> None:
    s3 = FakeS3Hook()
    s3.put("b", "out/face.csv", b"earlier try", CSV_TABLES.metadata())
    export(s3, Body(), "csv", "out/", replace=True)
    assert s3.uploads == [("b", "out/face.csv"), ("b", "out/language.csv")]
    assert s3.objects[("b", "out/face.csv")].startswith(b"job_id,")
