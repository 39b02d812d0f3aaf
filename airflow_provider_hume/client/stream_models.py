"""Typed, validated model configs for the streaming API (hume-api-v0.md §4.3).

Streaming accepts fewer settings than batch: face has no ``save_faces``, language has no
``identify_speakers`` and takes ``passage`` granularity, prosody/burst/facemesh take only ``{}``, and ``ner``
does not exist. A config is checked when it is built, before anything is sent, with errors naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from types import MappingProxyType
from typing import Any, ClassVar

from airflow_provider_hume.client._fields import check_bool, check_choice, check_number, invalid
from airflow_provider_hume.client.errors import HumeValidationError
from airflow_provider_hume.client.model_configs import Burst, Facemesh, Models, _Check, _Config

STREAM_GRANULARITIES = ("word", "sentence", "utterance", "passage")
"""Language granularities of the streaming API (§4.3); Hume's default is ``word``."""

MEDIA_MODELS = ("face", "burst", "prosody", "facemesh")
"""Models that analyse media payloads (files or bytes), as opposed to ``language`` on raw text."""


@dataclass(frozen=True)
class StreamFace(_Config):
    """Facial expression model in streaming (§4.3); one face-id cache lives for the whole connection."""

    fps_pred: float | None = None
    prob_threshold: float | None = None
    identify_faces: bool | None = None
    min_face_size: float | None = None
    facs: bool = False
    descriptions: bool = False

    _PATH: ClassVar[str] = "models.face"
    _CHECKS: ClassVar[Mapping[str, _Check]] = MappingProxyType(
        {
            "fps_pred": partial(check_number, minimum=0),
            "prob_threshold": partial(check_number, minimum=0, maximum=1),
            "identify_faces": check_bool,
            "min_face_size": partial(check_number, minimum=0),
        }
    )
    _TOGGLES: ClassVar[frozenset[str]] = frozenset({"facs", "descriptions"})


@dataclass(frozen=True)
class StreamLanguage(_Config):
    """Emotional language model in streaming (§4.3); ``passage`` gives one prediction per payload."""

    granularity: str | None = None
    sentiment: bool = False
    toxicity: bool = False

    _PATH: ClassVar[str] = "models.language"
    _CHECKS: ClassVar[Mapping[str, _Check]] = MappingProxyType(
        {"granularity": partial(check_choice, choices=STREAM_GRANULARITIES)}
    )
    _TOGGLES: ClassVar[frozenset[str]] = frozenset({"sentiment", "toxicity"})


@dataclass(frozen=True)
class StreamProsody(_Config):
    """Speech prosody model in streaming; it takes no settings (§4.3)."""

    _PATH: ClassVar[str] = "models.prosody"


@dataclass(frozen=True)
class StreamModels(_Config):
    """Which models run on a streaming payload; a model left as None does not run."""

    face: StreamFace | None = None
    burst: Burst | None = None
    prosody: StreamProsody | None = None
    language: StreamLanguage | None = None
    facemesh: Facemesh | None = None

    _PATH: ClassVar[str] = "models"
    _NOUN: ClassVar[str] = "model"
    _NESTED: ClassVar[Mapping[str, type[_Config]]] = MappingProxyType(
        {
            "face": StreamFace,
            "burst": Burst,
            "prosody": StreamProsody,
            "language": StreamLanguage,
            "facemesh": Facemesh,
        }
    )

    @classmethod
    def from_api(cls, data: Mapping[str, Any] | None, path: str | None = None) -> StreamModels:
        """Build from the API's JSON shape, refusing batch-only models and settings by name."""
        if isinstance(data, Mapping) and "ner" in data:
            raise HumeValidationError(
                "models.ner is not available in Hume's streaming API; use HumeBatchSubmitOperator for NER"
            )
        return super().from_api(data, path)

    @property
    def enabled(self) -> tuple[str, ...]:
        """Names of the models that will run."""
        return tuple(name for name in self._field_names() if getattr(self, name) is not None)

    def only(self, names: tuple[str, ...]) -> StreamModels:
        """A copy that keeps just the models in ``names``."""
        return StreamModels(**{name: getattr(self, name) for name in names if name in self._field_names()})


def coerce_stream_models(value: StreamModels | Models | Mapping[str, Any] | None) -> StreamModels:
    """Accept :class:`StreamModels`, a batch :class:`Models` or the API's JSON shape; at least one model.

    A batch config is converted through its JSON form, so batch-only settings are refused by name.
    """
    if isinstance(value, Models):
        value = value.to_api()
    if isinstance(value, Mapping):
        value = StreamModels.from_api(value)
    if not isinstance(value, StreamModels):
        raise invalid("models", "must be a StreamModels object or a JSON object", value)
    if not value.enabled:
        raise HumeValidationError(
            "models enables no model; name at least one of face, burst, prosody, language, facemesh"
        )
    return value
