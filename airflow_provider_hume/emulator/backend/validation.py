"""Validate a job request body (hume-api-v0.md §2.2, §2.11) into a :class:`JobRequest`.

Every error names the offending field, e.g. ``models.face.prob_threshold must be between 0 and 1 (got 1.5)``.
Unknown keys are rejected at every level (a project decision, §8). ``null`` for an optional field means "not
set", except ``transcription: null``, which disables transcription (absent: enabled with its defaults).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Final
from urllib.parse import urlsplit

from airflow_provider_hume.emulator.backend.request import (
    BCP47_TAGS,
    GRANULARITIES,
    MODEL_NAMES,
    FaceConfig,
    JobRequest,
    LanguageConfig,
    ModelConfigs,
    NerConfig,
    ProsodyConfig,
    TranscriptionConfig,
    Window,
)
from airflow_provider_hume.emulator.media import limits

MAX_ITEMS: Final = limits.MAX_ITEMS
TOP_LEVEL_KEYS: Final = ("callback_url", "models", "notify", "text", "transcription", "urls")


class RequestInvalid(ValueError):
    """The request body breaks the schema; the message says which field and why."""


class _Fields:
    """Reads the fields of one JSON object, remembering which keys were consumed."""

    def __init__(self, value: object, path: str) -> None:
        if not isinstance(value, Mapping):
            raise RequestInvalid(f"{path or 'request JSON'} must be an object (got {_json_type(value)})")
        self._data: Mapping[str, Any] = value
        self._path = path
        self._seen: set[str] = set()

    def _get(self, key: str) -> Any:
        self._seen.add(key)
        return self._data.get(key)

    def name(self, key: str) -> str:
        """Dotted path of ``key``."""
        return f"{self._path}.{key}" if self._path else key

    def number(self, key: str, default: float, *, low: float, high: float | None = None) -> float:
        """A JSON number within [low, high]; the client's int/float type is kept."""
        value = self._get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise RequestInvalid(f"{self.name(key)} must be a number (got {_show(value)})")
        if high is not None and not low <= value <= high:
            bounds = f"between {_num(low)} and {_num(high)}"
            raise RequestInvalid(f"{self.name(key)} must be {bounds} (got {value})")
        if value < low:
            raise RequestInvalid(f"{self.name(key)} must be at least {_num(low)} (got {value})")
        return value

    def boolean(self, key: str, default: bool = False) -> bool:
        """A JSON boolean."""
        value = self._get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise RequestInvalid(f"{self.name(key)} must be a boolean (got {_show(value)})")
        return value

    def choice(self, key: str, default: str | None, choices: tuple[str, ...]) -> str | None:
        """A string out of ``choices``."""
        value = self._get(key)
        if value is None:
            return default
        if value not in choices:
            raise RequestInvalid(f"{self.name(key)} must be one of {', '.join(choices)} (got {_show(value)})")
        return str(value)

    def switch(self, key: str) -> bool:
        """An unconfigurable model or feature: ``{}`` turns it on, ``null``/absent leaves it off."""
        value = self._get(key)
        if value is None:
            return False
        _Fields(value, self.name(key)).done()
        return True

    def child(self, key: str) -> _Fields | None:
        """The nested object at ``key``, or ``None`` when absent/null."""
        value = self._get(key)
        return None if value is None else _Fields(value, self.name(key))

    def strings(self, key: str) -> tuple[str, ...]:
        """A list of at most 100 strings (absent/null means empty)."""
        value = self._get(key)
        if value is None:
            return ()
        if not isinstance(value, list):
            raise RequestInvalid(f"{self.name(key)} must be a list of strings (got {_json_type(value)})")
        if len(value) > MAX_ITEMS:
            raise RequestInvalid(f"{self.name(key)} must have at most {MAX_ITEMS} items (got {len(value)})")
        for index, item in enumerate(value):
            if not isinstance(item, str):
                raise RequestInvalid(f"{self.name(key)}[{index}] must be a string (got {_json_type(item)})")
        return tuple(value)

    def url(self, key: str) -> str | None:
        """An optional http(s) URL string."""
        value = self._get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise RequestInvalid(f"{self.name(key)} must be a string (got {_json_type(value)})")
        _check_url(value, self.name(key))
        return value

    def keys(self) -> list[str]:
        """Keys present in the object."""
        return list(self._data)

    def has(self, key: str) -> bool:
        """Whether the object contains ``key`` at all (even as ``null``)."""
        return key in self._data

    def done(self) -> None:
        """Reject keys that were never read."""
        unknown = sorted(set(self._data) - self._seen)
        if unknown:
            where = f" in {self._path}" if self._path else ""
            raise RequestInvalid(f"unknown field {self.name(unknown[0])!r}{where}")


def parse_job_request(body: object, *, file_count: int = 0) -> JobRequest:
    """Validate a request body; ``file_count`` is the number of uploaded files that come with it."""
    fields = _Fields({} if body is None else body, "")
    models = _models(fields)
    transcription_given = fields.has("transcription")
    transcription = _transcription(fields.child("transcription"))
    if not transcription_given:
        transcription = TranscriptionConfig()
    urls = fields.strings("urls")
    for index, url in enumerate(urls):
        _check_url(url, f"urls[{index}]")
    text = fields.strings("text")
    callback_url = fields.url("callback_url")
    notify = fields.boolean("notify")
    fields.done()
    if file_count > MAX_ITEMS:
        raise RequestInvalid(f"files must have at most {MAX_ITEMS} items (got {file_count})")
    if not (urls or text or file_count):
        raise RequestInvalid("at least one of urls, text or files must be provided")
    models = replace(models, transcription=transcription)
    return JobRequest(models, transcription_given, urls, text, callback_url, notify)


def _models(fields: _Fields) -> ModelConfigs:
    models = fields.child("models")
    if models is None:
        return ModelConfigs.all_defaults()
    for key in models.keys():  # noqa: SIM118 - _Fields is not a mapping
        if key not in MODEL_NAMES:
            expected = ", ".join(MODEL_NAMES)
            raise RequestInvalid(f"unknown model {models.name(key)!r} (expected one of {expected})")
    return ModelConfigs(
        face=_face(models.child("face")),
        burst=models.switch("burst"),
        prosody=_prosody(models.child("prosody")),
        language=_language(models.child("language")),
        ner=_ner(models.child("ner")),
        facemesh=models.switch("facemesh"),
    )


def _face(fields: _Fields | None) -> FaceConfig | None:
    if fields is None:
        return None
    default = FaceConfig()
    config = FaceConfig(
        fps_pred=fields.number("fps_pred", default.fps_pred, low=0),
        prob_threshold=fields.number("prob_threshold", default.prob_threshold, low=0, high=1),
        identify_faces=fields.boolean("identify_faces"),
        min_face_size=fields.number("min_face_size", default.min_face_size, low=0),
        facs=fields.switch("facs"),
        descriptions=fields.switch("descriptions"),
        save_faces=fields.boolean("save_faces"),
    )
    fields.done()
    return config


def _prosody(fields: _Fields | None) -> ProsodyConfig | None:
    if fields is None:
        return None
    granularity = fields.choice("granularity", ProsodyConfig.granularity, GRANULARITIES)
    window_fields = fields.child("window")
    window = None
    if window_fields is not None:
        window = Window(
            length=window_fields.number("length", Window.length, low=0.5),
            step=window_fields.number("step", Window.step, low=0.5),
        )
        window_fields.done()
    config = ProsodyConfig(str(granularity), window, fields.boolean("identify_speakers"))
    fields.done()
    return config


def _language(fields: _Fields | None) -> LanguageConfig | None:
    if fields is None:
        return None
    config = LanguageConfig(
        granularity=str(fields.choice("granularity", LanguageConfig.granularity, GRANULARITIES)),
        identify_speakers=fields.boolean("identify_speakers"),
        sentiment=fields.switch("sentiment"),
        toxicity=fields.switch("toxicity"),
    )
    fields.done()
    return config


def _ner(fields: _Fields | None) -> NerConfig | None:
    if fields is None:
        return None
    config = NerConfig(identify_speakers=fields.boolean("identify_speakers"))
    fields.done()
    return config


def _transcription(fields: _Fields | None) -> TranscriptionConfig | None:
    if fields is None:
        return None
    config = TranscriptionConfig(
        language=fields.choice("language", None, BCP47_TAGS),
        identify_speakers=fields.boolean("identify_speakers"),
        confidence_threshold=fields.number(
            "confidence_threshold", TranscriptionConfig.confidence_threshold, low=0, high=1
        ),
    )
    fields.done()
    return config


def _check_url(url: str, name: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise RequestInvalid(f"{name} must be an http(s) URL (got {url!r})")


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "list" if isinstance(value, list) else "object"


def _show(value: object) -> str:
    return json.dumps(value) if isinstance(value, (str, int, float)) else _json_type(value)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
