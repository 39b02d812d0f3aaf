"""Client for Hume's ``v1`` Expression Measurement API (hume-api-v1.md), without any Airflow import.

Uploads (:meth:`HumeV1Client.measure_audio`, :meth:`HumeV1Client.measure_images`) stream
:class:`MediaPart` s and answer synchronously; runs are the organisation's billing and audit records.
"""

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
