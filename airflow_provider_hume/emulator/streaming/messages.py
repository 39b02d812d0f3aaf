"""Server-to-client messages (hume-api-v0.md §4.4, §4.6, §8): error codes, warnings and reply envelopes.

A reply is predictions, an error ``{"error", "code"}`` or a top-level warning ``{"warning", "code"}``;
``payload_id`` and ``job_details`` are added to any of them. Codes after E0205 and W0103 are not published:
E0206 (text too long) is fixed by §8; E0207 (too many facemesh faces), W0104 (no language) and W0105 (no
speech) are this emulator's choices.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from airflow_provider_hume.emulator.backend.shorten import shorten

Message = dict[str, Any]
Prediction = dict[str, Any]

INVALID_JSON: Final = "E0100"
INVALID_PAYLOAD: Final = "E0101"
MODEL_MISMATCH: Final = "E0102"
UNREADABLE_MEDIA: Final = "E0200"
INVALID_BASE64: Final = "E0201"
NO_AUDIO: Final = "E0202"
AUDIO_TOO_LONG: Final = "E0203"
VIDEO_TOO_LONG: Final = "E0204"
IMAGE_TOO_LARGE: Final = "E0205"
TEXT_TOO_LONG: Final = "E0206"
TOO_MANY_FACEMESHES: Final = "E0207"

WARNINGS: Final[Mapping[str, tuple[str, str]]] = {
    "burst": ("W0101", "No vocal bursts could be detected in the streamed media."),
    "facemesh": ("W0102", "No facemeshes could be detected in the streamed media."),
    "face": ("W0103", "No faces could be detected in the streamed media."),
    "language": ("W0104", "No emotional language could be detected in the streamed text."),
    "prosody": ("W0105", "No speech could be detected in the streamed media."),
}


class StreamError(Exception):
    """A payload the emulator answers with an error message instead of predictions (shortened if it quotes a
    huge value)."""

    def __init__(self, code: str, message: str) -> None:
        message = shorten(message)
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def invalid(location: str, problem: str) -> StreamError:
    """An E0101 naming the offending field, e.g. ``models.face.prob_threshold: ...``."""
    return StreamError(INVALID_PAYLOAD, f"{location}: {problem}")


def model_mismatch(model: str, media_type: str) -> StreamError:
    """The E0102 of a model that cannot run on the detected media (verbatim Hume wording)."""
    return StreamError(
        MODEL_MISMATCH,
        f"Streaming payload configured with model type '{model}', "
        f"which is not supported for the detected file type '{media_type}'.",
    )


def error_message(error: StreamError) -> Message:
    """``{"error", "code"}``."""
    return {"error": error.message, "code": error.code}


def results_message(results: Mapping[str, Sequence[Prediction]], *, warnings_top_level: bool) -> Message:
    """The reply to a payload whose models produced ``results`` (model -> predictions, in request order).

    Nested form (default): a model that detected nothing carries ``{"warning", "code"}`` in place of
    ``predictions``. Top-level form: when no model detected anything the reply is the first model's warning;
    otherwise it is predictions, with an empty list for models that detected nothing.
    """
    if warnings_top_level:
        if not any(results.values()):
            code, text = WARNINGS[next(iter(results))]
            return {"warning": text, "code": code}
        return {model: {"predictions": list(found)} for model, found in results.items()}
    return {
        model: {"predictions": list(found)} if found else _nested_warning(model)
        for model, found in results.items()
    }


def with_echo(body: Message, payload_id: str | None, job_id: str | None) -> Message:
    """``body`` with ``payload_id`` and ``job_details`` first, when given."""
    head: Message = {}
    if payload_id is not None:
        head["payload_id"] = payload_id
    if job_id is not None:
        head["job_details"] = {"job_id": job_id}
    return {**head, **body}


def _nested_warning(model: str) -> Message:
    code, text = WARNINGS[model]
    return {"warning": text, "code": code}
