"""Operators that stream a Hume job's predictions or artifacts to any object store Airflow knows.

The destination is an ``airflow.sdk.ObjectStoragePath`` or a URI string (templated) with ``conn_id``, as
Airflow's object storage takes them: ``s3://``, ``gs://``, ``abfs://``, ``file://`` and any scheme a provider
registers or ``airflow.sdk.io.attach`` attaches. ``s3://`` goes through the Amazon provider's ``S3Hook``, as
the S3 transfers do (see ``resolve_destination``); every other scheme through the path's fsspec filesystem
(see ``storage``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow_provider_hume._gc import collector_paused
from airflow_provider_hume._s3 import require_amazon_provider, stream_upload_hook
from airflow_provider_hume.transfers.base import ArtifactsTransfer, HumeTransferOperator, PredictionsTransfer
from airflow_provider_hume.transfers.destinations import Destination, S3Destination
from airflow_provider_hume.transfers.storage import StorageDestination

if TYPE_CHECKING:
    from airflow.sdk import ObjectStoragePath


#: Schemes written through ``S3Hook`` (the Amazon provider's object storage schemes).
S3_SCHEMES = frozenset({"s3", "s3a", "s3n"})


def _scheme(text: str) -> str:
    scheme, separator, _ = text.partition("://")
    return scheme.lower() if separator else ""


def check_path(path: Any) -> None:
    """Refuse a ``path`` that is neither an ``ObjectStoragePath`` nor a URI with a scheme (a template is
    judged once rendered); an ``s3://`` one needs the Amazon provider."""
    if not isinstance(path, str):
        if not hasattr(path, "protocol"):
            raise TypeError(f"path must be an ObjectStoragePath or a URI string (got {type(path).__name__})")
        return
    if "{{" in path or "{%" in path:
        return
    scheme = _scheme(path.strip())
    if not scheme:
        raise ValueError(
            f"path must be a URI with a scheme, e.g. s3://bucket/key, gs://bucket/key, "
            f"abfs://container/key or file:///absolute/path (got {path!r})"
        )
    if scheme in S3_SCHEMES:
        require_amazon_provider()


def resolve_destination(
    path: str | ObjectStoragePath,
    conn_id: str | None,
    *,
    caller: str,
    transfer_config_args: dict[str, Any] | None = None,
) -> Destination:
    """The destination ``path`` names: ``S3Hook`` for the S3 schemes (``conn_id`` is the AWS connection),
    else the fsspec filesystem Airflow's object storage resolves for the path's scheme and connection.

    A string keeps a trailing ``/``, which makes the tables' keys ``<path>face.csv`` ...
    """
    from airflow.sdk import ObjectStoragePath

    check_path(path)
    text = path.strip() if isinstance(path, str) else ""
    storage = ObjectStoragePath(text, conn_id=conn_id) if isinstance(path, str) else path
    prefix = "/" if text.endswith("/") else ""
    if storage.protocol in S3_SCHEMES:
        with collector_paused():
            hook = stream_upload_hook(_conn_id(storage), transfer_config_args, caller=caller)
            hook.get_conn()
        bucket, _, key = storage.path.partition("/")  # 3.1's .bucket keeps the connection: conn@bucket
        return S3Destination(hook, bucket, key + prefix, field="path")
    return StorageDestination(storage.fs, storage.path + prefix, storage.protocol)


def _conn_id(path: ObjectStoragePath) -> str | None:
    """The path's connection: its ``conn_id`` (Airflow 3.2+), or its ``conn_id`` storage option (3.1)."""
    conn_id: str | None = getattr(path, "conn_id", None)
    return conn_id if conn_id is not None else path.storage_options.get("conn_id")


class _HumeToStorageOperator(HumeTransferOperator):
    """Stream one body of a completed Hume job to ``path``; return the URI written."""

    template_fields: Sequence[str] = ("job_id", "path", "conn_id", "hume_conn_id")

    def __init__(
        self,
        *,
        path: str | ObjectStoragePath,
        conn_id: str | None = None,
        transfer_config_args: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        check_path(path)
        self.path = path
        self.conn_id = conn_id
        self.transfer_config_args = transfer_config_args or {}
        self.declare_output_assets(kwargs)

    def destination(self) -> Destination:
        return resolve_destination(
            self.path,
            self.conn_id,
            caller=type(self).__name__,
            transfer_config_args=self.transfer_config_args,
        )

    def destination_uris(self) -> list[str]:
        path = self.path
        if isinstance(path, str):
            return [path.strip()]
        return [f"{path.protocol}://{path.path}"]


class HumePredictionsToStorageOperator(PredictionsTransfer, _HumeToStorageOperator):
    """
    Copy the predictions of a completed Hume job to any object store, raw or as tables; return the URI(s).

    The same formats and guarantees as :class:`~airflow_provider_hume.transfers.HumePredictionsToS3Operator`
    (``json``, ``jsonl``, ``csv``, ``parquet``; streamed, checked, nothing stored from a body that breaks
    off, ``replace=False`` safe to retry), to a destination given as Airflow's object storage takes it.

    :param job_id: The Hume job id (templated).
    :param path: An ``ObjectStoragePath``, or a URI string (templated): ``s3://bucket/key``,
        ``gs://bucket/key``, ``abfs://container/key``, ``file:///absolute/path``, ... For ``csv`` and
        ``parquet`` the base of the per-model names (``p.csv`` gives ``p.face.csv`` ...; a string ending in
        ``/`` gives ``face.csv`` ... under it).
    :param conn_id: The connection of the store, for a string ``path`` (templated); an
        ``ObjectStoragePath`` carries its own. ``None`` uses the store's default credentials.
    :param replace: Overwrite an existing object. ``False`` (the default) fails the task on an object that
        this transfer did not write for the same job and format.
    :param hume_conn_id: The ``hume`` connection (templated).
    :param verify_body: How much of the body's format is checked as it streams: ``"unframed"`` (the default)
        checks the whole body when its HTTP framing cannot prove it whole (no ``Content-Length`` and not
        chunked) and its first 64 KiB otherwise; ``"always"`` checks every body whole, which also catches a
        server that ends a chunked body early on its own or sends damaged JSON or ZIP entries, at about 2 to
        3 s of CPU a GiB (see docs/transfers.md).
    :param transfer_config_args: For ``s3://`` only: ``boto3`` ``TransferConfig`` arguments, as the S3
        transfers take them.
    :param output_format: ``json`` (raw body), ``jsonl``, ``csv`` or ``parquet``; checked when the operator
        is built, as is pyarrow for ``parquet``.
    """


class HumeArtifactsToStorageOperator(ArtifactsTransfer, _HumeToStorageOperator):
    """
    Stream the artifacts ZIP of a completed Hume job to any object store and return the URI written.

    Same parameters and guarantees as :class:`HumePredictionsToStorageOperator`; the ZIP is checked while it
    streams, as :class:`~airflow_provider_hume.transfers.HumeArtifactsToS3Operator` checks it.
    """
