"""Write flattened predictions to local JSON Lines, CSV or Parquet files, row by row, then upload them.

No Airflow import here: the operator passes in its destination (S3 or any fsspec store), body opener and
logger. Rows go straight from the parser into the files (Parquet in row groups of
:data:`PARQUET_ROW_GROUP_ROWS`), so memory stays bounded whatever the size of the predictions; the files are
uploaded only once the whole body has been read.
"""

from __future__ import annotations

import csv
import json
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal, Protocol, TextIO, cast

from airflow_provider_hume.client import (
    MODEL_COLUMNS,
    TABLE_MODELS,
    ByteStream,
    ParseReport,
    PredictionRow,
    iter_prediction_rows,
)
from airflow_provider_hume.client.v1 import rows as v1_rows
from airflow_provider_hume.transfers.destinations import Destination, S3Destination
from airflow_provider_hume.transfers.output_marks import OutputMark
from airflow_provider_hume.transfers.progress import InfoLogger, ProgressReader

OutputFormat = Literal["json", "jsonl", "csv", "parquet"]
OUTPUT_FORMATS: tuple[str, ...] = ("json", "jsonl", "csv", "parquet")
#: Formats written as one object per model.
PER_MODEL_FORMATS: tuple[str, ...] = ("csv", "parquet")
PARQUET_ROW_GROUP_ROWS = 10_000


def check_output_format(value: str) -> OutputFormat:
    """``value`` if it names a supported output format, else a ``ValueError`` listing them."""
    if value not in OUTPUT_FORMATS:
        raise ValueError(f"output_format must be one of {', '.join(OUTPUT_FORMATS)} (got {value!r})")
    return cast(OutputFormat, value)


def table_key(s3_key: str, model: str, output_format: str) -> str:
    """One model's key: ``p.csv`` and ``p`` give ``p.face.csv``; ``d/`` gives ``d/face.csv``."""
    suffix = f".{output_format}"
    if s3_key.endswith("/"):
        return f"{s3_key}{model}{suffix}"
    base = s3_key[: -len(suffix)] if s3_key.endswith(suffix) else s3_key
    return f"{base}.{model}{suffix}"


def _pyarrow() -> tuple[Any, Any]:
    try:
        import pyarrow  # type: ignore[import-untyped]
        import pyarrow.parquet  # type: ignore[import-untyped]
    except ImportError as err:
        raise ImportError(v1_rows.PARQUET_EXTRA) from err
    return pyarrow, pyarrow.parquet


def arrow_schema(model: str) -> Any:
    """The fixed ``pyarrow.Schema`` of one model's Parquet table."""
    pa, _ = _pyarrow()
    types = {"string": pa.string(), "int": pa.int64(), "float": pa.float64()}
    return pa.schema([pa.field(column.name, types[column.kind]) for column in MODEL_COLUMNS[model]])


class _Writer(Protocol):
    def write(self, record: dict[str, Any]) -> None: ...

    def close(self) -> None: ...


class _JsonLinesWriter:
    def __init__(self, path: Path) -> None:
        self._file: TextIO = path.open("w", encoding="utf-8", newline="\n")

    def write(self, record: dict[str, Any]) -> None:
        self._file.write(json.dumps(record, ensure_ascii=False) + "\n")

    def close(self) -> None:
        self._file.close()


class _CsvWriter:
    def __init__(self, path: Path, model: str) -> None:
        self._file: TextIO = path.open("w", encoding="utf-8", newline="")
        self._csv = csv.writer(self._file)
        self._csv.writerow([column.name for column in MODEL_COLUMNS[model]])

    def write(self, record: dict[str, Any]) -> None:
        self._csv.writerow(record.values())

    def close(self) -> None:
        self._file.close()


class _ParquetWriter:
    def __init__(self, path: Path, model: str) -> None:
        pa, pq = _pyarrow()
        self._table = pa.Table.from_pydict
        self._schema = arrow_schema(model)
        self._names = [column.name for column in MODEL_COLUMNS[model]]
        self._writer = pq.ParquetWriter(str(path), self._schema)
        self._columns: list[list[Any]] = [[] for _ in self._names]

    def write(self, record: dict[str, Any]) -> None:
        for column, value in zip(self._columns, record.values(), strict=True):
            column.append(value)
        if len(self._columns[0]) >= PARQUET_ROW_GROUP_ROWS:
            self._flush()

    def _flush(self) -> None:
        self._writer.write_table(
            self._table(dict(zip(self._names, self._columns, strict=True)), schema=self._schema)
        )
        self._columns = [[] for _ in self._names]

    def close(self) -> None:
        if self._columns[0]:
            self._flush()
        self._writer.close()


_WRITERS: dict[str, Callable[[Path, str], _Writer]] = {"csv": _CsvWriter, "parquet": _ParquetWriter}


@dataclass(frozen=True)
class TableFile:
    """One written file: its model (``None`` for JSON Lines, which holds every model) and row count."""

    model: str | None
    path: Path
    rows: int


def write_prediction_tables(
    stream: ByteStream, *, job_id: str, output_format: str, directory: Path
) -> tuple[list[TableFile], ParseReport]:
    """Flatten the predictions ``stream`` into files under ``directory``.

    ``jsonl`` gives one file with every row; ``csv`` and ``parquet`` give one file per model present in the
    body (even one without predictions, so a requested model always has a table), in :data:`TABLE_MODELS`
    order.
    """
    if output_format == "parquet":
        _pyarrow()
    report = ParseReport()
    rows = iter_prediction_rows(stream, job_id, report)
    if output_format == "jsonl":
        return [_write_jsonl(rows, directory / "predictions.jsonl", report)], report
    writers: dict[str, _Writer] = {}
    counts: dict[str, int] = {}
    make = _WRITERS[output_format]
    try:
        for row in rows:
            writer = writers.get(row.model)
            if writer is None:
                writer = writers[row.model] = make(directory / f"{row.model}.{output_format}", row.model)
            writer.write(row.record())
            counts[row.model] = counts.get(row.model, 0) + 1
        for model in report.models:
            if model in MODEL_COLUMNS and model not in writers:
                writers[model] = make(directory / f"{model}.{output_format}", model)
    finally:
        for writer in writers.values():
            writer.close()
    files = [
        TableFile(model, directory / f"{model}.{output_format}", counts.get(model, 0))
        for model in TABLE_MODELS
        if model in writers
    ]
    return files, report


def _write_jsonl(rows: Iterator[PredictionRow], path: Path, report: ParseReport) -> TableFile:
    writer = _JsonLinesWriter(path)
    try:
        for row in rows:
            writer.write(row.record())
    finally:
        writer.close()
    return TableFile(None, path, report.rows)


def export_prediction_tables(
    *,
    open_body: Callable[[], AbstractContextManager[BinaryIO]],
    s3: Any,
    job_id: str,
    output_format: str,
    bucket: str,
    s3_key: str,
    replace: bool,
    log: InfoLogger,
) -> str | list[str]:
    """:func:`export_tables` to ``s3://bucket/s3_key`` with ``s3`` (an ``S3Hook``)."""
    return export_tables(
        open_body=open_body,
        destination=S3Destination(s3, bucket, s3_key),
        job_id=job_id,
        output_format=output_format,
        replace=replace,
        log=log,
    )


def export_tables(
    *,
    open_body: Callable[[], AbstractContextManager[BinaryIO]],
    destination: Destination,
    job_id: str,
    output_format: str,
    replace: bool,
    log: InfoLogger,
) -> str | list[str]:
    """Flatten a job's predictions and write them to ``destination``, each object marked (see
    :mod:`~airflow_provider_hume.transfers.output_marks`).

    Returns the URI of the JSON Lines object, or the list of per-model URIs for CSV and Parquet (their
    locations derived from ``destination.location`` by :func:`table_key`). Without ``replace``, an object at
    a possible location fails the task before the body is read, unless an earlier try wrote it for this job
    and format: a whole earlier output is returned as it is, and the objects of a partial one are kept while
    the missing ones are written.
    """
    per_model = output_format in PER_MODEL_FORMATS
    base = destination.location
    keys = {m: table_key(base, m, output_format) for m in TABLE_MODELS} if per_model else {"": base}
    mark = OutputMark(job_id, "predictions", output_format)
    kept: dict[str, OutputMark] = {}
    if not replace:
        for model, key in keys.items():
            found = destination.earlier_output(key, mark)
            if found is not None:
                kept[model] = found
        done = _earlier_whole_output(kept, per_model)
        if done is not None:
            uris = [destination.uri(keys[model]) for model in done]
            log.info("%s already written by an earlier try: nothing to upload.", ", ".join(uris))
            return uris if per_model else uris[0]
    log.info("Flattening the predictions of Hume job %s to %s", job_id, output_format)
    with tempfile.TemporaryDirectory(prefix="hume-predictions-") as tmp:
        with open_body() as body:
            reader = ProgressReader(body, label=f"predictions of job {job_id}", log=log)
            files, report = write_prediction_tables(
                reader, job_id=job_id, output_format=output_format, directory=Path(tmp)
            )
        log.info("Read %s: %d rows", reader.describe(), report.rows)
        if report.errors:
            log.info("Skipped %d source/file errors, e.g. %s", report.errors, "; ".join(report.error_samples))
        if report.unknown_models:
            log.info("Skipped models without a table schema: %s", ", ".join(report.unknown_models))
        tables = tuple(table.model for table in files if table.model is not None)
        written = OutputMark(job_id, "predictions", output_format, tables)
        uris = []
        for table in files:
            model = table.model or ""
            uris.append(destination.uri(keys[model]))
            if model in kept:
                log.info("Kept %s, written by an earlier try", uris[-1])
                continue
            destination.write_file(table.path, keys[model], written)
            log.info("Wrote %s (%d rows)", uris[-1], table.rows)
    return uris if per_model else uris[0]


def _earlier_whole_output(kept: dict[str, OutputMark], per_model: bool) -> list[str] | None:
    """The models (``[""]`` for JSON Lines) of an earlier try's whole output among ``kept``, else ``None``.

    Per-model tables are whole when every table their mark lists is there with that same list.
    """
    if not per_model:
        return [""] if kept else None
    listed = {mark.tables for mark in kept.values()}
    if len(listed) != 1:
        return None
    (tables,) = listed
    if not tables or any(model not in kept for model in tables):
        return None
    return [model for model in TABLE_MODELS if model in tables]
