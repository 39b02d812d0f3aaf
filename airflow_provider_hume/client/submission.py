"""Recognising the job a submit created when its answer was lost (hume-api-v0.md §2.5, §2.6.1).

Hume ``v0`` has no idempotency key: a ``POST /v0/batch/jobs`` whose answer never arrived (a 502 from a proxy,
a dropped connection, a worker killed mid-call) may or may not have created a paid job. What the job details
echo of the request (``urls``, ``text``, ``files[].filename``/``md5sum``, the models) and the list endpoint's
``created_after`` filter are enough to find it again: a :class:`SubmissionFingerprint` is recorded before the
POST and compared with the jobs created since.

What remains: two identical submissions started in the same window by different tasks cannot be told apart
(the lookup then refuses to choose and names the candidates); a job Hume has not listed yet is not found; a
file streamed from S3 whose MD5 is unknown (its ETag is not an MD5: multipart uploads, SSE-KMS) makes the
submission unrecognisable, so a lost answer then costs a second job rather than risking another task's job.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from airflow_provider_hume.client._upload import FileInput, UploadSource, check_files
from airflow_provider_hume.client.errors import HumeError
from airflow_provider_hume.client.job_request import JobRequest
from airflow_provider_hume.client.jobs import JobDetails

_HASH_CHUNK = 1024 * 1024


def _without_query(url: str) -> str:
    """A URL without query or fragment: presigned URLs get a new signature on every try."""
    parts = urlsplit(url.strip())
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path, "", ""))


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _file_mark(item: Path | UploadSource) -> tuple[str, str | None]:
    """``(file name, md5)`` of a local file (read once, in chunks), or of a stream whose MD5 is known."""
    if isinstance(item, UploadSource):
        return item.name, item.md5
    return item.name, _md5(item)


@dataclass(frozen=True)
class SubmissionFingerprint:
    """What a job's details echo of the request that created it, enough to recognise that job."""

    urls: tuple[str, ...]
    text: tuple[str, ...]
    files: tuple[tuple[str, str | None], ...]
    models: tuple[str, ...] | None
    callback_url: str | None

    @classmethod
    def of(cls, request: JobRequest, files: FileInput | Sequence[FileInput] = ()) -> SubmissionFingerprint:
        """The fingerprint of submitting ``request`` with ``files`` (local files are hashed, streamed)."""
        return cls(
            urls=tuple(_without_query(url) for url in request.urls),
            text=tuple(request.text),
            files=tuple(_file_mark(item) for item in check_files(files)),
            models=request.models.enabled if request.models is not None else None,
            callback_url=request.callback_url,
        )

    def to_json(self) -> dict[str, Any]:
        """A JSON value for Airflow's task state store."""
        return {
            "urls": list(self.urls),
            "text": list(self.text),
            "files": [list(mark) for mark in self.files],
            "models": None if self.models is None else list(self.models),
            "callback_url": self.callback_url,
        }

    @classmethod
    def from_json(cls, data: Any) -> SubmissionFingerprint:
        """Read back :meth:`to_json`; anything else is a :class:`HumeError`."""
        try:
            models = data["models"]
            return cls(
                urls=tuple(str(url) for url in data["urls"]),
                text=tuple(str(item) for item in data["text"]),
                files=tuple((str(name), None if md5 is None else str(md5)) for name, md5 in data["files"]),
                models=None if models is None else tuple(str(name) for name in models),
                callback_url=None if data["callback_url"] is None else str(data["callback_url"]),
            )
        except (KeyError, TypeError, ValueError) as err:
            raise HumeError(f"Unreadable record of an earlier submission: {err!r}") from None

    @property
    def recognisable(self) -> bool:
        """Whether a job can be told by its echo: every file's MD5 is known (a name alone is not enough:
        ``day=1/clip.wav`` and ``day=2/clip.wav`` would match each other's job)."""
        return all(md5 is not None for _, md5 in self.files)

    def matches(self, details: JobDetails) -> bool:
        """Whether ``details`` echo a request with exactly these inputs (and these models, when set).

        A fingerprint that is not :attr:`recognisable` matches nothing.
        """
        if not self.recognisable:
            return False
        echo = details.request
        urls = tuple(_without_query(str(url)) for url in _list(echo.get("urls")))
        text = tuple(str(item) for item in _list(echo.get("text")))
        if urls != self.urls or text != self.text or not self._same_files(_list(echo.get("files"))):
            return False
        if self.callback_url is not None and echo.get("callback_url") != self.callback_url:
            return False
        return self.models is None or self._enabled(echo.get("models")) == set(self.models)

    def _same_files(self, echoed: list[Any]) -> bool:
        if len(echoed) != len(self.files):
            return False
        for item, (name, md5) in zip(echoed, self.files, strict=True):
            if not isinstance(item, Mapping) or os.path.basename(str(item.get("filename", ""))) != name:
                return False
            if item.get("md5sum") != md5:
                return False
        return True

    @staticmethod
    def _enabled(models: Any) -> set[str]:
        if not isinstance(models, Mapping):
            return set()
        return {str(name) for name, config in models.items() if config is not None}


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else []
