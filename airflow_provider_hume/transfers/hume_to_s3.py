"""Operators that stream a Hume job's predictions or artifacts into S3 without holding them in memory."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow_provider_hume._gc import collector_paused
from airflow_provider_hume._s3 import require_amazon_provider, stream_upload_hook
from airflow_provider_hume.transfers.base import ArtifactsTransfer, HumeTransferOperator, PredictionsTransfer
from airflow_provider_hume.transfers.destinations import Destination, S3Destination


class _HumeToS3Operator(HumeTransferOperator):
    """Stream one body of a completed Hume job into ``s3://s3_bucket/s3_key``; return that URI."""

    template_fields: Sequence[str] = ("job_id", "s3_bucket", "s3_key", "hume_conn_id", "aws_conn_id")

    def __init__(
        self,
        *,
        s3_bucket: str,
        s3_key: str,
        aws_conn_id: str | None = "aws_default",
        transfer_config_args: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        require_amazon_provider()
        self.s3_bucket = s3_bucket
        self.s3_key = s3_key
        self.aws_conn_id = aws_conn_id
        self.transfer_config_args = transfer_config_args or {}
        self.declare_output_assets(kwargs)

    def s3_hook(self) -> Any:
        """The ``S3Hook`` for the target, its uploads bounded in memory (see ``stream_upload_hook``), its
        client made with the garbage collector paused (see ``collector_paused``)."""
        with collector_paused():
            hook = stream_upload_hook(self.aws_conn_id, self.transfer_config_args, caller=type(self).__name__)
            hook.get_conn()
        return hook

    def destination(self) -> Destination:
        return S3Destination(self.s3_hook(), self.s3_bucket, self.s3_key)

    def destination_uris(self) -> list[str]:
        return [f"s3://{self.s3_bucket}/{self.s3_key}"]


class HumePredictionsToS3Operator(PredictionsTransfer, _HumeToS3Operator):
    """
    Copy the predictions of a completed Hume job into S3, raw or as tables; return the ``s3://`` URI(s).

    ``output_format="json"`` (the default) streams the body from the HTTP response into a managed (multipart)
    S3 upload chunk by chunk, so memory stays flat however large the predictions are. The body is checked
    while it streams (its announced length, and one complete JSON value); one that breaks off, ends early or
    is damaged fails the try before the upload completes, so nothing is stored (an object already at the key
    is untouched). That error is an ordinary one, so the task's ``retries`` fetch the body again.

    The other formats flatten the body to one row per prediction object, parsed incrementally and written
    row by row to a local temporary file, then uploaded once the whole body has been read (memory stays
    bounded; local disk holds the output until it is uploaded). Columns: ``job_id, source_type, source`` (the
    URL or filename; null for raw text) ``, file, model, group_id``, the model's positional columns (e.g.
    ``frame, time, prob, box_x..box_h`` for face; ``text, position_begin, position_end, time_begin,
    time_end, confidence, speaker_confidence`` for language), one column per expression of the model's exact
    name set (48, or 53 for language and NER), and for language ``sentiment_1..9`` and ``toxicity_<name>``.
    Each model's schema is fixed (absent values are null), so every job of a model gives the same schema.

    * ``jsonl``: one object at ``s3_key``, one JSON object per row, rows of every model; returns its URI.
    * ``csv`` / ``parquet`` (the latter needs the ``parquet`` extra): one object per model present in the
      body, since each model has its own columns: ``p.csv`` or ``p`` gives ``p.face.csv``, ``p.language.csv``
      ...; a key ending in ``/`` gives ``<key>face.csv`` .... Returns the list of URIs in the order
      face, burst, prosody, language, ner, facemesh.

    With ``replace=False`` (the default) an object already at a key the task may write fails it before
    anything is read, unless this transfer wrote it for the same job and format: every object is marked
    with S3 user metadata (``hume-job-id``, ``hume-body``, ``hume-format``, and for ``csv``/``parquet``
    ``hume-tables``), so a retry after a try that wrote its output (or part of the tables) uploads only what
    is missing and returns the URIs. See ``airflow_provider_hume.transfers.output_marks``.

    Sources that failed (``error``) and files that failed (``results.errors``) give no rows; they are
    counted and logged with the first few messages. Predictions of models without a schema are skipped
    and logged.

    :param job_id: The Hume job id (templated).
    :param s3_bucket: Target bucket (templated).
    :param s3_key: Target key (templated).
    :param replace: Overwrite an existing object. ``False`` (the default) fails the task on an object that
        this transfer did not write for the same job and format (see above).
    :param hume_conn_id: The ``hume`` connection (templated).
    :param verify_body: How much of the body's format is checked as it streams: ``"unframed"`` (the default)
        checks the whole body when its HTTP framing cannot prove it whole (no ``Content-Length`` and not
        chunked) and its first 64 KiB otherwise; ``"always"`` checks every body whole, which also catches a
        server that ends a chunked body early on its own or sends damaged JSON or ZIP entries, at about 2 to
        3 s of CPU a GiB (see docs/transfers.md).
    :param aws_conn_id: The AWS connection for S3 (templated); needs the ``amazon`` extra, checked when the
        operator is built.
    :param transfer_config_args: ``boto3.s3.transfer.TransferConfig`` arguments for the upload, and
        ``max_in_memory_upload_chunks``, merged key by key over the defaults (8 MiB parts, 4 in flight, 3
        read ahead: about 32 MiB held whatever the size).
    :param output_format: ``json`` (raw body), ``jsonl``, ``csv`` or ``parquet``; checked when the operator
        is built, as is pyarrow for ``parquet``.
    """


class HumeArtifactsToS3Operator(ArtifactsTransfer, _HumeToS3Operator):
    """
    Stream the artifacts ZIP of a completed Hume job into S3 and return the ``s3://`` URI.

    Same parameters and guarantees as :class:`HumePredictionsToS3Operator` (``replace=False`` by default, a
    retry keeping the ZIP an earlier try wrote); the ZIP is checked while it streams: every entry's CRC-32,
    and a central directory that matches the entries and ends the body.
    """
