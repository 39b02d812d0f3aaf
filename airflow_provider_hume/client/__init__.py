"""Pure-Python client for Hume's Expression Measurement API ``v0`` (no Airflow imports).

The Airflow hook, operators, sensor and trigger are thin layers over these classes.

Each public name is imported on first use (PEP 562, the table ``_HOMES``): importing this package or a light
name from it (errors, job states, model configurations, checks) loads no HTTP or websocket library.
``requests``, ``requests-toolbelt``, ``aiohttp`` and ``websockets`` come with :class:`HumeBatchClient`,
:class:`AsyncHumeBatchClient` and :class:`HumeStreamClient`, so a DAG file importing an operator parses fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow_provider_hume.client._upload import UploadSource, is_md5
    from airflow_provider_hume.client.batch import HumeBatchClient
    from airflow_provider_hume.client.batch_async import AsyncHumeBatchClient
    from airflow_provider_hume.client.body_framing import (
        Verification,
        check_transfer_verification,
        check_verification,
    )
    from airflow_provider_hume.client.errors import (
        PERMANENT_ERRORS,
        TRANSIENT_ERRORS,
        HumeAuthError,
        HumeBodyError,
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
    from airflow_provider_hume.client.tabular import (
        ByteStream,
        ParseReport,
        PredictionRow,
        iter_prediction_rows,
    )
    from airflow_provider_hume.client.tabular_schema import MODEL_COLUMNS, TABLE_MODELS
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

#: The module (relative to this package) each public name lives in, imported on first use of the name.
_HOMES: dict[str, str] = {
    "UploadSource": "._upload",
    "is_md5": "._upload",
    "HumeBatchClient": ".batch",
    "AsyncHumeBatchClient": ".batch_async",
    "PERMANENT_ERRORS": ".errors",
    "TRANSIENT_ERRORS": ".errors",
    "HumeAuthError": ".errors",
    "HumeBodyError": ".errors",
    "HumeConnectionError": ".errors",
    "HumeError": ".errors",
    "HumeJobFailedError": ".errors",
    "HumeJobNotCompletedError": ".errors",
    "HumeNotFoundError": ".errors",
    "HumeRateLimitError": ".errors",
    "HumeServerError": ".errors",
    "HumeStreamError": ".errors",
    "HumeTLSError": ".errors",
    "HumeValidationError": ".errors",
    "error_from_response": ".errors",
    "MAX_FILES": ".job_request",
    "MAX_TEXTS": ".job_request",
    "MAX_URLS": ".job_request",
    "JobRequest": ".job_request",
    "check_input_counts": ".job_request",
    "JobDetails": ".jobs",
    "JobState": ".jobs",
    "JobStatus": ".jobs",
    "Burst": ".model_configs",
    "Face": ".model_configs",
    "Facemesh": ".model_configs",
    "Language": ".model_configs",
    "Models": ".model_configs",
    "Ner": ".model_configs",
    "Prosody": ".model_configs",
    "Transcription": ".model_configs",
    "Window": ".model_configs",
    "coerce_models": ".model_configs",
    "coerce_transcription": ".model_configs",
    "RetryPolicy": ".retry",
    "is_retryable_status": ".retry",
    "parse_retry_after": ".retry",
    "ON_SOURCE_ERROR_CHOICES": ".source_errors",
    "OnSourceError": ".source_errors",
    "SourceError": ".source_errors",
    "SourceErrorReport": ".source_errors",
    "check_on_source_error": ".source_errors",
    "collect_source_errors": ".source_errors",
    "read_source_errors": ".source_errors",
    "HumeStreamClient": ".stream",
    "StreamSocket": ".stream",
    "stream_url": ".stream",
    "iter_wav_chunks": ".stream_chunks",
    "split_text": ".stream_chunks",
    "StreamResult": ".stream_messages",
    "StreamWarning": ".stream_messages",
    "MEDIA_MODELS": ".stream_models",
    "StreamFace": ".stream_models",
    "StreamLanguage": ".stream_models",
    "StreamModels": ".stream_models",
    "StreamProsody": ".stream_models",
    "coerce_stream_models": ".stream_models",
    "check_window": ".stream_payloads",
    "InputOutcome": ".stream_pool",
    "StreamInput": ".stream_pool",
    "stream_inputs": ".stream_pool",
    "StitchedResult": ".stream_stitch",
    "write_result_line": ".stream_stitch",
    "SubmissionFingerprint": ".submission",
    "ByteStream": ".tabular",
    "ParseReport": ".tabular",
    "PredictionRow": ".tabular",
    "iter_prediction_rows": ".tabular",
    "MODEL_COLUMNS": ".tabular_schema",
    "TABLE_MODELS": ".tabular_schema",
    "MIN_POLL_INTERVAL": ".waiting",
    "JobWait": ".waiting",
    "StepLogger": ".waiting",
    "Verdict": ".waiting",
    "Verification": ".body_framing",
    "check_transfer_verification": ".body_framing",
    "check_verification": ".body_framing",
    "WaitStep": ".waiting",
    "check_error_budget": ".waiting",
    "check_poll_interval": ".waiting",
    "log_step": ".waiting",
}

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
    "Verification",
    "WaitStep",
    "Window",
    "check_error_budget",
    "check_input_counts",
    "check_on_source_error",
    "check_poll_interval",
    "check_transfer_verification",
    "check_verification",
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
