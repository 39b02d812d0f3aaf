"""The validated batch job request (hume-api-v0.md §2.2): inputs, model configs, transcription, callback.

A :class:`JobRequest` is checked entirely when it is built, so a DAG with a bad URL, too many inputs or a
wrong model setting fails before anything is sent to Hume, with a message naming the field and the fix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from airflow_provider_hume.client._fields import check_bool, check_http_url, invalid
from airflow_provider_hume.client.errors import HumeValidationError
from airflow_provider_hume.client.model_configs import (
    Models,
    Transcription,
    coerce_models,
    coerce_transcription,
)

MAX_URLS = 100
MAX_TEXTS = 100
MAX_FILES = 100
_ARCHIVE_HINT = "put them in a .zip or .tar.gz archive or split the job"


def _string_tuple(value: Any, path: str) -> tuple[str, ...]:
    """A single string, a sequence of strings or None, as a tuple."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, Sequence):
        raise invalid(path, "must be a string or a list of strings", value)
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise invalid(f"{path}[{index}]", "must be a string", item)
    return tuple(value)


def _check_count(count: int, path: str, maximum: int, counted: str = "") -> None:
    if count > maximum:
        raise HumeValidationError(
            f"{path} has {count} entries{counted} but Hume accepts at most {maximum} per job; {_ARCHIVE_HINT}"
        )


def check_input_counts(*, urls: int, files: int, texts: int, counted: str = "") -> None:
    """Hume's per-job input limits (hume-api-v0.md §2.11): at most 100 of each kind, at least one input.

    ``counted`` explains what the counts include, e.g. ``" (s3:// entries included)"``.
    """
    _check_count(urls, "urls", MAX_URLS, counted)
    _check_count(files, "files", MAX_FILES, counted)
    _check_count(texts, "text", MAX_TEXTS, counted)
    if not (urls or files or texts):
        raise HumeValidationError("a Hume job needs at least one input: urls, text or files")


@dataclass(frozen=True)
class JobRequest:
    """What to analyse and how: the JSON body of ``POST /v0/batch/jobs`` (or its ``json`` part with files).

    ``transcription=False`` disables transcription (sent as JSON null); None leaves Hume's default.
    """

    urls: tuple[str, ...] = ()
    text: tuple[str, ...] = ()
    models: Models | None = None
    transcription: Transcription | Literal[False] | None = None
    callback_url: str | None = None
    notify: bool | None = None

    def __post_init__(self) -> None:
        urls = tuple(
            check_http_url(url, f"urls[{index}]")
            for index, url in enumerate(_string_tuple(self.urls, "urls"))
        )
        _check_count(len(urls), "urls", MAX_URLS)
        text = _string_tuple(self.text, "text")
        for index, item in enumerate(text):
            if not item.strip():
                raise invalid(f"text[{index}]", "must be a non-empty string", item)
        _check_count(len(text), "text", MAX_TEXTS)
        object.__setattr__(self, "urls", urls)
        object.__setattr__(self, "text", text)
        if self.models is not None:
            if not isinstance(self.models, Models):
                raise invalid("models", "must be a Models object or None", self.models)
            if not self.models.enabled:
                raise HumeValidationError(
                    "models enables no model; name at least one (face, burst, prosody, language, ner, "
                    "facemesh) or leave models unset to run them all"
                )
        if self.transcription not in (None, False) and not isinstance(self.transcription, Transcription):
            raise invalid(
                "transcription", "must be a Transcription object, False (disable) or None", self.transcription
            )
        if self.callback_url is not None:
            object.__setattr__(self, "callback_url", check_http_url(self.callback_url, "callback_url"))
        if self.notify is not None:
            check_bool(self.notify, "notify")

    @classmethod
    def build(
        cls,
        *,
        urls: str | Sequence[str] | None = None,
        text: str | Sequence[str] | None = None,
        models: Models | Mapping[str, Any] | None = None,
        transcription: Transcription | Mapping[str, Any] | Literal[False] | None = None,
        callback_url: str | None = None,
        notify: bool | None = None,
    ) -> JobRequest:
        """Build from loose inputs (a single string, lists, API-shaped dicts) as templated DAGs give them."""
        return cls(
            urls=_string_tuple(urls, "urls"),
            text=_string_tuple(text, "text"),
            models=coerce_models(models),
            transcription=coerce_transcription(transcription),
            callback_url=callback_url,
            notify=notify,
        )

    def validate_inputs(self, files_count: int = 0) -> None:
        """Check that the job has something to analyse and at most ``MAX_FILES`` uploaded files."""
        check_input_counts(urls=len(self.urls), files=files_count, texts=len(self.text))

    def to_api(self) -> dict[str, Any]:
        """The JSON body; unset fields are omitted, disabled transcription is sent as null."""
        body: dict[str, Any] = {}
        if self.models is not None:
            body["models"] = self.models.to_api()
        if self.transcription is False:
            body["transcription"] = None
        elif self.transcription is not None:
            body["transcription"] = self.transcription.to_api()
        if self.urls:
            body["urls"] = list(self.urls)
        if self.text:
            body["text"] = list(self.text)
        if self.callback_url is not None:
            body["callback_url"] = self.callback_url
        if self.notify is not None:
            body["notify"] = self.notify
        return body
