"""The provider's one place for S3: ``s3://`` URIs, and ``S3Hook`` imported only when S3 is used.

The Amazon provider is an optional extra (``airflow-provider-hume[amazon]``); without it every S3 feature
fails with the same message saying how to install it, and nothing else in the package needs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from airflow_provider_hume.client import HumeValidationError

SCHEME = "s3://"
MISSING_AMAZON_PROVIDER = (
    "S3 needs the Amazon provider, which is not installed: pip install 'airflow-provider-hume[amazon]'"
)


@dataclass(frozen=True)
class S3Uri:
    """An ``s3://bucket/key`` URI; a key that is empty or ends in ``/`` names a prefix."""

    bucket: str
    key: str

    @classmethod
    def parse(cls, value: str, field: str) -> S3Uri:
        """Parse ``value``; ``field`` names the argument in the error raised for a malformed URI."""
        text = value.strip()
        if not is_s3_uri(text):
            raise HumeValidationError(f"{field} must be an s3://bucket/key URI (got {value!r})")
        bucket, _, key = text[len(SCHEME) :].partition("/")
        if not bucket or any(char.isspace() for char in bucket):
            raise HumeValidationError(
                f"{field} must look like s3://bucket/key or s3://bucket/prefix/ (got {value!r})"
            )
        return cls(bucket, key)

    @property
    def is_prefix(self) -> bool:
        """Whether the URI names every object under a prefix rather than one object."""
        return self.key == "" or self.key.endswith("/")

    @property
    def uri(self) -> str:
        return f"{SCHEME}{self.bucket}/{self.key}"

    def __str__(self) -> str:
        return self.uri


def is_s3_uri(value: str) -> bool:
    """Whether ``value`` is written as an ``s3://`` URI (case-insensitive scheme)."""
    return value.strip().lower().startswith(SCHEME)


def object_uri(value: str, field: str) -> S3Uri:
    """An ``s3://bucket/key`` URI naming one object (not a prefix)."""
    location = S3Uri.parse(value, field)
    if location.is_prefix:
        raise HumeValidationError(f"{field} must name one object, s3://bucket/key (got {value!r})")
    return location


def s3_hook(aws_conn_id: str | None, **kwargs: Any) -> Any:
    """An ``S3Hook`` for ``aws_conn_id``; a clear :class:`ImportError` when the Amazon provider is missing."""
    try:
        from airflow.providers.amazon.aws.hooks.s3 import S3Hook
    except ImportError as err:
        raise ImportError(MISSING_AMAZON_PROVIDER) from err
    return S3Hook(aws_conn_id=aws_conn_id, **kwargs)
