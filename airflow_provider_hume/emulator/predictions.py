"""Job predictions (hume-api.md §2.7): one element per source, in order: URLs, uploaded files, raw text.

Each item of a source becomes one ``results.predictions[]`` entry holding only the requested models that
apply to its media kind (text: language, ner; audio: prosody, burst; image: face; landmark JSON: facemesh).
An item whose media cannot be processed, or for which no requested model applies, becomes a
``results.errors[]`` entry; a URL that could not be downloaded gets a source-level ``error`` and no
``results``.
"""

from __future__ import annotations

from typing import Any, Final

from airflow_provider_hume.emulator import media_models, text_models
from airflow_provider_hume.emulator.request import ModelConfigs
from airflow_provider_hume.emulator.sources import Item, Source
from airflow_provider_hume.emulator.state import Job

MODELS_BY_KIND: Final[dict[str, tuple[str, ...]]] = {
    "text": ("language", "ner"),
    "audio": ("prosody", "burst"),
    "image": ("face",),
    "facemesh": ("facemesh",),
}


def applicable_models(item: Item, models: ModelConfigs) -> tuple[str, ...]:
    """The requested models that can run on ``item``."""
    requested = models.requested()
    return tuple(name for name in MODELS_BY_KIND.get(item.media.kind, ()) if name in requested)


def item_error(item: Item, models: ModelConfigs) -> str | None:
    """Why ``item`` yields an error instead of predictions, or ``None``."""
    if item.media.problem is not None:
        return item.media.problem
    if not applicable_models(item, models):
        names = ", ".join(sorted(models.requested()))
        return f"none of the requested models ({names}) supports {item.media.kind} input"
    return None


def counts(job: Job) -> tuple[int, int]:
    """``(num_predictions, num_errors)``: prediction entries; error entries plus source-level errors (§8)."""
    predictions = errors = 0
    for source in job.sources:
        if source.error is not None:
            errors += 1
        for item in source.items:
            if item_error(item, job.request.models) is None:
                predictions += 1
            else:
                errors += 1
    return predictions, errors


def job_predictions(job: Job) -> list[dict[str, Any]]:
    """The body of ``GET /v0/batch/jobs/{id}/predictions``."""
    return [source_predictions(source, job.request.models) for source in job.sources]


def source_predictions(source: Source, models: ModelConfigs) -> dict[str, Any]:
    """One ``InferenceSourcePredictResult``."""
    if source.error is not None:
        return {"source": source.descriptor, "error": source.error}
    predictions = []
    errors = []
    for item in source.items:
        problem = item_error(item, models)
        if problem is None:
            predictions.append({"file": item.file, "models": item_models(item, models)})
        else:
            errors.append({"message": problem, "file": item.file})
    return {"source": source.descriptor, "results": {"predictions": predictions, "errors": errors}}


def item_models(item: Item, models: ModelConfigs) -> dict[str, Any]:
    """``ModelsPredictions`` of one item: only requested, applicable models appear."""
    return {name: model_prediction(item, name, models) for name in applicable_models(item, models)}


def model_prediction(item: Item, name: str, models: ModelConfigs) -> dict[str, Any]:
    """``{"metadata", "grouped_predictions"}`` of model ``name`` (which must be requested) for ``item``."""
    if name == "face" and models.face is not None:
        return media_models.face(item, models.face)
    if name == "prosody" and models.prosody is not None:
        return media_models.prosody(item, models.prosody)
    if name == "burst" and models.burst:
        return media_models.burst(item)
    if name == "facemesh" and models.facemesh:
        return media_models.facemesh(item)
    if name == "language" and models.language is not None:
        return text_models.language(item.digest, item.read_text(), models.language)
    if name == "ner" and models.ner is not None:
        return text_models.ner(item.digest, item.read_text(), models.ner)
    raise ValueError(f"model {name!r} was not requested")
