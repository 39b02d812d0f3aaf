"""Flatten ``v1`` results into table rows, and write them as JSON Lines, CSV or Parquet (no Airflow here).

The input is one *file line*: what the measuring operators write per source file, a dict holding the wire
shapes of hume-api-v1.md §5 and §6 (``measurements`` with sparse score lists) plus ``source`` and the runs
that produced them (``chunks`` for audio, ``batches`` for images, each with its ``run_id``).

Layout (a choice, documented in ``docs/v1.md``): **one row per audio measurement, or one row per face per
frame**, with the score lists kept as lists. A column per score name cannot work: the vocabularies are open
("new names may appear", hume-api-v1.md §9), 415 + 190 audio names would make a table of nulls (lists hold
only the scores past their cutoff), and a new name would change the schema. So each score list is one column:
``list<struct<name: string, probability: double>>`` in Parquet (Spark, Trino, DuckDB and Athena unnest it),
a JSON array in CSV, a plain array in JSON Lines; the best score of each list is also a pair of plain columns
(``top_expression``, ``top_expression_probability``...) for the common query. The schema is fixed, so every
run of an operator appends to the same table.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol, TextIO

from airflow_provider_hume.client.errors import HumeValidationError

ColumnKind = Literal["string", "int", "float", "scores"]
RowsFormat = Literal["jsonl", "csv", "parquet"]
ROWS_FORMATS: tuple[str, ...] = ("jsonl", "csv", "parquet")
#: Rows buffered per Parquet row group: memory stays flat whatever the number of rows.
PARQUET_ROW_GROUP_ROWS = 10_000
PARQUET_EXTRA = "output_format='parquet' needs pyarrow: pip install 'airflow-provider-hume[parquet]'"


@dataclass(frozen=True)
class Column:
    """One output column: its name and value kind (``scores`` is a list of ``{name, probability}``)."""

    name: str
    kind: ColumnKind


def _top_columns(prefix: str) -> tuple[Column, Column]:
    return Column(f"top_{prefix}", "string"), Column(f"top_{prefix}_probability", "float")


AUDIO_COLUMNS: tuple[Column, ...] = (
    Column("source", "string"),
    Column("run_id", "string"),
    Column("measurement_id", "int"),
    Column("utterance_id", "int"),
    Column("audio_start_ms", "int"),
    Column("audio_end_ms", "int"),
    Column("trigger", "string"),
    *_top_columns("expression"),
    *_top_columns("voice_attribute"),
    Column("expressions", "scores"),
    Column("voice_attributes", "scores"),
)
"""One row per audio measurement (hume-api-v1.md §5), times on the source file's own timeline."""

IMAGE_COLUMNS: tuple[Column, ...] = (
    Column("source", "string"),
    Column("run_id", "string"),
    Column("frame_index", "int"),
    Column("timestamp_ms", "int"),
    Column("face_index", "int"),
    Column("face_id", "int"),
    Column("confidence", "float"),
    Column("bbox_x0", "float"),
    Column("bbox_y0", "float"),
    Column("bbox_x1", "float"),
    Column("bbox_y1", "float"),
    *_top_columns("expression"),
    *_top_columns("description"),
    Column("expressions", "scores"),
    Column("descriptions", "scores"),
)
"""One row per face per frame (hume-api-v1.md §6); ``face_id`` and the scores are null for faces listed but
not measured; ``timestamp_ms`` is null for still images. Frames without faces give no row."""


def check_rows_format(value: str) -> RowsFormat:
    """``value`` if it names a rows format, else an error listing them."""
    if value == "jsonl":
        return "jsonl"
    if value == "csv":
        return "csv"
    if value == "parquet":
        return "parquet"
    raise HumeValidationError(f"output_format must be one of {', '.join(ROWS_FORMATS)} (got {value!r})")


def rows_format_suffix(output_format: str) -> str:
    """The file suffix of a rows format: ``.jsonl``, ``.csv`` or ``.parquet``."""
    return f".{check_rows_format(output_format)}"


def _scores(value: Any) -> list[dict[str, Any]] | None:
    if not isinstance(value, list):
        return None
    return [{"name": str(item.get("name")), "probability": item.get("probability")} for item in value]


def _top(prefix: str, scores: list[dict[str, Any]] | None) -> dict[str, Any]:
    """The best score of a list (lists come sorted by descending probability, hume-api-v1.md §9)."""
    best = scores[0] if scores else {}
    return {f"top_{prefix}": best.get("name"), f"top_{prefix}_probability": best.get("probability")}


def _run_at(spans: Sequence[tuple[int, str | None]], position: int) -> str | None:
    """The run of the last span starting at or before ``position`` (spans sorted by start)."""
    found: str | None = spans[0][1] if spans else None
    for start, run_id in spans:
        if start > position:
            break
        found = run_id
    return found


def audio_rows(line: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """One row per measurement of an audio file line (none for a failed file).

    Each measurement's ``run_id`` is the run of the chunk (request) its start falls in.
    """
    spans = sorted(
        (int(chunk.get("offset_ms") or 0), chunk.get("run_id")) for chunk in line.get("chunks") or []
    )
    for item in line.get("measurements") or []:
        expressions = _scores(item.get("expressions"))
        voice = _scores(item.get("voice_attributes"))
        start = item.get("audio_start_ms")
        yield {
            "source": line.get("source"),
            "run_id": item.get("run_id") or _run_at(spans, int(start or 0)),
            "measurement_id": item.get("measurement_id"),
            "utterance_id": item.get("utterance_id"),
            "audio_start_ms": start,
            "audio_end_ms": item.get("audio_end_ms"),
            "trigger": item.get("trigger"),
            **_top("expression", expressions),
            **_top("voice_attribute", voice),
            "expressions": expressions,
            "voice_attributes": voice,
        }


def _bbox(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) and len(value) == 4 else [None] * 4


def image_rows(line: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """One row per face per frame of an image or video file line (none for a failed file)."""
    for frame in line.get("measurements") or []:
        for index, face in enumerate(frame.get("faces") or []):
            expressions = _scores(face.get("expressions"))
            descriptions = _scores(face.get("descriptions"))
            x0, y0, x1, y1 = _bbox(face.get("bbox"))
            yield {
                "source": line.get("source"),
                "run_id": frame.get("run_id"),
                "frame_index": frame.get("frame_index"),
                "timestamp_ms": frame.get("timestamp_ms"),
                "face_index": index,
                "face_id": face.get("face_id"),
                "confidence": face.get("confidence"),
                "bbox_x0": x0,
                "bbox_y0": y0,
                "bbox_x1": x1,
                "bbox_y1": y1,
                **_top("expression", expressions),
                **_top("description", descriptions),
                "expressions": expressions,
                "descriptions": descriptions,
            }


class RowsWriter(Protocol):
    """Writes rows of a fixed column list to a local file; ``close`` finishes the file."""

    rows: int

    def write(self, row: Mapping[str, Any]) -> None: ...

    def close(self) -> None: ...


class _JsonLinesWriter:
    def __init__(self, path: Path, columns: Sequence[Column]) -> None:
        self._file: TextIO = path.open("w", encoding="utf-8", newline="\n")
        self._names = [column.name for column in columns]
        self.rows = 0

    def write(self, row: Mapping[str, Any]) -> None:
        record = {name: row.get(name) for name in self._names}
        self._file.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.rows += 1

    def close(self) -> None:
        self._file.close()


class _CsvWriter:
    def __init__(self, path: Path, columns: Sequence[Column]) -> None:
        self._file: TextIO = path.open("w", encoding="utf-8", newline="")
        self._columns = tuple(columns)
        self._csv = csv.writer(self._file)
        self._csv.writerow([column.name for column in columns])
        self.rows = 0

    def write(self, row: Mapping[str, Any]) -> None:
        self._csv.writerow([_csv_value(row.get(column.name), column.kind) for column in self._columns])
        self.rows += 1

    def close(self) -> None:
        self._file.close()


def _csv_value(value: Any, kind: ColumnKind) -> Any:
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False) if kind == "scores" else value


def pyarrow_modules() -> tuple[Any, Any]:
    """``pyarrow`` and ``pyarrow.parquet``, or an ``ImportError`` naming the extra to install."""
    try:
        import pyarrow  # type: ignore[import-untyped]
        import pyarrow.parquet  # type: ignore[import-untyped]
    except ImportError as err:
        raise ImportError(PARQUET_EXTRA) from err
    return pyarrow, pyarrow.parquet


def arrow_schema(columns: Sequence[Column]) -> Any:
    """The ``pyarrow.Schema`` of a column list (``scores``: ``list<struct<name, probability>>``)."""
    pa, _ = pyarrow_modules()
    score = pa.struct([pa.field("name", pa.string()), pa.field("probability", pa.float64())])
    types = {"string": pa.string(), "int": pa.int64(), "float": pa.float64(), "scores": pa.list_(score)}
    return pa.schema([pa.field(column.name, types[column.kind]) for column in columns])


class _ParquetWriter:
    def __init__(self, path: Path, columns: Sequence[Column]) -> None:
        pa, pq = pyarrow_modules()
        self._from_pydict = pa.Table.from_pydict
        self._schema = arrow_schema(columns)
        self._names = [column.name for column in columns]
        self._writer = pq.ParquetWriter(str(path), self._schema)
        self._buffer: dict[str, list[Any]] = {name: [] for name in self._names}
        self.rows = 0

    def write(self, row: Mapping[str, Any]) -> None:
        for name in self._names:
            self._buffer[name].append(row.get(name))
        self.rows += 1
        if self.rows % PARQUET_ROW_GROUP_ROWS == 0:
            self._flush()

    def _flush(self) -> None:
        self._writer.write_table(self._from_pydict(self._buffer, schema=self._schema))
        self._buffer = {name: [] for name in self._names}

    def close(self) -> None:
        if self._buffer[self._names[0]] or self.rows == 0:
            self._flush()
        self._writer.close()


def open_rows_writer(path: Path, output_format: str, columns: Sequence[Column]) -> RowsWriter:
    """A writer of ``columns`` rows to ``path`` in ``output_format`` (``jsonl``, ``csv`` or ``parquet``)."""
    kind = check_rows_format(output_format)
    if kind == "parquet":
        return _ParquetWriter(path, columns)
    if kind == "csv":
        return _CsvWriter(path, columns)
    return _JsonLinesWriter(path, columns)


def write_rows(
    lines: Iterable[Mapping[str, Any]], path: Path, output_format: str, *, media: Literal["audio", "image"]
) -> int:
    """Flatten file ``lines`` into a rows file at ``path``; return the row count."""
    columns, flatten = (AUDIO_COLUMNS, audio_rows) if media == "audio" else (IMAGE_COLUMNS, image_rows)
    writer = open_rows_writer(path, output_format, columns)
    try:
        for line in lines:
            for row in flatten(line):
                writer.write(row)
    finally:
        writer.close()
    return writer.rows
