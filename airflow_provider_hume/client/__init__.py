"""Pure-Python client for Hume's Expression Measurement API ``v0`` (no Airflow imports).

The Airflow hook, operators, sensor and trigger are thin layers over these classes.
"""

from __future__ import annotations

from airflow_provider_hume.client._upload import UploadSource, is_md5
from airflow_provider_hume.client.batch import HumeBatchClient
from airflow_provider_hume.client.batch_async import AsyncHumeBatchClient
from airflow_provider_hume.client.errors import (
    PERMANENT_ERRORS,
    TRANSIENT_ERRORS,
    HumeAuthError,
    HumeConnectionError,
    HumeError,
    HumeJobFailedError,
    HumeJobNotCompletedError,
    HumeNotFoundError,
    HumeRateLimitError,
    HumeServerError,
    HumeStreamError,
    HumeTLSError,
    HumeValidationError,
    error_from_response,
)
from airflow_provider_hume.client.job_request import (
    MAX_FILES,
    MAX_TEXTS,
    MAX_URLS,
    JobRequest,
    check_input_counts,
)
from airflow_provider_hume.client.jobs import JobDetails, JobState, JobStatus
from airflow_provider_hume.client.model_configs import (
    Burst,
    Face,
    Facemesh,
    Language,
    Models,
    Ner,
    Prosody,
    Transcription,
    Window,
    coerce_models,
    coerce_transcription,
)
from airflow_provider_hume.client.retry import RetryPolicy, is_retryable_status, parse_retry_after
from airflow_provider_hume.client.source_errors import (
    ON_SOURCE_ERROR_CHOICES,
    OnSourceError,
    SourceError,
    SourceErrorReport,
    check_on_source_error,
    collect_source_errors,
    read_source_errors,
)
from airflow_provider_hume.client.stream import HumeStreamClient, StreamSocket, stream_url
from airflow_provider_hume.client.stream_chunks import iter_wav_chunks, split_text
from airflow_provider_hume.client.stream_messages import StreamResult, StreamWarning
from airflow_provider_hume.client.stream_models import (
    MEDIA_MODELS,
    StreamFace,
    StreamLanguage,
    StreamModels,
    StreamProsody,
    coerce_stream_models,
)
from airflow_provider_hume.client.stream_payloads import check_window
from airflow_provider_hume.client.stream_pool import InputOutcome, StreamInput, stream_inputs
from airflow_provider_hume.client.stream_stitch import StitchedResult, write_result_line
from airflow_provider_hume.client.submission import SubmissionFingerprint
from airflow_provider_hume.client.tabular import ByteStream, ParseReport, PredictionRow, iter_prediction_rows
from airflow_provider_hume.client.tabular_schema import MODEL_COLUMNS, TABLE_MODELS
from airflow_provider_hume.client.verify import HumeBodyError
from airflow_provider_hume.client.waiting import (
    MIN_POLL_INTERVAL,
    JobWait,
    StepLogger,
    Verdict,
    WaitStep,
    check_error_budget,
    check_poll_interval,
    log_step,
)

__all__ = [
    "MAX_FILES",
    "MAX_TEXTS",
    "MAX_URLS",
    "MEDIA_MODELS",
    "MIN_POLL_INTERVAL",
    "MODEL_COLUMNS",
    "ON_SOURCE_ERROR_CHOICES",
    "PERMANENT_ERRORS",
    "TABLE_MODELS",
    "TRANSIENT_ERRORS",
    "AsyncHumeBatchClient",
    "Burst",
    "ByteStream",
    "Face",
    "Facemesh",
    "HumeAuthError",
    "HumeBatchClient",
    "HumeBodyError",
    "HumeConnectionError",
    "HumeError",
    "HumeJobFailedError",
    "HumeJobNotCompletedError",
    "HumeNotFoundError",
    "HumeRateLimitError",
    "HumeServerError",
    "HumeStreamClient",
    "HumeStreamError",
    "HumeTLSError",
    "HumeValidationError",
    "InputOutcome",
    "JobDetails",
    "JobRequest",
    "JobState",
    "JobStatus",
    "JobWait",
    "Language",
    "Models",
    "Ner",
    "OnSourceError",
    "ParseReport",
    "PredictionRow",
    "Prosody",
    "RetryPolicy",
    "SourceError",
    "SourceErrorReport",
    "StepLogger",
    "StitchedResult",
    "StreamFace",
    "StreamInput",
    "StreamLanguage",
    "StreamModels",
    "StreamProsody",
    "StreamResult",
    "StreamSocket",
    "StreamWarning",
    "SubmissionFingerprint",
    "Transcription",
    "UploadSource",
    "Verdict",
    "WaitStep",
    "Window",
    "check_error_budget",
    "check_input_counts",
    "check_on_source_error",
    "check_poll_interval",
    "check_window",
    "coerce_models",
    "coerce_stream_models",
    "coerce_transcription",
    "collect_source_errors",
    "error_from_response",
    "is_md5",
    "is_retryable_status",
    "iter_prediction_rows",
    "iter_wav_chunks",
    "log_step",
    "parse_retry_after",
    "read_source_errors",
    "split_text",
    "stream_inputs",
    "stream_url",
    "write_result_line",
]
