"""Recognise what an earlier try of a transfer wrote, so that ``replace=False`` is safe to retry.

Every object a transfer uploads carries S3 user metadata naming the Hume job, the body (``predictions`` or
``artifacts``) and the format written, and for the per-model formats every table of the set. The metadata
goes in the upload's own request (``PutObject``, or ``CreateMultipartUpload`` for a multipart upload), so an
object never exists without its mark, and an upload that breaks off stores nothing. A completed job's body
never changes, so an object with the same job, body and format holds what this try would write: with
``replace=False`` it counts as done. Any other object at the key fails the task. The mark is read back from
the ``HEAD`` request that looks for an existing object anyway.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

JOB_ID = "hume-job-id"
BODY = "hume-body"
FORMAT = "hume-format"
TABLES = "hume-tables"


@dataclass(frozen=True)
class OutputMark:
    """What an object holds: ``body`` of Hume job ``job_id`` as ``output_format``; for the per-model
    formats, ``tables`` lists every model table written with it."""

    job_id: str
    body: str
    output_format: str
    tables: tuple[str, ...] = ()

    def metadata(self) -> dict[str, str]:
        """The S3 user metadata to upload with the object (keys lower-case, as S3 returns them)."""
        data = {JOB_ID: self.job_id, BODY: self.body, FORMAT: self.output_format}
        if self.tables:
            data[TABLES] = ",".join(self.tables)
        return data

    @classmethod
    def from_head(cls, head: Mapping[str, Any]) -> OutputMark | None:
        """The mark in a ``head_object`` answer, or ``None`` for an object no transfer wrote."""
        return cls.from_metadata(head.get("Metadata") or {})

    @classmethod
    def from_metadata(cls, found: Mapping[str, Any]) -> OutputMark | None:
        """The mark in an object's user metadata (any case of keys), or ``None`` for an unmarked object."""
        metadata = {str(key).lower(): str(value) for key, value in found.items()}
        if not all(metadata.get(key) for key in (JOB_ID, BODY, FORMAT)):
            return None
        tables = tuple(name for name in metadata.get(TABLES, "").split(",") if name)
        return cls(metadata[JOB_ID], metadata[BODY], metadata[FORMAT], tables)

    def same_output(self, other: OutputMark) -> bool:
        """Whether ``other`` marks the same job's same body in the same format (tables aside)."""
        return (self.job_id, self.body, self.output_format) == (other.job_id, other.body, other.output_format)


def earlier_output(
    s3: Any, bucket: str, key: str, mark: OutputMark, *, field: str = "s3_key"
) -> OutputMark | None:
    """The mark of the object at ``key`` if a transfer wrote it for ``mark``'s job, body and format; ``None``
    if there is no object. Any other object raises ``FileExistsError`` naming the key and the fix."""
    head = s3.head_object(key, bucket)
    if head is None:
        return None
    return judge_existing(OutputMark.from_head(head), mark, uri=f"s3://{bucket}/{key}", field=field)


def judge_existing(found: OutputMark | None, mark: OutputMark, *, uri: str, field: str) -> OutputMark:
    """``found``, the mark of the object at ``uri``, if it marks ``mark``'s job, body and format; else a
    ``FileExistsError`` naming the object and the fix (``field`` is the argument that chose it)."""
    if found is None or not mark.same_output(found):
        raise FileExistsError(
            f"{uri} already exists and was not written by this transfer for the {mark.body} of "
            f"Hume job {mark.job_id} ({mark.output_format}); set replace=True to overwrite it, "
            f"or choose another {field}."
        )
    return found
