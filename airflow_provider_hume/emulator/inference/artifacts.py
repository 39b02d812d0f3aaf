"""The artifacts ZIP of a completed job (hume-api-v0.md §8), generated while it is sent.

Entries are ``<source>/<model>.csv``, one per model that produced predictions for that source, where
``<source>`` is the upload's filename, the URL's last path segment or ``text`` (made unique with ``_2``,
``_3``... when two sources share a name). With ``face.save_faces`` the face crops follow as
``<source>/faces/<frame>_<n>.png``. The ZIP is written to a non-seekable sink that the generator drains,
so memory holds one chunk at a time. With ``pad_bytes`` a stored ``padding.bin`` of exactly that size comes
last (see ``padding``).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any, Final

from PIL import Image

from airflow_provider_hume.emulator.backend.jobs import Job
from airflow_provider_hume.emulator.backend.request import ModelConfigs
from airflow_provider_hume.emulator.inference import media_models
from airflow_provider_hume.emulator.inference.names import (
    BURST_DESCRIPTIONS,
    EXPRESSIONS_48,
    EXPRESSIONS_53,
    FACE_DESCRIPTIONS,
    FACS,
    SENTIMENT,
    TOXICITY,
)
from airflow_provider_hume.emulator.inference.padding import write_padding
from airflow_provider_hume.emulator.inference.predictions import (
    applicable_models,
    item_error,
    model_prediction,
)
from airflow_provider_hume.emulator.media.sources import Source

FLUSH_BYTES: Final = 64 * 1024
MODEL_ORDER: Final = ("face", "prosody", "burst", "language", "ner", "facemesh")


class _Sink:
    """A write-only, non-seekable byte buffer that the generator empties as it goes."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def write(self, data: bytes) -> int:
        self._buffer += data
        return len(data)

    def flush(self) -> None:
        """Nothing to flush: bytes wait in the buffer until taken."""

    def close(self) -> None:
        """Nothing to release."""

    def __len__(self) -> int:
        return len(self._buffer)

    def take(self) -> bytes:
        data = bytes(self._buffer)
        self._buffer.clear()
        return data


def stream_artifacts(job: Job, *, pad_bytes: int = 0, seed: int = 0) -> Iterator[bytes]:
    """Yield the ZIP of ``job`` chunk by chunk, with ``pad_bytes`` of padding derived from ``seed``."""
    sink = _Sink()
    models = job.request.models
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, source in _named_sources(job.sources):
            for model in MODEL_ORDER:
                rows = _rows(source, model, models)
                first = next(rows, None)
                if first is None:
                    continue
                with (
                    archive.open(f"{name}/{model}.csv", "w") as entry,
                    io.TextIOWrapper(entry, encoding="utf-8", newline="") as text,
                ):
                    writer = csv.writer(text)
                    writer.writerow(header(model, models))
                    writer.writerow(first)
                    for row in rows:
                        writer.writerow(row)
                        if len(sink) >= FLUSH_BYTES:
                            text.flush()
                            yield sink.take()
                yield sink.take()
            if models.face is not None and models.face.save_faces:
                for path, crop in _face_crops(source, models):
                    with archive.open(f"{name}/faces/{path}", "w") as entry:
                        crop.save(entry, format="PNG")
                    yield sink.take()
        if pad_bytes:
            yield from write_padding(archive, sink.take, pad_bytes, seed)
    yield sink.take()


def header(model: str, models: ModelConfigs) -> list[str]:
    """CSV column names of ``model`` under the job's config."""
    if model == "face":
        face = models.face
        facs = FACS if face and face.facs else ()
        extra = [*facs, *(FACE_DESCRIPTIONS if face and face.descriptions else ())]
        return ["file", "id", "frame", "time", "prob", "x", "y", "w", "h", *EXPRESSIONS_48, *extra]
    if model == "prosody":
        return ["file", "id", "begin", "end", *EXPRESSIONS_48]
    if model == "burst":
        return ["file", "id", "begin", "end", *EXPRESSIONS_48, *BURST_DESCRIPTIONS]
    if model == "language":
        language = models.language
        sentiment = [f"sentiment_{name}" for name in SENTIMENT] if language and language.sentiment else []
        toxicity = list(TOXICITY) if language and language.toxicity else []
        return ["file", "id", "text", "begin", "end", *EXPRESSIONS_53, *sentiment, *toxicity]
    if model == "ner":
        return ["file", "id", "entity", "begin", "end", "entity_confidence", "support", "uri", "link_word",
                *EXPRESSIONS_53]  # fmt: skip
    return ["file", "id", "face", *EXPRESSIONS_48]


def _rows(source: Source, model: str, models: ModelConfigs) -> Iterator[list[Any]]:
    for item in source.items:
        if item_error(item, models) is not None or model not in applicable_models(item, models):
            continue
        predicted = model_prediction(item, model, models)
        for group in predicted["grouped_predictions"]:
            for index, prediction in enumerate(group["predictions"]):
                yield [item.file, group["id"], *_leading(model, prediction, index), *_scores(prediction)]


def _leading(model: str, prediction: dict[str, Any], index: int) -> list[Any]:
    if model == "face":
        box = prediction["box"]
        return [prediction[key] for key in ("frame", "time", "prob")] + [box[key] for key in "xywh"]
    if model in ("prosody", "burst"):
        return [prediction["time"]["begin"], prediction["time"]["end"]]
    span = prediction.get("position") or {}
    position = [span.get("begin"), span.get("end")]
    if model == "language":
        return [prediction["text"], *position]
    if model == "ner":
        keys = ("entity_confidence", "support", "uri", "link_word")
        return [prediction["entity"], *position, *(prediction[key] for key in keys)]
    return [index]


def _scores(prediction: dict[str, Any]) -> list[float]:
    lists = ("emotions", "facs", "descriptions", "sentiment", "toxicity")
    return [score["score"] for key in lists for score in prediction.get(key) or ()]


def _face_crops(source: Source, models: ModelConfigs) -> Iterator[tuple[str, Image.Image]]:
    counter = 0
    for item in source.items:
        if item.kept_path is None or models.face is None or item_error(item, models) is not None:
            continue
        with Image.open(item.kept_path) as image:
            for _, face in media_models.detected_faces(item, models.face):
                box = face["box"]
                left, top = round(box["x"]), round(box["y"])
                crop = image.crop((left, top, left + round(box["w"]), top + round(box["h"])))
                yield f"{face['frame']}_{counter}.png", crop
                counter += 1


def _named_sources(sources: tuple[Source, ...]) -> Iterator[tuple[str, Source]]:
    used: set[str] = set()
    for source in sources:
        base = PurePosixPath(source.name.replace("\\", "/")).name
        base = base if base not in ("", ".", "..") else "file"
        name, number = base, 1
        while name in used:
            number += 1
            stem, suffix = PurePosixPath(base).stem, PurePosixPath(base).suffix
            name = f"{stem}_{number}{suffix}"
        used.add(name)
        yield name, source
