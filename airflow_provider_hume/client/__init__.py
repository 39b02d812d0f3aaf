"""Pure-Python client for Hume's Expression Measurement API ``v0`` (no Airflow imports).

The Airflow hook, operators, sensor and trigger are thin layers over these classes.
"""

from __future__ import annotations

from airflow_provider_hume.client._upload import UploadSource
from airflow_provider_hume.client.batch import HumeBatchClient
from airflow_provider_hume.client.batch_async import AsyncHumeBatchClient
from airflow_provider_hume.client.config import (
    Burst,
    Face,
    Facemesh,
    JobRequest,
    Language,
    Models,
    Ner,
    Prosody,
    Transcription,
    Window,
    coerce_models,
    coerce_transcription,
)
from airflow_provider_hume.client.errors import (
    HumeAuthError,
    HumeConnectionError,
    HumeError,
    HumeJobFailedError,
    HumeJobNotCompletedError,
    HumeNotFoundError,
    HumeRateLimitError,
    HumeServerError,
    HumeStreamError,
    HumeValidationError,
    error_from_response,
)
from airflow_provider_hume.client.jobs import JobDetails, JobState, JobStatus
from airflow_provider_hume.client.retry import RetryPolicy, is_retryable_status, parse_retry_after
from airflow_provider_hume.client.stream import HumeStreamClient, StreamSocket, stream_url
from airflow_provider_hume.client.stream_chunks import iter_wav_chunks, split_text
from airflow_provider_hume.client.stream_messages import StreamResult, StreamWarning
from airflow_provider_hume.client.stream_models import (
    StreamFace,
    StreamLanguage,
    StreamModels,
    StreamProsody,
    coerce_stream_models,
)
from airflow_provider_hume.client.stream_pool import InputOutcome, StreamInput, stream_inputs
from airflow_provider_hume.client.stream_stitch import StitchedResult

__all__ = [
    "AsyncHumeBatchClient",
    "Burst",
    "Face",
    "Facemesh",
    "HumeAuthError",
    "HumeBatchClient",
    "HumeConnectionError",
    "HumeError",
    "HumeJobFailedError",
    "HumeJobNotCompletedError",
    "HumeNotFoundError",
    "HumeRateLimitError",
    "HumeServerError",
    "HumeStreamClient",
    "HumeStreamError",
    "HumeValidationError",
    "InputOutcome",
    "JobDetails",
    "JobRequest",
    "JobState",
    "JobStatus",
    "Language",
    "Models",
    "Ner",
    "Prosody",
    "RetryPolicy",
    "StitchedResult",
    "StreamFace",
    "StreamInput",
    "StreamLanguage",
    "StreamModels",
    "StreamProsody",
    "StreamResult",
    "StreamSocket",
    "StreamWarning",
    "Transcription",
    "UploadSource",
    "Window",
    "coerce_models",
    "coerce_stream_models",
    "coerce_transcription",
    "error_from_response",
    "is_retryable_status",
    "iter_wav_chunks",
    "parse_retry_after",
    "split_text",
    "stream_inputs",
    "stream_url",
]
