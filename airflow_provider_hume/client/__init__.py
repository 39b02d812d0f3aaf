"""Pure-Python client for Hume's Expression Measurement API ``v0`` (no Airflow imports).

The Airflow hook, operators, sensor and trigger are thin layers over these classes.
"""

from __future__ import annotations

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
    "HumeStreamError",
    "HumeValidationError",
    "JobDetails",
    "JobRequest",
    "JobState",
    "JobStatus",
    "Language",
    "Models",
    "Ner",
    "Prosody",
    "RetryPolicy",
    "Transcription",
    "Window",
    "coerce_models",
    "coerce_transcription",
    "error_from_response",
    "is_retryable_status",
    "parse_retry_after",
]
