"""Reading the streaming API's replies (hume-api-v0.md §4.4): predictions, errors and warnings.

An error (``{"error": ..., "code": ...}``) becomes :class:`HumeStreamError`. Warnings come in two forms, both
accepted: top-level as in Hume's schema (``{"warning": ..., "code": ...}``) and nested per model as Hume's own
clients read them (``{"face": {"warning": ..., "code": ...}}``); either way they are returned and logged.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from airflow_provider_hume.client.errors import HumeError, HumeStreamError, truncate

log = logging.getLogger(__name__)

MODEL_KEYS = ("face", "burst", "prosody", "language", "facemesh")
"""Keys under which a reply carries one model's output."""


@dataclass(frozen=True)
class StreamWarning:
    """Hume found nothing to predict (e.g. ``W0103`` no faces); ``model`` is None for the top-level form."""

    code: str
    message: str
    model: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "model": self.model}


@dataclass(frozen=True)
class StreamResult:
    """One reply: predictions per model, warnings, the echoed ``payload_id`` and the job id if asked for."""

    payload_id: str | None = None
    predictions: Mapping[str, list[dict[str, Any]]] = field(default_factory=dict)
    warnings: tuple[StreamWarning, ...] = ()
    job_id: str | None = None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _code(data: Mapping[str, Any], fallback: str) -> str:
    code = data.get("code")
    return code if isinstance(code, str) and code else fallback


def _job_id(data: Mapping[str, Any]) -> str | None:
    details = data.get("job_details")
    job_id = details.get("job_id") if isinstance(details, Mapping) else None
    return job_id if isinstance(job_id, str) else None


def decode_message(message: str | bytes) -> Mapping[str, Any]:
    """The JSON object of a reply; anything else is a protocol error."""
    try:
        data = json.loads(message)
    except ValueError:
        data = None
    if not isinstance(data, Mapping):
        text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
        raise HumeError(f"Hume's streaming API sent a reply that is not a JSON object: {truncate(text, 300)}")
    return data


def parse_reply(data: Mapping[str, Any]) -> StreamResult:
    """A :class:`StreamResult`, raising :class:`HumeStreamError` for an error at the top or in a model."""
    if "error" in data:
        raise HumeStreamError(_code(data, "unknown"), truncate(_text(data["error"])))
    warnings: list[StreamWarning] = []
    if "warning" in data:
        warnings.append(StreamWarning(_code(data, "unknown"), _text(data["warning"])))
    predictions: dict[str, list[dict[str, Any]]] = {}
    for model in MODEL_KEYS:
        section = data.get(model)
        if not isinstance(section, Mapping):
            continue
        if "error" in section:
            raise HumeStreamError(_code(section, "unknown"), f"{model}: {truncate(_text(section['error']))}")
        if "warning" in section:
            warnings.append(StreamWarning(_code(section, "unknown"), _text(section["warning"]), model))
        items = section.get("predictions")
        if isinstance(items, list):
            predictions[model] = [item for item in items if isinstance(item, dict)]
    payload_id = data.get("payload_id")
    for warning in warnings:
        log.warning(
            "Hume streaming warning %s%s: %s",
            warning.code,
            f" ({warning.model})" if warning.model else "",
            warning.message,
        )
    return StreamResult(
        payload_id=payload_id if isinstance(payload_id, str) else None,
        predictions=predictions,
        warnings=tuple(warnings),
        job_id=_job_id(data),
    )
