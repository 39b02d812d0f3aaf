"""``s3://`` entries in the submit operator's ``urls``/``files``: parsed first, resolved before submission.

``s3://bucket/key`` names one object and ``s3://bucket/prefix/`` (trailing slash) every object under it.
In ``presigned`` mode each object becomes a presigned GET URL that Hume downloads itself, so no media passes
through the worker; in ``upload`` mode each object is streamed from S3 into the multipart body. Either way the
total stays within Hume's 100-input limit, checked while listing so a huge prefix is never listed in full.
Presigned URLs carry a signature: log lines name only the bucket and key.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO, Literal, cast

from airflow_provider_hume._s3 import S3Uri, s3_hook
from airflow_provider_hume.client import MAX_URLS, HumeValidationError, UploadSource, is_md5

log = logging.getLogger(__name__)

S3InputMode = Literal["presigned", "upload"]
S3_INPUT_MODES: tuple[str, ...] = ("presigned", "upload")


@dataclass(frozen=True)
class S3Object:
    """One object to send to Hume; ``etag`` as S3 reports it (unquoted), when it did."""

    bucket: str
    key: str
    size: int
    etag: str | None = None

    @property
    def md5(self) -> str | None:
        """The object's MD5 when its ETag is one (single-part uploads without SSE-KMS), else None."""
        etag = (self.etag or "").lower()
        return etag if is_md5(etag) else None

    @property
    def uri(self) -> str:
        return S3Uri(self.bucket, self.key).uri


class S3InputResolver:
    """Lists and checks ``s3://`` entries, then presigns or opens the objects (S3 network calls only)."""

    def __init__(self, aws_conn_id: str | None, *, caller: str) -> None:
        self.hook = s3_hook(aws_conn_id, caller=caller)
        self._client: Any = self.hook.get_conn()

    def expand(self, locations: Sequence[S3Uri], limit: int, field: str) -> list[S3Object]:
        """Every object the locations name, at most ``limit`` in all; a missing key or empty prefix fails."""
        objects: list[S3Object] = []
        for location in locations:
            if location.is_prefix:
                found = self._list(location, limit - len(objects), field)
                if not found:
                    raise HumeValidationError(f"{location.uri} holds no objects")
                objects.extend(found)
            else:
                objects.append(self._head(location))
            if len(objects) > limit:
                raise HumeValidationError(f"{field}: the s3:// entries name more than {limit} objects")
        return objects

    def _list(self, location: S3Uri, room: int, field: str) -> list[S3Object]:
        found: list[S3Object] = []
        pages = self._client.get_paginator("list_objects_v2").paginate(
            Bucket=location.bucket, Prefix=location.key
        )
        for page in pages:
            for item in page.get("Contents", []):
                if item["Key"].endswith("/"):
                    continue  # a "folder" marker, not media
                found.append(
                    S3Object(location.bucket, item["Key"], int(item["Size"]), _etag(item.get("ETag")))
                )
                if len(found) > room:
                    raise HumeValidationError(
                        f"{field}: {location.uri} holds more objects than the {room} Hume still accepts "
                        f"in this job (Hume takes at most {MAX_URLS} inputs per job); use a narrower prefix"
                    )
        return found

    def _head(self, location: S3Uri) -> S3Object:
        from botocore.exceptions import ClientError

        try:
            head = self._client.head_object(Bucket=location.bucket, Key=location.key)
        except ClientError as err:
            code = str(err.response.get("Error", {}).get("Code", ""))
            if code in ("404", "NoSuchKey", "NotFound"):
                raise HumeValidationError(f"{location.uri} does not exist") from None
            raise
        return S3Object(location.bucket, location.key, int(head["ContentLength"]), _etag(head.get("ETag")))

    def presign(self, obj: S3Object, expiry_seconds: int) -> str:
        """A GET URL for the object; only its bucket and key are logged, never the signature."""
        url = self.hook.generate_presigned_url(
            "get_object", params={"Bucket": obj.bucket, "Key": obj.key}, expires_in=expiry_seconds
        )
        if not url:
            raise HumeValidationError(f"could not presign {obj.uri}")
        log.info("Hume input %s: presigned GET URL valid for %ds", obj.uri, expiry_seconds)
        return str(url)

    def upload_source(self, obj: S3Object) -> UploadSource:
        """A multipart file part streamed from a fresh GET on every attempt (nothing touches disk)."""

        def open_body() -> BinaryIO:
            response = self._client.get_object(Bucket=obj.bucket, Key=obj.key)
            if int(response["ContentLength"]) != obj.size:
                response["Body"].close()
                raise OSError(f"{obj.uri} changed size while the job was being submitted")
            return cast(BinaryIO, response["Body"])

        name = obj.key.rsplit("/", 1)[-1] or "object"
        return UploadSource(name=name, size=obj.size, open=open_body, md5=obj.md5)


def _etag(value: Any) -> str | None:
    return value.strip().strip('"') if isinstance(value, str) else None
