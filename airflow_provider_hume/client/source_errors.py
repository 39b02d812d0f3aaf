"""The failed sources of a COMPLETED job, read from its predictions body (hume-api-v0.md §2.7, §8).

A job can complete while some of its inputs failed: Hume then counts them in the details' ``num_errors`` and
says why in the predictions body, where a source that failed as a whole has a source-level ``error`` string
and a file that failed inside a source (an archive member, an unsupported medium) adds ``{"message", "file"}``
to that source's ``results.errors``. :func:`collect_source_errors` reads the body as a stream of JSON events
(``ijson``): predictions are skipped as they go by, counts are exact, and only the first ``max_samples``
failures are kept, so memory does not grow with the body or with the number of failures.

Tolerated besides the documented shapes: an ``error`` or ``results.errors[]`` entry given as an object with
a ``message`` (or as a plain string), entries without a ``file``, and any order of keys. URLs are shown
without their query string or credentials (presigned S3 URLs carry signatures there), in messages too.
"""

from __future__ import annotations

import re
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Final, Literal, Protocol
from urllib.parse import urlsplit, urlunsplit

import ijson  # type: ignore[import-untyped]

from airflow_provider_hume.client._fields import invalid
from airflow_provider_hume.client.body_framing import Verification
from airflow_provider_hume.client.errors import HumeError, truncate

OnSourceError = Literal["warn", "fail"]
#: What a task may do when a completed job has failed sources: log them and succeed, or fail.
ON_SOURCE_ERROR_CHOICES: Final[tuple[OnSourceError, ...]] = ("warn", "fail")
#: How many failed sources a task logs one by one (the count is always exact).
MAX_LOGGED_SOURCE_ERRORS: Final = 50
#: How many failed sources a task's failure message names.
MAX_NAMED_IN_FAILURE: Final = 5
#: Longest error message kept from Hume, in characters.
MAX_MESSAGE_CHARS: Final = 500

_SCALARS: Final = frozenset({"string", "number", "boolean", "null"})
# What the parser does at each prefix it cares about; every other event (predictions, mostly) is skipped
# with one dict lookup, which is what keeps the parse close to ijson's own speed.
_SOURCE, _FIELD, _ERROR, _ERROR_KEY = range(4)
_ROUTES: Final[dict[str, tuple[int, str]]] = {
    "item": (_SOURCE, ""),
    **{f"item.source.{key}": (_FIELD, key) for key in ("type", "url", "filename")},
    "item.error": (_ERROR, "source"),
    "item.results.errors.item": (_ERROR, "file"),
    **{
        f"{base}.{key}": (_ERROR_KEY, key)
        for base in ("item.error", "item.results.errors.item")
        for key in ("message", "file")
    },
}
_URL_IN_TEXT: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]+")


def check_on_source_error(value: Any, name: str = "on_source_error") -> OnSourceError:
    """``value`` if it is one of :data:`ON_SOURCE_ERROR_CHOICES`, else a ``ValueError`` naming ``name``."""
    for choice in ON_SOURCE_ERROR_CHOICES:
        if value == choice and isinstance(value, str):
            return choice
    choices = " or ".join(repr(choice) for choice in ON_SOURCE_ERROR_CHOICES)
    raise invalid(name, f"must be {choices}", value)


def safe_url(url: str) -> str:
    """``url`` without credentials, query string or fragment: what may be shown in logs and messages."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "<unparseable URL>"
    netloc = f"[{host}]" if ":" in host else host
    netloc = f"{netloc}:{port}" if port is not None else netloc
    hidden = "?..." if parts.query or parts.fragment else ""
    return urlunsplit((parts.scheme, netloc, parts.path, "", "")) + hidden


def safe_message(message: str) -> str:
    """Hume's message with every URL in it shown by :func:`safe_url`, cut to :data:`MAX_MESSAGE_CHARS`."""
    return truncate(_URL_IN_TEXT.sub(_shown_url, message), MAX_MESSAGE_CHARS)


def _shown_url(match: re.Match[str]) -> str:
    """A URL found in a message, shown safely; punctuation that ends the sentence stays outside it."""
    text = match.group(0)
    url = text.rstrip(".,;:!?)]}")
    return safe_url(url) + text[len(url) :]


@dataclass(frozen=True)
class SourceError:
    """One failure: the source it belongs to (its position in the body, 0-based) and Hume's message.

    ``source`` is the URL (shown safely) or the uploaded file's name; ``file`` names the failed file inside
    the source when Hume said (an archive member, ``text_<n>`` for the n-th text in the emulator).
    """

    index: int
    source_type: str | None
    source: str | None
    file: str | None
    message: str

    @property
    def where(self) -> str:
        """What failed: ``https://host/clip.mp4``, ``faces.zip [faces/1.jpg]``, ``text [text_0]``."""
        name = self.source or self.source_type or f"source #{self.index}"
        if self.file and self.file != name and not name.endswith(f"/{self.file}"):
            return f"{name} [{self.file}]"
        return name

    def describe(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class SourceErrorReport:
    """What a predictions body says failed: exact counts, and the first ``max_samples`` failures."""

    max_samples: int = MAX_LOGGED_SOURCE_ERRORS
    sources: int = 0
    failed_sources: int = 0
    errors: int = 0
    samples: list[SourceError] = field(default_factory=list)

    @property
    def not_shown(self) -> int:
        """Failures counted but not kept in ``samples``."""
        return self.errors - len(self.samples)

    def log_lines(self, job_id: str) -> list[str]:
        """One line per kept failure, then ``... and N more`` when some were not kept."""
        lines = [f"Hume job {job_id}: input failed: {error.describe()}" for error in self.samples]
        if self.not_shown:
            lines.append(f"Hume job {job_id}: ... and {self.not_shown} more failed input(s)")
        return lines

    def summary(self, job_id: str) -> str:
        """``Hume job X completed with N failed input(s) in M of K source(s)``."""
        return (
            f"Hume job {job_id} completed with {self.errors} failed input(s) in {self.failed_sources} of "
            f"{self.sources} source(s)"
        )

    def failure_message(self, job_id: str, named: int = MAX_NAMED_IN_FAILURE) -> str:
        """The summary naming the first ``named`` failures, for a task that fails on them."""
        first = "; ".join(error.describe() for error in self.samples[:named])
        rest = self.errors - min(named, len(self.samples))
        more = f"; and {rest} more" if rest else ""
        return f"{self.summary(job_id)} (on_source_error='fail'): {first}{more}"


class _Source:
    """The source being read: its descriptor fields and its failures, held until the source ends (keys come
    in any order, so the descriptor may follow the errors it labels); at most ``room`` failures are held."""

    def __init__(self, index: int, room: int) -> None:
        self.index = index
        self.room = room
        self.fields: dict[str, Any] = {}
        self.errors = 0
        self.held: list[tuple[str | None, str]] = []
        self.entry: dict[str, Any] = {}

    def event(self, action: int, key: str, event: str, value: Any) -> None:
        """Take one parse event at a prefix of :data:`_ROUTES` inside this source."""
        if action == _FIELD:
            if event in _SCALARS:
                self.fields[key] = value
        elif action == _ERROR_KEY:
            if event in _SCALARS:
                self.entry[key] = value
        elif event == "start_map":
            self.entry = {}
        elif event == "end_map":
            self.add(self.entry.get("file"), self.entry.get("message"))
        elif event == "string" and (key == "file" or value.strip()):
            # A plain-string entry of ``results.errors``, or a non-empty source-level ``error``.
            self.add(None, value)

    def add(self, file: Any, message: Any) -> None:
        self.errors += 1
        if len(self.held) < self.room:
            text = message if isinstance(message, str) and message.strip() else "no message from Hume"
            self.held.append((file if isinstance(file, str) and file else None, safe_message(text)))

    def failures(self) -> list[SourceError]:
        """The held failures, labelled with the source's URL (shown safely) or file name."""
        kind = self.fields.get("type")
        kind = kind if isinstance(kind, str) and kind else None
        url, filename = self.fields.get("url"), self.fields.get("filename")
        name: str | None = None
        if isinstance(url, str) and url and kind in ("url", None):
            name = safe_url(url)
        elif isinstance(filename, str) and filename:
            name = filename
        return [SourceError(self.index, kind, name, file, message) for file, message in self.held]


def collect_source_errors(stream: Any, max_samples: int = MAX_LOGGED_SOURCE_ERRORS) -> SourceErrorReport:
    """Read a predictions body (a binary stream) to its end and report its failed sources.

    Only the source being read and the first ``max_samples`` failures are held, whatever the body's size.
    """
    report = SourceErrorReport(max_samples=max_samples)
    source: _Source | None = None
    for prefix, event, value in ijson.parse(stream):
        route = _ROUTES.get(prefix)
        if route is None:
            continue
        action, key = route
        if action != _SOURCE:
            if source is not None:
                source.event(action, key, event, value)
        elif event == "start_map":
            source = _Source(report.sources, max_samples - len(report.samples))
        elif event == "end_map" and source is not None:
            report.sources += 1
            if source.errors:
                report.failed_sources += 1
                report.errors += source.errors
                report.samples.extend(source.failures())
            source = None
    return report


class PredictionsReader(Protocol):
    """What :func:`read_source_errors` needs of a client: :meth:`HumeBatchClient.open_predictions`."""

    def open_predictions(
        self, job_id: str, *, verify: Verification = "unframed"
    ) -> AbstractContextManager[BinaryIO]: ...


def read_source_errors(
    client: PredictionsReader, job_id: str, max_samples: int = MAX_LOGGED_SOURCE_ERRORS
) -> SourceErrorReport:
    """Stream the job's predictions (verified whole) and report its failed sources.

    Raises :class:`HumeError` when the body cannot be read or is not JSON.
    """
    with client.open_predictions(job_id) as body:
        try:
            return collect_source_errors(body, max_samples)
        except ijson.JSONError as err:
            detail = truncate(str(err), 200)
            raise HumeError(
                f"Hume returned predictions for job {job_id} that are not valid JSON: {detail}"
            ) from err
