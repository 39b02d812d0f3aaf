"""Flatten a predictions body (hume-api-v0.md §2.7) into one row per prediction object, incrementally.

The body is read as a stream of JSON events (``ijson``), and only the prediction being read is ever built:
a source with an hour of video frames costs as much memory as a source with one image. Source-level
``error`` strings and per-file ``results.errors`` produce no rows; they are counted in a :class:`ParseReport`.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import ijson  # type: ignore[import-untyped]

from airflow_provider_hume.client.tabular_schema import (
    MODEL_COLUMNS,
    SCALAR_FIELDS,
    SCORE_LISTS,
    ColumnKind,
)

#: How many error messages a report keeps verbatim (the count is always exact).
MAX_ERROR_SAMPLES = 10

_SCALAR_EVENTS = frozenset({"string", "number", "null", "boolean"})
_SCORE_NAMES = {f"{path}.item.name": path for path in SCORE_LISTS}
_SCORE_VALUES = {f"{path}.item.score": path for path in SCORE_LISTS}
_SCORE_ENDS = {f"{path}.item": column_prefix for path, column_prefix in SCORE_LISTS.items()}
_FILE_ENTRY = "item.results.predictions.item"
_MODELS = f"{_FILE_ENTRY}.models"
_FILE_ERROR = "item.results.errors.item"


class ByteStream(Protocol):
    """A binary stream: an HTTP body, an open file, or a wrapper around one."""

    def read(self, size: int = -1, /) -> bytes: ...


@dataclass(frozen=True)
class PredictionRow:
    """One prediction object with its context; ``values`` maps column names to the raw parsed values."""

    job_id: str
    source_type: str | None
    source: str | None
    file: str | None
    model: str
    group_id: str | None
    values: dict[str, Any]

    def record(self) -> dict[str, Any]:
        """Every column of the model's schema, in order, with values coerced to the column kind."""
        context = {
            "job_id": self.job_id,
            "source_type": self.source_type,
            "source": self.source,
            "file": self.file,
            "model": self.model,
            "group_id": self.group_id,
        }
        return {
            column.name: context[column.name]
            if column.name in context
            else coerce(self.values.get(column.name), column.kind)
            for column in MODEL_COLUMNS[self.model]
        }


@dataclass
class ParseReport:
    """What the flattening saw besides rows: errors, the models present, and models without a schema."""

    rows: int = 0
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    unknown_models: list[str] = field(default_factory=list)

    def add_error(self, where: str | None, message: str | None) -> None:
        self.errors += 1
        if len(self.error_samples) < MAX_ERROR_SAMPLES:
            self.error_samples.append(f"{where or '?'}: {message or 'unknown error'}")


def coerce(value: Any, kind: ColumnKind) -> Any:
    """``value`` as the column kind; ``None`` if missing or not convertible (numeric strings convert)."""
    if value is None or isinstance(value, bool):
        return None
    if kind == "string":
        return value if isinstance(value, str) else str(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(number):
        return None if kind == "int" else number
    return int(number) if kind == "int" else number


class _Slot:
    """A context value (source, file or group id) that may arrive after the predictions it labels."""

    __slots__ = ("resolved", "value")

    def __init__(self) -> None:
        self.value: Any = None
        self.resolved = False

    def resolve(self, value: Any = None) -> None:
        if not self.resolved:
            self.value, self.resolved = value, True


class _Context:
    """Tracks where in the body the parser is; answers which prefix starts a prediction object."""

    def __init__(self, report: ParseReport) -> None:
        self.report = report
        self.source = _Slot()
        self.source_fields: dict[str, Any] = {}
        self.file = _Slot()
        self.group = _Slot()
        self.model = ""
        self.group_prefix = ""
        self.prediction_prefix = ""
        self.error: dict[str, Any] = {}

    def event(self, prefix: str, event: str, value: Any) -> bool:
        """Update the context; ``True`` when a slot resolved, so held rows may be released."""
        if prefix == self.group_prefix:
            if event == "start_map":
                self.group = _Slot()
            elif event == "end_map":
                self.group.resolve()
                return True
        elif prefix == f"{self.group_prefix}.id" and event == "string":
            self.group.resolve(value)
            return True
        elif prefix == _MODELS and event == "map_key":
            self._enter_model(value)
        elif prefix == _FILE_ENTRY:
            if event == "start_map":
                self.file = _Slot()
            elif event == "end_map":
                self.file.resolve()
                return True
        elif prefix == f"{_FILE_ENTRY}.file" and event == "string":
            self.file.resolve(value)
            return True
        elif prefix.startswith(_FILE_ERROR):
            self._file_error(prefix, event, value)
        elif prefix.startswith("item.source.") and event in _SCALAR_EVENTS:
            self.source_fields[prefix[len("item.source.") :]] = value
        elif prefix == "item.source" and event == "end_map":
            self._resolve_source()
            return True
        elif prefix == "item.error" and event == "string":
            self.report.add_error(self._source_name(), value)
        elif prefix == "item":
            if event == "start_map":
                self.source, self.source_fields = _Slot(), {}
            elif event == "end_map":
                self._resolve_source()
                return True
        return False

    def _enter_model(self, model: str) -> None:
        if model not in self.report.models:
            self.report.models.append(model)
        if model not in MODEL_COLUMNS:
            if model not in self.report.unknown_models:
                self.report.unknown_models.append(model)
            self.group_prefix = self.prediction_prefix = ""
            return
        self.model = model
        self.group_prefix = f"{_MODELS}.{model}.grouped_predictions.item"
        self.prediction_prefix = f"{self.group_prefix}.predictions.item"

    def _file_error(self, prefix: str, event: str, value: Any) -> None:
        if prefix == _FILE_ERROR and event == "start_map":
            self.error = {}
        elif prefix == _FILE_ERROR and event == "end_map":
            self.report.add_error(self.error.get("file") or self._source_name(), self.error.get("message"))
        elif event in _SCALAR_EVENTS:
            self.error[prefix[len(_FILE_ERROR) + 1 :]] = value

    def _resolve_source(self) -> None:
        kind = self.source_fields.get("type")
        self.source.resolve((kind, self._source_name()))

    def _source_name(self) -> str | None:
        fields = self.source_fields
        name = fields.get("url") if fields.get("type") == "url" else fields.get("filename")
        return name if isinstance(name, str) else None


@dataclass
class _Held:
    values: dict[str, Any]
    model: str
    source: _Slot
    file: _Slot
    group: _Slot

    @property
    def ready(self) -> bool:
        return self.source.resolved and self.file.resolved and self.group.resolved


def iter_prediction_rows(
    stream: ByteStream, job_id: str, report: ParseReport | None = None
) -> Iterator[PredictionRow]:
    """Yield one :class:`PredictionRow` per prediction object of a predictions body, in body order.

    Rows are yielded as soon as their source, file and group are known (in Hume's key order, at once), so
    memory does not grow with the body. Predictions of models without a schema are skipped and listed in
    ``report.unknown_models``.
    """
    report = report if report is not None else ParseReport()
    context = _Context(report)
    held: deque[_Held] = deque()
    values: dict[str, Any] | None = None
    prediction_prefix, start = "", 0
    score_name: Any = None
    score_value: Any = None
    for prefix, event, value in ijson.parse(stream, use_float=True):
        if values is not None:
            if prefix == prediction_prefix and event == "end_map":
                held.append(_Held(values, context.model, context.source, context.file, context.group))
                values = None
            else:
                path = prefix[start:]
                if event in _SCALAR_EVENTS:
                    if path in SCALAR_FIELDS:
                        values[SCALAR_FIELDS[path]] = value
                    elif path in _SCORE_NAMES:
                        score_name = value
                    elif path in _SCORE_VALUES:
                        score_value = value
                elif event == "end_map" and path in _SCORE_ENDS:
                    if isinstance(score_name, str):
                        values[_SCORE_ENDS[path] + score_name] = score_value
                    score_name = score_value = None
                continue
        elif event == "start_map" and prefix and prefix == context.prediction_prefix:
            values, prediction_prefix, start = {}, prefix, len(prefix)
            continue
        elif not context.event(prefix, event, value):
            continue
        while held and held[0].ready:
            row = held.popleft()
            report.rows += 1
            yield _row(job_id, row)


def _row(job_id: str, held: _Held) -> PredictionRow:
    source_type, source = held.source.value or (None, None)
    return PredictionRow(
        job_id=job_id,
        source_type=source_type,
        source=source,
        file=held.file.value,
        model=held.model,
        group_id=held.group.value,
        values=held.values,
    )
