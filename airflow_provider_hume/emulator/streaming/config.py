"""The ``models`` object of a streaming payload (hume-api-v0.md §4.3), validated into settings.

Face and language take options; prosody, burst and facemesh accept only ``{}``; ``ner`` is batch-only.
The spec's streaming defaults of ``3`` for ``prob_threshold`` and ``min_face_size`` are a documentation bug,
so the batch defaults (0.99 and 60 px) apply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final, Literal

from airflow_provider_hume.emulator.streaming.fields import (
    an_object,
    boolean,
    choice,
    empty_flag,
    number,
    reject_extra,
)
from airflow_provider_hume.emulator.streaming.messages import invalid

ModelName = Literal["face", "language", "prosody", "burst", "facemesh"]
MODEL_NAMES: Final[tuple[ModelName, ...]] = ("face", "language", "prosody", "burst", "facemesh")
GRANULARITIES: Final = ("word", "sentence", "utterance", "passage")
_FACE_OPTIONS: Final = (
    "facs",
    "descriptions",
    "identify_faces",
    "fps_pred",
    "prob_threshold",
    "min_face_size",
)
_LANGUAGE_OPTIONS: Final = ("sentiment", "toxicity", "granularity")


@dataclass(frozen=True)
class FaceSettings:
    """``models.face``."""

    facs: bool = False
    descriptions: bool = False
    identify_faces: bool = False
    fps_pred: float = 3.0
    prob_threshold: float = 0.99
    min_face_size: float = 60.0


@dataclass(frozen=True)
class LanguageSettings:
    """``models.language``."""

    sentiment: bool = False
    toxicity: bool = False
    granularity: str = "word"


@dataclass(frozen=True)
class StreamModels:
    """The requested models in request order, with the settings of those that take any."""

    names: tuple[ModelName, ...]
    face: FaceSettings = field(default_factory=FaceSettings)
    language: LanguageSettings = field(default_factory=LanguageSettings)


def parse_models(value: Any) -> StreamModels | None:
    """Validate ``models``; ``None`` when absent. A model whose config is ``null`` is not requested."""
    configs = an_object(value, "models")
    if configs is None:
        return None
    if "ner" in configs:
        raise invalid("models.ner", "The ner model is not available in streaming")
    reject_extra(configs, MODEL_NAMES, "models")
    requested = (name for name in MODEL_NAMES if configs.get(name) is not None)
    ordered = tuple(sorted(requested, key=list(configs).index))
    if not ordered:
        raise invalid("models", "At least one model must be configured")
    face = FaceSettings()
    language = LanguageSettings()
    for name in ordered:
        location = f"models.{name}"
        options = an_object(configs[name], location) or {}
        if name == "face":
            face = _face(options, location)
        elif name == "language":
            language = _language(options, location)
        elif options:
            raise invalid(
                f"{location}.{next(iter(options))}",
                "Model configuration is not available in streaming; pass an empty object {}",
            )
    return StreamModels(ordered, face, language)


def _face(options: dict[str, Any], location: str) -> FaceSettings:
    reject_extra(options, _FACE_OPTIONS, location)
    return FaceSettings(
        facs=empty_flag(options.get("facs"), f"{location}.facs"),
        descriptions=empty_flag(options.get("descriptions"), f"{location}.descriptions"),
        identify_faces=boolean(options.get("identify_faces"), f"{location}.identify_faces"),
        fps_pred=number(options.get("fps_pred"), f"{location}.fps_pred", 3.0, above=0.0),
        prob_threshold=number(
            options.get("prob_threshold"), f"{location}.prob_threshold", 0.99, minimum=0.0, maximum=1.0
        ),
        min_face_size=number(options.get("min_face_size"), f"{location}.min_face_size", 60.0, minimum=0.0),
    )


def _language(options: dict[str, Any], location: str) -> LanguageSettings:
    reject_extra(options, _LANGUAGE_OPTIONS, location)
    return LanguageSettings(
        sentiment=empty_flag(options.get("sentiment"), f"{location}.sentiment"),
        toxicity=empty_flag(options.get("toxicity"), f"{location}.toxicity"),
        granularity=choice(options.get("granularity"), f"{location}.granularity", GRANULARITIES, "word"),
    )
