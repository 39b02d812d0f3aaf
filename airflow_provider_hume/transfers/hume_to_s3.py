"""Operators that stream a Hume job's predictions or artifacts into S3 without holding them in memory."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any, BinaryIO

from airflow.sdk import BaseOperator, Context

from airflow_provider_hume.client import HumeBatchClient
from airflow_provider_hume.hooks.hume import HumeHook
from airflow_provider_hume.transfers.progress import ProgressReader

#: Bounded parallelism keeps the upload's memory flat: about (concurrency + 1) x chunk size.
DEFAULT_TRANSFER_CONFIG: dict[str, Any] = {"max_concurrency": 4, "multipart_chunksize": 16 * 1024 * 1024}


class _HumeToS3Operator(BaseOperator):
    """Stream one body of a completed Hume job into ``s3://s3_bucket/s3_key``; return that URI."""

    template_fields: Sequence[str] = ("job_id", "s3_bucket", "s3_key")
    ui_color = "#e4d7ff"
    #: What the body is, for log lines.
    body_name = ""

    def __init__(
        self,
        *,
        job_id: str,
        s3_bucket: str,
        s3_key: str,
        replace: bool,
        hume_conn_id: str = HumeHook.default_conn_name,
        aws_conn_id: str | None = "aws_default",
        transfer_config_args: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.job_id = job_id
        self.s3_bucket = s3_bucket
        self.s3_key = s3_key
        self.replace = replace
        self.hume_conn_id = hume_conn_id
        self.aws_conn_id = aws_conn_id
        self.transfer_config_args = transfer_config_args or DEFAULT_TRANSFER_CONFIG

    def open_body(self, client: HumeBatchClient) -> AbstractContextManager[BinaryIO]:
        """Open the streamed body to copy."""
        raise NotImplementedError

    def execute(self, context: Context) -> str:
        try:
            from airflow.providers.amazon.aws.hooks.s3 import S3Hook
        except ImportError as err:
            raise ImportError(
                "S3 transfers need the Amazon provider: pip install 'airflow-provider-hume[amazon]'"
            ) from err

        uri = f"s3://{self.s3_bucket}/{self.s3_key}"
        s3 = S3Hook(aws_conn_id=self.aws_conn_id, transfer_config_args=self.transfer_config_args)
        if not self.replace and s3.check_for_key(self.s3_key, self.s3_bucket):
            raise FileExistsError(f"{uri} already exists; set replace=True to overwrite it.")
        self.log.info("Streaming the %s of Hume job %s to %s", self.body_name, self.job_id, uri)
        with HumeHook(self.hume_conn_id).get_client() as client, self.open_body(client) as body:
            reader = ProgressReader(body, label=f"{self.body_name} of job {self.job_id}", log=self.log)
            s3.load_file_obj(reader, key=self.s3_key, bucket_name=self.s3_bucket, replace=True)
        self.log.info("Wrote %s (%s)", uri, reader.describe())
        return uri


class HumePredictionsToS3Operator(_HumeToS3Operator):
    """
    Stream the JSON predictions of a completed Hume job into S3 and return the ``s3://`` URI.

    The body goes from the HTTP response into a managed (multipart) S3 upload chunk by chunk, so memory
    stays flat however large the predictions are; an interrupted transfer leaves no object behind.

    :param job_id: The Hume job id (templated).
    :param s3_bucket: Target bucket (templated).
    :param s3_key: Target key (templated).
    :param replace: Overwrite an existing object; if ``False`` an existing key fails the task.
    :param hume_conn_id: The ``hume`` connection.
    :param aws_conn_id: The AWS connection for S3.
    :param transfer_config_args: ``boto3.s3.transfer.TransferConfig`` arguments for the upload.
    """

    body_name = "predictions"

    def open_body(self, client: HumeBatchClient) -> AbstractContextManager[BinaryIO]:
        return client.open_predictions(self.job_id)


class HumeArtifactsToS3Operator(_HumeToS3Operator):
    """
    Stream the artifacts ZIP of a completed Hume job into S3 and return the ``s3://`` URI.

    Same parameters and guarantees as :class:`HumePredictionsToS3Operator`.
    """

    body_name = "artifacts"

    def open_body(self, client: HumeBatchClient) -> AbstractContextManager[BinaryIO]:
        return client.open_artifacts(self.job_id)
