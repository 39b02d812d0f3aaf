"""The provider's one place for S3: ``s3://`` URIs, and ``S3Hook`` imported only when S3 is used.

The Amazon provider is an optional extra (``airflow-provider-hume[amazon]``); without it every S3 feature
fails with the same message saying how to install it (when the operator is built, if its arguments already
say it uses S3), and nothing else in the package needs it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from airflow_provider_hume._extras import installed
from airflow_provider_hume._gc import collector_paused
from airflow_provider_hume.client import HumeValidationError

SCHEME = "s3://"
MISSING_AMAZON_PROVIDER = (
    "S3 needs the Amazon provider, which is not installed: pip install 'airflow-provider-hume[amazon]'"
)
S3_HOOK_MODULE: Final = "airflow.providers.amazon.aws.hooks.s3"


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


def names_s3(*values: Any) -> bool:
    """Whether any of ``values``, as given to an operator (a string, or a list or dict of strings), is an
    ``s3://`` URI. Templates and XCom references are not known yet: they are judged when they render."""
    for value in values:
        if isinstance(value, str):
            items: Iterable[Any] = [value]
        elif isinstance(value, Mapping):
            items = value.values()
        elif isinstance(value, (list, tuple)):
            items = value
        else:
            continue
        if any(isinstance(item, str) and is_s3_uri(item) for item in items):
            return True
    return False


def require_amazon_provider() -> None:
    """Raise :data:`MISSING_AMAZON_PROVIDER` unless ``S3Hook`` can be imported. Found without importing it,
    so operators call this when they are built: the DAG then fails to parse instead of its first task."""
    if not installed(S3_HOOK_MODULE):
        raise ImportError(MISSING_AMAZON_PROVIDER)


MIB: Final = 1024 * 1024
#: s3transfer's bound on the parts of a stream of unknown size read ahead of their upload; not an argument
#: of boto3's ``TransferConfig``, so it is set on the config after the hook builds it.
IN_MEMORY_CHUNKS: Final = "max_in_memory_upload_chunks"
#: A body of unknown size (a response stream) goes up in 8 MiB parts, 4 in flight, at most 3 read ahead:
#: the upload holds about (3 + 1) x 8 MiB whatever the size. s3transfer's own default reads up to 10 parts
#: ahead, which with 16 MiB parts held 160 MiB. Parts of 8 MiB allow objects up to 78 GiB (10,000 parts).
STREAM_UPLOAD_DEFAULTS: Final[Mapping[str, int]] = {
    "multipart_threshold": 8 * MIB,
    "multipart_chunksize": 8 * MIB,
    "max_concurrency": 4,
    IN_MEMORY_CHUNKS: 3,
}


def s3_hook(aws_conn_id: str | None, *, caller: str, **kwargs: Any) -> Any:
    """An ``S3Hook`` for ``aws_conn_id``; a clear :class:`ImportError` when the Amazon provider is missing.

    ``caller`` names the operator in the hook's user agent (``Caller/...``). Left to itself the hook finds
    that name by walking the stack with ``inspect.stack()``, which reads the source of every frame and took
    0.2 s and more per client in a task.
    """
    with collector_paused():
        try:
            from airflow.providers.amazon.aws.hooks.s3 import S3Hook
        except ImportError as err:
            raise ImportError(MISSING_AMAZON_PROVIDER) from err
        return _named_caller(S3Hook)(caller, aws_conn_id=aws_conn_id, **kwargs)


@functools.cache
def _named_caller(base: type[Any]) -> type[Any]:
    """``base`` (``S3Hook``) with the caller named up front instead of found on the stack, and with
    ``upload_metadata``: S3 user metadata set on every object it uploads (``load_file``, ``load_file_obj``)
    in the upload's own request, so an object never exists without it."""

    class NamedCallerS3Hook(base):  # type: ignore[misc]
        def __init__(self, caller: str, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.caller_name = caller
            self.upload_metadata: dict[str, str] = {}

        def _get_caller(self, target_function_name: str = "execute") -> str:
            return self.caller_name

        @property
        def extra_args(self) -> dict[str, Any]:
            args: dict[str, Any] = super().extra_args
            if self.upload_metadata:
                args["Metadata"] = {**args.get("Metadata", {}), **self.upload_metadata}
            return args

    return NamedCallerS3Hook


def stream_upload_hook(
    aws_conn_id: str | None, transfer_config_args: Mapping[str, Any] | None, *, caller: str
) -> Any:
    """An ``S3Hook`` whose uploads of streams hold a bounded number of parts in memory.

    ``transfer_config_args`` are merged over :data:`STREAM_UPLOAD_DEFAULTS` key by key (and the connection's
    ``service_config`` ``transfer_config_args`` over both, as ``S3Hook`` does); besides boto3's
    ``TransferConfig`` arguments they may give ``max_in_memory_upload_chunks``.
    """
    args = {**STREAM_UPLOAD_DEFAULTS, **(transfer_config_args or {})}
    in_memory = args.pop(IN_MEMORY_CHUNKS)
    hook = s3_hook(aws_conn_id, caller=caller, transfer_config_args=args)
    hook.transfer_config.max_in_memory_upload_chunks = in_memory
    return hook
