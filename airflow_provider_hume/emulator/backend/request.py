"""The validated inference-job request (hume-api-v0.md §2.2) and its echo in job details (§2.6.1).

Every config carries the documented defaults, so the echo of a requested model lists all of its fields.
Numbers keep the JSON type the client sent (``3`` stays ``3``); defaults follow §2.2.7.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

MODEL_NAMES: Final[tuple[str, ...]] = ("burst", "face", "facemesh", "language", "ner", "prosody")
GRANULARITIES: Final[tuple[str, ...]] = ("word", "sentence", "utterance", "conversational_turn")
BCP47_TAGS: Final[tuple[str, ...]] = (
    "zh", "da", "nl", "en", "en-AU", "en-IN", "en-NZ", "en-GB", "fr", "fr-CA", "de", "hi", "hi-Latn", "id",
    "it", "ja", "ko", "no", "pl", "pt", "pt-BR", "pt-PT", "ru", "es", "es-419", "sv", "ta", "tr", "uk",
)  # fmt: skip


@dataclass(frozen=True)
class FaceConfig:
    """``models.face``; ``facs``/``descriptions`` are on when sent as ``{}``."""

    fps_pred: float = 3.0
    prob_threshold: float = 0.99
    identify_faces: bool = False
    min_face_size: float = 60
    facs: bool = False
    descriptions: bool = False
    save_faces: bool = False

    def echo(self) -> dict[str, Any]:
        """The config as the job details echo it."""
        return {
            "descriptions": {} if self.descriptions else None,
            "facs": {} if self.facs else None,
            "fps_pred": self.fps_pred,
            "identify_faces": self.identify_faces,
            "min_face_size": self.min_face_size,
            "prob_threshold": self.prob_threshold,
            "save_faces": self.save_faces,
        }


@dataclass(frozen=True)
class Window:
    """Prosody sliding window, in seconds."""

    length: float = 4.0
    step: float = 1.0


@dataclass(frozen=True)
class ProsodyConfig:
    """``models.prosody``."""

    granularity: str = "utterance"
    window: Window | None = None
    identify_speakers: bool = False

    def echo(self) -> dict[str, Any]:
        """The config as the job details echo it."""
        window = None if self.window is None else {"length": self.window.length, "step": self.window.step}
        return {
            "granularity": self.granularity,
            "identify_speakers": self.identify_speakers,
            "window": window,
        }


@dataclass(frozen=True)
class LanguageConfig:
    """``models.language``; ``sentiment``/``toxicity`` are on when sent as ``{}``."""

    granularity: str = "word"
    identify_speakers: bool = False
    sentiment: bool = False
    toxicity: bool = False

    def echo(self) -> dict[str, Any]:
        """The config as the job details echo it."""
        return {
            "granularity": self.granularity,
            "identify_speakers": self.identify_speakers,
            "sentiment": {} if self.sentiment else None,
            "toxicity": {} if self.toxicity else None,
        }


@dataclass(frozen=True)
class NerConfig:
    """``models.ner``."""

    identify_speakers: bool = False

    def echo(self) -> dict[str, Any]:
        """The config as the job details echo it."""
        return {"identify_speakers": self.identify_speakers}


@dataclass(frozen=True)
class TranscriptionConfig:
    """``transcription``; ``language`` ``None`` means auto-detect."""

    language: str | None = None
    identify_speakers: bool = False
    confidence_threshold: float = 0.5

    def echo(self) -> dict[str, Any]:
        """The config as the job details echo it."""
        return {
            "confidence_threshold": self.confidence_threshold,
            "identify_speakers": self.identify_speakers,
            "language": self.language,
        }


@dataclass(frozen=True)
class ModelConfigs:
    """Which models run and how; ``None``/``False`` means the model was not requested.

    ``transcription`` is no model, but it decides what prosody, language and NER see in audio, so it travels
    with them (``None``: disabled); it is not part of the ``models`` echo.
    """

    face: FaceConfig | None = None
    burst: bool = False
    prosody: ProsodyConfig | None = None
    language: LanguageConfig | None = None
    ner: NerConfig | None = None
    facemesh: bool = False
    transcription: TranscriptionConfig | None = field(default_factory=TranscriptionConfig)

    @classmethod
    def all_defaults(cls) -> ModelConfigs:
        """Every model with its defaults: what runs when ``models`` is omitted (§2.2.7)."""
        return cls(FaceConfig(), True, ProsodyConfig(), LanguageConfig(), NerConfig(), True)

    def requested(self) -> frozenset[str]:
        """Names of the requested models."""
        return frozenset(name for name, value in self._echo_items() if value is not None)

    def echo(self) -> dict[str, Any]:
        """``request.models`` of the job details: unrequested models are ``null``."""
        return dict(self._echo_items())

    def _echo_items(self) -> list[tuple[str, dict[str, Any] | None]]:
        return [
            ("burst", {} if self.burst else None),
            ("face", None if self.face is None else self.face.echo()),
            ("facemesh", {} if self.facemesh else None),
            ("language", None if self.language is None else self.language.echo()),
            ("ner", None if self.ner is None else self.ner.echo()),
            ("prosody", None if self.prosody is None else self.prosody.echo()),
        ]


@dataclass(frozen=True)
class JobRequest:
    """A validated ``InferenceBaseRequest``; uploaded files travel separately.

    ``models.transcription`` is what runs (the defaults when the client sent no ``transcription``).
    """

    models: ModelConfigs = field(default_factory=ModelConfigs.all_defaults)
    transcription_given: bool = False
    urls: tuple[str, ...] = ()
    text: tuple[str, ...] = ()
    callback_url: str | None = None
    notify: bool = False

    @property
    def transcription(self) -> TranscriptionConfig | None:
        """``transcription`` as the client sent it (``None``: absent or ``null``)."""
        return self.models.transcription if self.transcription_given else None

    def echo(self, files: list[dict[str, Any]]) -> dict[str, Any]:
        """``request`` of the job details; ``transcription`` appears only when the client sent it."""
        echoed: dict[str, Any] = {
            "callback_url": self.callback_url,
            "files": files,
            "models": self.models.echo(),
            "notify": self.notify,
            "text": list(self.text),
            "urls": list(self.urls),
        }
        if self.transcription_given:
            echoed["transcription"] = None if self.transcription is None else self.transcription.echo()
        return echoed
