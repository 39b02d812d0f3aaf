"""Typed, validated model configs for a batch job (hume-api-v0.md §2.2), convertible to and from API JSON.

Every optional field defaults to None, meaning "let Hume use its default", and is omitted from the wire.
Values are validated when an object is built, so a bad setting in a DAG fails before any network call, with a
message naming the full field path. ``from_api`` reads the JSON shape users write in templated DAGs. The job
request that carries them is :mod:`airflow_provider_hume.client.job_request`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from types import MappingProxyType
from typing import Any, ClassVar, Literal, TypeVar

from airflow_provider_hume.client._fields import (
    check_bool,
    check_choice,
    check_int,
    check_keys,
    check_mapping,
    check_number,
    check_toggle,
    invalid,
)

GRANULARITIES = ("word", "sentence", "utterance", "conversational_turn")
"""Batch granularities for prosody and language (§2.2.3)."""

TRANSCRIPTION_LANGUAGES = (
    "zh", "da", "nl", "en", "en-AU", "en-IN", "en-NZ", "en-GB", "fr", "fr-CA", "de", "hi", "hi-Latn", "id",
    "it", "ja", "ko", "no", "pl", "pt", "pt-BR", "pt-PT", "ru", "es", "es-419", "sv", "ta", "tr", "uk",
)  # fmt: skip
"""The 29 BCP-47 tags Hume's transcription accepts (§2.2.8)."""

_Check = Callable[[Any, str], Any]
_C = TypeVar("_C", bound="_Config")


class _Config:
    """Validation, ``to_api`` and ``from_api`` driven by per-class field tables.

    ``_CHECKS`` validates scalar fields, ``_TOGGLES`` names ``Unconfigurable`` switches (``{}`` on the wire)
    and ``_NESTED`` names fields holding another config. ``_PATH`` is the field path used in errors.
    """

    _PATH: ClassVar[str]
    _NOUN: ClassVar[str] = "key"
    _CHECKS: ClassVar[Mapping[str, _Check]] = MappingProxyType({})
    _TOGGLES: ClassVar[frozenset[str]] = frozenset()
    _NESTED: ClassVar[Mapping[str, type[_Config]]] = MappingProxyType({})

    def __post_init__(self) -> None:
        for name, check in self._CHECKS.items():
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, check(value, f"{self._PATH}.{name}"))
        for name in self._TOGGLES:
            check_bool(getattr(self, name), f"{self._PATH}.{name}")
        for name, kind in self._NESTED.items():
            value = getattr(self, name)
            if value is not None and not isinstance(value, kind):
                raise invalid(f"{self._PATH}.{name}", f"must be a {kind.__name__} or None", value)

    @classmethod
    def _field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]

    @classmethod
    def from_api(cls: type[_C], data: Mapping[str, Any] | None, path: str | None = None) -> _C:
        """Build from the API's JSON shape; unknown keys and bad values raise errors naming ``path``."""
        path = path or cls._PATH
        if data is None:
            return cls()
        mapping = check_mapping(data, path)
        check_keys(mapping, path, cls._field_names(), cls._NOUN)
        kwargs: dict[str, Any] = {}
        for key, value in mapping.items():
            field_path = f"{path}.{key}"
            if key in cls._TOGGLES:
                kwargs[key] = check_toggle(value, field_path)
            elif value is None:
                continue
            elif key in cls._NESTED:
                kwargs[key] = cls._NESTED[key].from_api(value, field_path)
            else:
                kwargs[key] = cls._CHECKS[key](value, field_path)
        return cls(**kwargs)

    def to_api(self) -> dict[str, Any]:
        """The JSON object Hume expects; unset fields are omitted, enabled switches become ``{}``."""
        body: dict[str, Any] = {}
        for name in self._field_names():
            value = getattr(self, name)
            if name in self._TOGGLES:
                if value:
                    body[name] = {}
            elif isinstance(value, _Config):
                body[name] = value.to_api()
            elif value is not None:
                body[name] = value
        return body


_BOOL: _Check = check_bool
_GRANULARITY: _Check = partial(check_choice, choices=GRANULARITIES)


@dataclass(frozen=True)
class Face(_Config):
    """Facial expression model (§2.2.1)."""

    fps_pred: float | None = None
    prob_threshold: float | None = None
    identify_faces: bool | None = None
    min_face_size: int | None = None
    save_faces: bool | None = None
    facs: bool = False
    descriptions: bool = False

    _PATH: ClassVar[str] = "models.face"
    _CHECKS: ClassVar[Mapping[str, _Check]] = MappingProxyType(
        {
            "fps_pred": partial(check_number, minimum=0),
            "prob_threshold": partial(check_number, minimum=0, maximum=1),
            "identify_faces": _BOOL,
            "min_face_size": partial(check_int, minimum=0),
            "save_faces": _BOOL,
        }
    )
    _TOGGLES: ClassVar[frozenset[str]] = frozenset({"facs", "descriptions"})


@dataclass(frozen=True)
class Burst(_Config):
    """Vocal burst model; it has no settings (§2.2.2)."""

    _PATH: ClassVar[str] = "models.burst"


@dataclass(frozen=True)
class Window(_Config):
    """Sliding window for prosody, in seconds (§2.2.3)."""

    length: float = 4.0
    step: float = 1.0

    _PATH: ClassVar[str] = "models.prosody.window"
    _CHECKS: ClassVar[Mapping[str, _Check]] = MappingProxyType(
        {"length": partial(check_number, minimum=0.5), "step": partial(check_number, minimum=0.5)}
    )


@dataclass(frozen=True)
class Prosody(_Config):
    """Speech prosody model (§2.2.3)."""

    granularity: str | None = None
    window: Window | None = None
    identify_speakers: bool | None = None

    _PATH: ClassVar[str] = "models.prosody"
    _CHECKS: ClassVar[Mapping[str, _Check]] = MappingProxyType(
        {"granularity": _GRANULARITY, "identify_speakers": _BOOL}
    )
    _NESTED: ClassVar[Mapping[str, type[_Config]]] = MappingProxyType({"window": Window})


@dataclass(frozen=True)
class Language(_Config):
    """Emotional language model (§2.2.4)."""

    granularity: str | None = None
    identify_speakers: bool | None = None
    sentiment: bool = False
    toxicity: bool = False

    _PATH: ClassVar[str] = "models.language"
    _CHECKS: ClassVar[Mapping[str, _Check]] = MappingProxyType(
        {"granularity": _GRANULARITY, "identify_speakers": _BOOL}
    )
    _TOGGLES: ClassVar[frozenset[str]] = frozenset({"sentiment", "toxicity"})


@dataclass(frozen=True)
class Ner(_Config):
    """Named-entity recognition model (§2.2.5)."""

    identify_speakers: bool | None = None

    _PATH: ClassVar[str] = "models.ner"
    _CHECKS: ClassVar[Mapping[str, _Check]] = MappingProxyType({"identify_speakers": _BOOL})


@dataclass(frozen=True)
class Facemesh(_Config):
    """Facemesh model on MediaPipe landmarks; it has no settings (§2.2.6)."""

    _PATH: ClassVar[str] = "models.facemesh"


@dataclass(frozen=True)
class Transcription(_Config):
    """Transcription settings for audio and video inputs (§2.2.8)."""

    language: str | None = None
    identify_speakers: bool | None = None
    confidence_threshold: float | None = None

    _PATH: ClassVar[str] = "transcription"
    _CHECKS: ClassVar[Mapping[str, _Check]] = MappingProxyType(
        {
            "language": partial(check_choice, choices=TRANSCRIPTION_LANGUAGES),
            "identify_speakers": _BOOL,
            "confidence_threshold": partial(check_number, minimum=0, maximum=1),
        }
    )


@dataclass(frozen=True)
class Models(_Config):
    """Which models to run and how; a model left as None is not run (§2.2)."""

    face: Face | None = None
    burst: Burst | None = None
    prosody: Prosody | None = None
    language: Language | None = None
    ner: Ner | None = None
    facemesh: Facemesh | None = None

    _PATH: ClassVar[str] = "models"
    _NOUN: ClassVar[str] = "model"
    _NESTED: ClassVar[Mapping[str, type[_Config]]] = MappingProxyType(
        {
            "face": Face,
            "burst": Burst,
            "prosody": Prosody,
            "language": Language,
            "ner": Ner,
            "facemesh": Facemesh,
        }
    )

    @property
    def enabled(self) -> tuple[str, ...]:
        """Names of the models that will run."""
        return tuple(name for name in self._field_names() if getattr(self, name) is not None)


def coerce_models(value: Models | Mapping[str, Any] | None) -> Models | None:
    """Accept a :class:`Models`, its API JSON shape (as in templated DAGs) or None (run every model)."""
    if value is None or isinstance(value, Models):
        return value
    if isinstance(value, Mapping):
        return Models.from_api(value)
    raise invalid("models", "must be a Models object, a JSON object or None", value)


def coerce_transcription(
    value: Transcription | Mapping[str, Any] | Literal[False] | None,
) -> Transcription | Literal[False] | None:
    """A :class:`Transcription`, its JSON shape, None (Hume's default) or False (disable, JSON null)."""
    if value is None or value is False or isinstance(value, Transcription):
        return value
    if isinstance(value, Mapping):
        return Transcription.from_api(value)
    raise invalid(
        "transcription", "must be a Transcription object, a JSON object, False (disable) or None", value
    )
