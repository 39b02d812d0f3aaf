"""Putting the replies to one input's payloads back together as one result for the whole input.

Hume reports character positions relative to each text payload, and audio times relative to the start of
the sliding window, which may begin with ``context`` seconds of the previous payloads (hume-api-v0.md §4.8).
:class:`StitchedResult` shifts both back to the input's own timeline, drops predictions centred in the
context, which the earlier payload already reported, and makes those it keeps begin no earlier than the
payload's own audio, so that the stitched spans never overlap. Predictions are spooled to a
temporary file per model once they outgrow memory, so stitching an hour of audio keeps memory flat, and
:func:`write_result_line` copies them out as one JSON Lines record.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Mapping
from typing import IO, Any

from airflow_provider_hume.client.stream_messages import StreamResult, StreamWarning

SPOOL_IN_MEMORY_BYTES = 1024 * 1024
"""Predictions of one model kept in memory before they spill to a temporary file."""
_DIGITS = 6


def _shift(value: Any, offset: float) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    return round(value + offset, _DIGITS)


def shift_prediction(
    prediction: Mapping[str, Any], *, seconds: float = 0.0, chars: int = 0
) -> dict[str, Any]:
    """A copy of ``prediction`` with ``time`` (``{begin, end}`` or a number) and ``position`` moved."""
    shifted = dict(prediction)
    time = prediction.get("time")
    if seconds and isinstance(time, Mapping):
        shifted["time"] = {key: _shift(value, seconds) for key, value in time.items()}
    elif seconds and time is not None:
        shifted["time"] = _shift(time, seconds)
    position = prediction.get("position")
    if chars and isinstance(position, Mapping):
        shifted["position"] = {key: _shift(value, chars) for key, value in position.items()}
    return shifted


def _clip_begin(prediction: Mapping[str, Any], earliest: float) -> Mapping[str, Any]:
    """``prediction`` with its ``time.begin`` raised to ``earliest`` when it starts before that."""
    time = prediction.get("time")
    if isinstance(time, Mapping) and isinstance(time.get("begin"), (int, float)) and time["begin"] < earliest:
        return {**prediction, "time": {**time, "begin": earliest}}
    return prediction


def _midpoint(prediction: Mapping[str, Any]) -> float:
    """The middle of a prediction's time span (infinity when it has none, so it is always kept)."""
    time = prediction.get("time")
    if isinstance(time, Mapping):
        begin, end = time.get("begin"), time.get("end")
        if isinstance(begin, (int, float)) and isinstance(end, (int, float)):
            return (begin + end) / 2
    return float("inf")


class _Spool:
    """A JSON array's items written one by one, in memory until large, then on disk."""

    def __init__(self) -> None:
        self.file = tempfile.SpooledTemporaryFile(  # noqa: SIM115 - closed by StitchedResult.close
            max_size=SPOOL_IN_MEMORY_BYTES, mode="w+", encoding="utf-8"
        )
        self.count = 0

    def append(self, item: Any) -> None:
        if self.count:
            self.file.write(",")
        self.file.write(json.dumps(item, separators=(",", ":")))
        self.count += 1

    def copy_to(self, out: IO[str]) -> None:
        self.file.seek(0)
        out.write("[")
        shutil.copyfileobj(self.file, out)
        out.write("]")
        self.file.seek(0, 2)


class StitchedResult:
    """Every prediction and warning of one input, in input coordinates; close it (or ``with``) when done."""

    def __init__(self) -> None:
        self._spools: dict[str, _Spool] = {}
        self._warnings: dict[StreamWarning, int] = {}
        self.payloads = 0

    def __enter__(self) -> StitchedResult:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def add(
        self, result: StreamResult, *, seconds: float = 0.0, chars: int = 0, context: float = 0.0
    ) -> None:
        """Add one payload's reply; the payload started ``seconds`` or ``chars`` into the input.

        ``context`` is how many seconds of earlier audio the window put before the payload's own audio.
        """
        self.payloads += 1
        for model, predictions in result.predictions.items():
            spool = self._spools.setdefault(model, _Spool())
            for prediction in predictions:
                if context and _midpoint(prediction) < context:
                    continue
                kept = _clip_begin(prediction, context) if context else prediction
                spool.append(shift_prediction(kept, seconds=seconds - context, chars=chars))
        for warning in result.warnings:
            self._warnings[warning] = self._warnings.get(warning, 0) + 1

    @property
    def warnings(self) -> list[dict[str, Any]]:
        """Distinct warnings, each with how many payloads got it."""
        return [{**warning.to_dict(), "count": count} for warning, count in self._warnings.items()]

    def write_predictions(self, out: IO[str]) -> None:
        """Write ``{"<model>": {"predictions": [...]}, ...}`` to ``out`` without loading the predictions."""
        out.write("{")
        for number, (model, spool) in enumerate(self._spools.items()):
            out.write(f'{"," if number else ""}{json.dumps(model)}:{{"predictions":')
            spool.copy_to(out)
            out.write("}")
        out.write("}")

    def predictions(self) -> dict[str, Any]:
        """The predictions as one dict (in memory: for small results and tests)."""
        with tempfile.TemporaryFile("w+", encoding="utf-8") as buffer:
            self.write_predictions(buffer)
            buffer.seek(0)
            data: dict[str, Any] = json.load(buffer)
        return data

    def close(self) -> None:
        """Delete the spooled predictions."""
        for spool in self._spools.values():
            spool.file.close()
        self._spools.clear()


def write_result_line(
    out: IO[str],
    *,
    index: int,
    input_id: str,
    result: StitchedResult | None = None,
    error: BaseException | None = None,
) -> None:
    """One JSON Lines record: ``index``, ``id`` and either ``predictions`` and ``warnings``, or ``error``."""
    out.write(f'{{"index":{index},"id":{json.dumps(input_id)},"predictions":')
    if result is not None:
        result.write_predictions(out)
        out.write(f',"warnings":{json.dumps(result.warnings)},"error":null}}\n')
        return
    detail = {"type": type(error).__name__, "code": getattr(error, "code", None), "message": str(error)}
    out.write(f'null,"warnings":[],"error":{json.dumps(detail)}}}\n')
