"""The source files of the ``v1`` measuring operators: local paths, ``s3://`` keys and ``s3://`` prefixes.

Every source is resolved and checked (it exists, it is a readable file, a prefix is not empty) before any
request to Hume, so a typo fails the task naming the entry. S3 objects are downloaded to local temporary files
one at a time when their turn comes (streamed to disk, never held in memory): decoders need to seek.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from airflow_provider_hume._s3 import S3Uri, is_s3_uri, s3_hook
from airflow_provider_hume.client import HumeValidationError
from airflow_provider_hume.operators._batch_inputs import as_strings


@dataclass(frozen=True)
class SourceFile:
    """One file to measure: its name in outputs (``uri``), size, and a version tag that changes with it."""

    uri: str
    size: int
    version: str
    path: Path | None = None
    s3: S3Uri | None = None

    @property
    def name(self) -> str:
        """The file name alone (used as the request part's name)."""
        return self.uri.rstrip("/").rsplit("/", 1)[-1] or "file"

    def key(self, *settings: Any) -> str:
        """A stable id of this version of the file measured with ``settings`` (staging object names)."""
        text = "\n".join([self.uri, str(self.size), self.version, *map(str, settings)])
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


class SourceResolver:
    """Turns the operator's ``sources`` into :class:`SourceFile` entries, and fetches S3 ones locally."""

    def __init__(self, aws_conn_id: str | None, *, caller: str) -> None:
        self.aws_conn_id = aws_conn_id
        self.caller = caller
        self._client: Any = None

    def _s3(self) -> Any:
        if self._client is None:
            self._client = s3_hook(self.aws_conn_id, caller=self.caller).get_conn()
        return self._client

    def resolve(self, sources: Any, field: str = "sources", *, allow_empty: bool = False) -> list[SourceFile]:
        """Every file the entries name, in order, without duplicates; a bad entry names itself and the fix.

        ``allow_empty``: a prefix holding no objects is not an error (a day without recordings).
        """
        entries = as_strings(sources, field)
        if not entries:
            raise HumeValidationError(f"{field} is empty: give local paths, s3:// keys or s3:// prefixes")
        found: dict[str, SourceFile] = {}
        for index, entry in enumerate(entries):
            where = f"{field}[{index}]"
            files = (
                self._s3_files(entry, where, allow_empty) if is_s3_uri(entry) else [_local_file(entry, where)]
            )
            for item in files:
                found.setdefault(item.uri, item)
        return list(found.values())

    def _s3_files(self, entry: str, where: str, allow_empty: bool) -> list[SourceFile]:
        location = S3Uri.parse(entry, where)
        if location.is_prefix:
            files = self._list(location)
            if not files and not allow_empty:
                raise HumeValidationError(
                    f"{where}: {location.uri} holds no objects; check the prefix (or set allow_empty=True)"
                )
            return files
        from botocore.exceptions import ClientError

        try:
            head = self._s3().head_object(Bucket=location.bucket, Key=location.key)
        except ClientError as err:
            code = str(err.response.get("Error", {}).get("Code", ""))
            if code in ("404", "NoSuchKey", "NotFound"):
                raise HumeValidationError(
                    f"{where}: {location.uri} does not exist; check the key (a prefix ends with '/')"
                ) from None
            raise
        return [_s3_file(location, int(head["ContentLength"]), head.get("ETag"))]

    def _list(self, location: S3Uri) -> list[SourceFile]:
        pages = (
            self._s3().get_paginator("list_objects_v2").paginate(Bucket=location.bucket, Prefix=location.key)
        )
        return sorted(
            (
                _s3_file(S3Uri(location.bucket, item["Key"]), int(item["Size"]), item.get("ETag"))
                for page in pages
                for item in page.get("Contents", [])
                if not item["Key"].endswith("/")
            ),
            key=lambda source: source.uri,
        )

    @contextmanager
    def local_path(self, source: SourceFile, workdir: Path) -> Iterator[Path]:
        """A local path of the file: the file itself, or an S3 object downloaded (removed on exit)."""
        if source.path is not None:
            yield source.path
            return
        assert source.s3 is not None
        target = workdir / f"{source.key()}-{source.name}"
        self._s3().download_file(source.s3.bucket, source.s3.key, str(target))
        try:
            yield target
        finally:
            target.unlink(missing_ok=True)


def _local_file(entry: str, where: str) -> SourceFile:
    path = Path(entry).expanduser()
    if not path.exists():
        raise HumeValidationError(f"{where}: {entry} does not exist; check the path (or use an s3:// URI)")
    if not path.is_file():
        raise HumeValidationError(f"{where}: {entry} is not a file; list the files, or use an s3:// prefix")
    if not os.access(path, os.R_OK):
        raise HumeValidationError(f"{where}: {entry} is not readable by the worker; fix its permissions")
    stat = path.stat()
    resolved = path.resolve()
    return SourceFile(uri=str(resolved), size=stat.st_size, version=str(stat.st_mtime_ns), path=resolved)


def _s3_file(location: S3Uri, size: int, etag: Any) -> SourceFile:
    version = etag.strip().strip('"') if isinstance(etag, str) else ""
    return SourceFile(uri=location.uri, size=size, version=version, s3=location)


def names(sources: Sequence[SourceFile], limit: int = 10) -> str:
    """The first ``limit`` source URIs, for messages."""
    shown = ", ".join(source.uri for source in sources[:limit])
    return shown + (f" ... ({len(sources)} in all)" if len(sources) > limit else "")
