"""Where a transfer writes: one interface over S3 (through ``S3Hook``) and any fsspec store.

A destination names places by *location* (an S3 key, or a path in an fsspec filesystem), gives each its URI,
recognises what an earlier try wrote there (see :mod:`~airflow_provider_hume.transfers.output_marks`) and
writes a stream or a local file there atomically, marked: a body that breaks off stores nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from airflow_provider_hume.client import ByteStream
from airflow_provider_hume.transfers.output_marks import OutputMark, earlier_output


class Destination(Protocol):
    """A place a transfer writes to: ``location`` for its one object, or the base of its tables."""

    location: str

    def uri(self, location: str) -> str:
        """The URI of ``location``, for logs, XCom and lineage."""
        ...

    def earlier_output(self, location: str, mark: OutputMark) -> OutputMark | None:
        """The mark of the object at ``location`` if a transfer wrote it for ``mark``'s job, body and format;
        ``None`` if there is none. Any other object raises ``FileExistsError``."""
        ...

    def write_stream(self, stream: ByteStream, location: str, mark: OutputMark) -> None:
        """Copy ``stream`` to ``location`` marked with ``mark``; nothing is stored if reading it raises."""
        ...

    def write_file(self, path: Path, location: str, mark: OutputMark) -> None:
        """Copy the local file ``path`` to ``location`` marked with ``mark``."""
        ...


class S3Destination:
    """A bucket of S3 through an ``S3Hook`` whose uploads carry ``upload_metadata`` (see ``_s3``).

    A stream goes up as a managed multipart upload, aborted when reading the stream raises.
    """

    def __init__(self, hook: Any, bucket: str, key: str, *, field: str = "s3_key") -> None:
        self.hook = hook
        self.bucket = bucket
        self.location = key
        self.field = field

    def uri(self, location: str) -> str:
        return f"s3://{self.bucket}/{location}"

    def earlier_output(self, location: str, mark: OutputMark) -> OutputMark | None:
        return earlier_output(self.hook, self.bucket, location, mark, field=self.field)

    def write_stream(self, stream: ByteStream, location: str, mark: OutputMark) -> None:
        self.hook.upload_metadata = mark.metadata()
        self.hook.load_file_obj(stream, key=location, bucket_name=self.bucket, replace=True)

    def write_file(self, path: Path, location: str, mark: OutputMark) -> None:
        self.hook.upload_metadata = mark.metadata()
        self.hook.load_file(str(path), key=location, bucket_name=self.bucket, replace=True)
