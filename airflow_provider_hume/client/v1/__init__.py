"""Client for Hume's ``v1`` Expression Measurement API (hume-api-v1.md), without any Airflow import.

Uploads (:meth:`HumeV1Client.measure_audio`, :meth:`HumeV1Client.measure_images`) stream
:class:`MediaPart` s and answer synchronously; runs are the organisation's billing and audit records.
Public names are imported on first use (PEP 562): ``requests`` loads with :class:`HumeV1Client`, not here.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow_provider_hume.client.v1._multipart import body_size
    from airflow_provider_hume.client.v1._runs_query import (
        ENDPOINTS,
        EVENTS_PAGE_SIZE_MAX,
        MODES,
        RUNS_PAGE_SIZE_MAX,
        STATUSES,
    )
    from airflow_provider_hume.client.v1.client import (
        DEFAULT_UPLOAD_TIMEOUT,
        DEFAULT_V1_BASE_URL,
        HumeV1Client,
    )
    from airflow_provider_hume.client.v1.configs import AudioFileConfig, FaceConfig, ImageFileConfig
    from airflow_provider_hume.client.v1.errors import (
        HumeMediaError,
        HumeNotServingV1Error,
        HumeUploadOutcomeUnknownError,
    )
    from airflow_provider_hume.client.v1.limits import (
        CHANNELS,
        MAX_IMAGE_BYTES,
        MAX_IMAGE_PIXELS,
        MAX_REQUEST_BYTES,
        SAMPLE_RATE,
        SAMPLE_WIDTH,
    )
    from airflow_provider_hume.client.v1.parts import AUDIO_RAW, AUDIO_WAV, IMAGE_JPEG, MediaPart
    from airflow_provider_hume.client.v1.results import (
        AudioFileResult,
        AudioMeasurement,
        Face,
        FrameMeasurement,
        ImageFileResult,
        Run,
        RunEvent,
        RunEventsPage,
        RunsPage,
        RunSummary,
        Score,
        Utterance,
    )

#: The module (relative to this package) each public name lives in, imported on first use of the name.
_HOMES: dict[str, str] = {
    "body_size": "._multipart",
    "ENDPOINTS": "._runs_query",
    "EVENTS_PAGE_SIZE_MAX": "._runs_query",
    "MODES": "._runs_query",
    "RUNS_PAGE_SIZE_MAX": "._runs_query",
    "STATUSES": "._runs_query",
    "DEFAULT_UPLOAD_TIMEOUT": ".client",
    "DEFAULT_V1_BASE_URL": ".client",
    "HumeV1Client": ".client",
    "AudioFileConfig": ".configs",
    "FaceConfig": ".configs",
    "ImageFileConfig": ".configs",
    "HumeMediaError": ".errors",
    "HumeNotServingV1Error": ".errors",
    "HumeUploadOutcomeUnknownError": ".errors",
    "CHANNELS": ".limits",
    "MAX_IMAGE_BYTES": ".limits",
    "MAX_IMAGE_PIXELS": ".limits",
    "MAX_REQUEST_BYTES": ".limits",
    "SAMPLE_RATE": ".limits",
    "SAMPLE_WIDTH": ".limits",
    "AUDIO_RAW": ".parts",
    "AUDIO_WAV": ".parts",
    "IMAGE_JPEG": ".parts",
    "MediaPart": ".parts",
    "AudioFileResult": ".results",
    "AudioMeasurement": ".results",
    "Face": ".results",
    "FrameMeasurement": ".results",
    "ImageFileResult": ".results",
    "Run": ".results",
    "RunEvent": ".results",
    "RunEventsPage": ".results",
    "RunsPage": ".results",
    "RunSummary": ".results",
    "Score": ".results",
    "Utterance": ".results",
}

__all__ = [
    "AUDIO_RAW",
    "AUDIO_WAV",
    "CHANNELS",
    "DEFAULT_UPLOAD_TIMEOUT",
    "DEFAULT_V1_BASE_URL",
    "ENDPOINTS",
    "EVENTS_PAGE_SIZE_MAX",
    "IMAGE_JPEG",
    "MAX_IMAGE_BYTES",
    "MAX_IMAGE_PIXELS",
    "MAX_REQUEST_BYTES",
    "MODES",
    "RUNS_PAGE_SIZE_MAX",
    "SAMPLE_RATE",
    "SAMPLE_WIDTH",
    "STATUSES",
    "AudioFileConfig",
    "AudioFileResult",
    "AudioMeasurement",
    "Face",
    "FaceConfig",
    "FrameMeasurement",
    "HumeMediaError",
    "HumeNotServingV1Error",
    "HumeUploadOutcomeUnknownError",
    "HumeV1Client",
    "ImageFileConfig",
    "ImageFileResult",
    "MediaPart",
    "Run",
    "RunEvent",
    "RunEventsPage",
    "RunSummary",
    "RunsPage",
    "Score",
    "Utterance",
    "body_size",
]

if not TYPE_CHECKING:  # hidden from type checkers: they read the imports above and catch a misspelt name

    def __getattr__(name: str) -> Any:
        """Import ``name`` from its module on first use and keep it here (PEP 562)."""
        home = _HOMES.get(name)
        if home is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(home, __name__), name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
