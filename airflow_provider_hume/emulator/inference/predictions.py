"""Job predictions (hume-api-v0.md §2.7): one element per source, in order: URLs, uploaded files, raw text.

Each item of a source becomes one ``results.predictions[]`` entry holding only the requested models that
apply to its media kind: text runs language and NER; audio runs prosody and burst, and also language and NER
on its pseudo-transcript (:mod:`transcript`) unless ``transcription`` is ``null``; video runs face on its
frames and the audio models on its sound track, if any; images run face; landmark JSON runs facemesh. An
item whose media cannot be processed, or for which no requested model applies, becomes a
``results.errors[]`` entry; a URL that could not be downloaded gets a source-level ``error`` and no
``results``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import lru_cache
from typing import Any, Final

from airflow_provider_hume.emulator.backend.jobs import Job
from airflow_provider_hume.emulator.backend.request import ModelConfigs, TranscriptionConfig
from airflow_provider_hume.emulator.inference import media_models, text_models
from airflow_provider_hume.emulator.inference.predictions_padding import padding_source
from airflow_provider_hume.emulator.inference.transcript import Transcript, transcribe
from airflow_provider_hume.emulator.media.sources import Item, Source

SOUND_MODELS: Final = ("prosody", "burst")
TRANSCRIPT_MODELS: Final = ("language", "ner")
MODELS_BY_KIND: Final[dict[str, tuple[str, ...]]] = {
    "text": TRANSCRIPT_MODELS,
    "audio": (*SOUND_MODELS, *TRANSCRIPT_MODELS),
    "video": ("face", *SOUND_MODELS, *TRANSCRIPT_MODELS),
    "image": ("face",),
    "facemesh": ("facemesh",),
}


def applicable_models(item: Item, models: ModelConfigs) -> tuple[str, ...]:
    """The requested models that can run on ``item``."""
    requested = models.requested()
    return tuple(
        name
        for name in MODELS_BY_KIND.get(item.media.kind, ())
        if name in requested and not _missing_input(item, name, models)
    )


def item_error(item: Item, models: ModelConfigs) -> str | None:
    """Why ``item`` yields an error instead of predictions, or ``None``."""
    if item.media.problem is not None:
        return item.media.problem
    if applicable_models(item, models):
        return None
    requested = sorted(models.requested())
    reasons = sorted({reason for name in requested if (reason := _missing_input(item, name, models))})
    qualifier = f" {' or '.join(reasons)}" if reasons else ""
    return (
        f"none of the requested models ({', '.join(requested)}) supports {item.media.kind} input{qualifier}"
    )


def _missing_input(item: Item, name: str, models: ModelConfigs) -> str | None:
    """What a speech model lacks on this audio or video item (``None``: nothing, or not a speech model)."""
    if item.media.kind not in ("audio", "video") or name not in (*SOUND_MODELS, *TRANSCRIPT_MODELS):
        return None
    if not item.media.has_audio:
        return "without an audio track"
    if name in TRANSCRIPT_MODELS and models.transcription is None:
        return "with transcription disabled"
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


def callback_body(job: Job) -> dict[str, Any]:
    """The JSON posted to the ``callback_url`` of an ended job (§2.9): its predictions, or why it failed."""
    if job.failure_message is not None:
        return {"job_id": job.job_id, "status": "FAILED", "message": job.failure_message}
    return {"job_id": job.job_id, "status": "COMPLETED", "predictions": job_predictions(job)}


def job_predictions_json(job: Job, *, pad_bytes: int = 0, seed: int = 0) -> Iterator[bytes]:
    """That body as compact JSON, one source at a time, so only one source's predictions are in memory.

    With ``pad_bytes`` a padding source of at least that size comes last (see ``predictions_padding``).
    """
    yield b"["
    for index, source in enumerate(job.sources):
        encoded = json.dumps(
            source_predictions(source, job.request.models), ensure_ascii=False, separators=(",", ":")
        )
        yield (b"," if index else b"") + encoded.encode("utf-8")
    if pad_bytes:
        if job.sources:
            yield b","
        yield from padding_source(pad_bytes, seed)
    yield b"]"


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
    if name == "burst" and models.burst:
        return media_models.burst(item)
    if name == "facemesh" and models.facemesh:
        return media_models.facemesh(item)
    if item.media.kind == "text":
        if name == "language" and models.language is not None:
            return text_models.language(item.digest, item.read_text(), models.language)
        if name == "ner" and models.ner is not None:
            return text_models.ner(item.digest, item.read_text(), models.ner)
    return _speech_prediction(item, name, models)


def _speech_prediction(item: Item, name: str, models: ModelConfigs) -> dict[str, Any]:
    """Prosody, language or NER of an audio or video item, on its transcript when transcription is on."""
    transcription = models.transcription
    transcript = (
        None if transcription is None else _transcript(item.digest, item.media.duration, transcription)
    )
    identify = transcription is not None and transcription.identify_speakers
    metadata = None if transcript is None else transcript.metadata()
    if name == "prosody" and models.prosody is not None:
        return media_models.prosody(item, models.prosody, transcript, identify_speakers=identify)
    if name == "language" and models.language is not None:
        spans = [] if transcript is None else transcript.segments(models.language.granularity)
        return text_models.language_predictions(
            item.digest, spans, models.language, identify_speakers=identify, metadata=metadata
        )
    if name == "ner" and models.ner is not None:
        found = (
            []
            if transcript is None
            else [transcript.span(*span) for span in text_models.entities(transcript.text)]
        )
        return text_models.ner_predictions(
            item.digest, found, models.ner, identify_speakers=identify, metadata=metadata
        )
    raise ValueError(f"model {name!r} was not requested")


@lru_cache(maxsize=32)
def _transcript(digest: str, duration: float | None, config: TranscriptionConfig) -> Transcript | None:
    """The pseudo-transcript, computed once for the prosody, language and NER of one item."""
    return transcribe(digest, duration or 0.0, config)
