"""What every Hume transfer does, whatever its destination: find an earlier try's output, stream, log."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from functools import cached_property
from typing import TYPE_CHECKING, Any, BinaryIO

from airflow.sdk import BaseOperator, Context

from airflow_provider_hume._extras import require_parquet
from airflow_provider_hume.assets import OutputAssets
from airflow_provider_hume.client import HumeConnectionError, check_transfer_verification
from airflow_provider_hume.hooks.hume import HumeHook
from airflow_provider_hume.transfers.output_marks import OutputMark
from airflow_provider_hume.transfers.progress import ProgressReader
from airflow_provider_hume.transfers.tabular_files import check_output_format, export_tables

if TYPE_CHECKING:
    from airflow_provider_hume.client import HumeBatchClient
    from airflow_provider_hume.lineage import HumeLineage
    from airflow_provider_hume.transfers.destinations import Destination


class HumeTransferOperator(OutputAssets, BaseOperator):
    """Stream one body of a completed Hume job to the subclass's :meth:`destination`; return its URI."""

    template_fields: Sequence[str] = ("job_id", "hume_conn_id")
    ui_color = "#e4d7ff"
    #: What the body is, for log lines and the objects' mark.
    body_name = ""
    #: What is written, for the objects' mark.
    output_format = ""

    def __init__(
        self,
        *,
        job_id: str,
        replace: bool = False,
        hume_conn_id: str = HumeHook.default_conn_name,
        verify_body: str = "unframed",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.job_id = job_id
        self.replace = replace
        self.verify_body = check_transfer_verification(verify_body)
        self.hume_conn_id = hume_conn_id
        #: The URIs ``execute`` wrote, for lineage and the outlets' events.
        self.output_uris: list[str] = []

    @cached_property
    def hook(self) -> HumeHook:
        """The hook the transfer's client comes from."""
        return HumeHook(self.hume_conn_id)

    def open_body(self, client: HumeBatchClient) -> AbstractContextManager[BinaryIO]:
        """Open the streamed body to copy."""
        raise NotImplementedError

    def destination(self) -> Destination:
        """Where this try writes (made once per ``execute``)."""
        raise NotImplementedError

    def destination_uris(self) -> list[str]:
        """The URI of the output as given (templates rendered once the task runs): for lineage reported
        before ``execute`` ran, and the task's Assets (see ``airflow_provider_hume.assets``)."""
        raise NotImplementedError

    def output_extra(self) -> dict[str, Any]:
        return {"hume_job_id": self.job_id, "body": self.body_name, "format": self.output_format}

    def mark(self) -> OutputMark:
        """What the objects this transfer writes are marked with (see ``output_marks``)."""
        return OutputMark(self.job_id, self.body_name, self.output_format)

    @contextmanager
    def nothing_written_on_break(self, target: str) -> Iterator[None]:
        """Say what a body that broke off left behind, and let its error through (Airflow retries it).

        The client's stream raises before reporting the end of a body that did not arrive whole, so the
        write never completes (see the destinations): nothing is stored.
        """
        try:
            yield
        except HumeConnectionError as err:
            self.log.error(
                "Nothing was written to %s (an object already there is untouched): %s", target, err
            )
            raise

    def execute(self, context: Context) -> Any:
        return self.copy_body(self.destination())

    def copy_body(self, destination: Destination) -> str:
        """Stream the body to ``destination.location`` unless an earlier try already wrote it there."""
        uri = destination.uri(destination.location)
        mark = self.mark()
        if not self.replace and destination.earlier_output(destination.location, mark):
            self.log.info(
                "%s already holds the %s of Hume job %s, written by an earlier try: nothing to upload.",
                uri,
                self.body_name,
                self.job_id,
            )
            self.output_uris = [uri]
            return uri
        self.log.info("Streaming the %s of Hume job %s to %s", self.body_name, self.job_id, uri)
        with (
            self.nothing_written_on_break(uri),
            self.hook.get_client() as client,
            self.open_body(client) as body,
        ):
            reader = ProgressReader(body, label=f"{self.body_name} of job {self.job_id}", log=self.log)
            destination.write_stream(reader, destination.location, mark)
        self.log.info("Wrote %s (%s)", uri, reader.describe())
        self.output_uris = [uri]
        return uri

    def transfer_predictions(self) -> Any:
        """The predictions as ``output_format``: the raw body (``json``) or tables (see ``tabular_files``)."""
        destination = self.destination()
        if self.output_format == "json":
            return self.copy_body(destination)
        with (
            self.nothing_written_on_break(destination.uri(destination.location)),
            self.hook.get_client() as client,
        ):
            written = export_tables(
                open_body=lambda: self.open_body(client),
                destination=destination,
                job_id=self.job_id,
                output_format=self.output_format,
                replace=self.replace,
                log=self.log,
            )
        self.output_uris = [written] if isinstance(written, str) else list(written)
        return written

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> HumeLineage:
        """Outputs: every object ``execute`` wrote, named by its URI (``lineage.storage_outputs_lineage``)."""
        from airflow_provider_hume.lineage import storage_outputs_lineage

        return storage_outputs_lineage(self.output_uris or self.destination_uris())


class PredictionsTransfer(HumeTransferOperator):
    """The predictions as ``output_format``: ``json`` (the raw body), ``jsonl``, ``csv`` or ``parquet``,
    checked when the operator is built, as is pyarrow for ``parquet``. Put before the destination's class."""

    body_name = "predictions"

    def __init__(self, *, output_format: str = "json", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.output_format = check_output_format(output_format)
        require_parquet(self.output_format)

    def execute(self, context: Context) -> Any:
        """The object's URI for ``json`` and ``jsonl``; the list of per-model URIs for ``csv``/``parquet``."""
        return self.transfer_predictions()

    def open_body(self, client: HumeBatchClient) -> AbstractContextManager[BinaryIO]:
        return client.open_predictions(self.job_id, verify=self.verify_body)


class ArtifactsTransfer(HumeTransferOperator):
    """The artifacts ZIP, checked as it streams. Put before the destination's class."""

    body_name = "artifacts"
    output_format = "zip"

    def open_body(self, client: HumeBatchClient) -> AbstractContextManager[BinaryIO]:
        return client.open_artifacts(self.job_id, verify=self.verify_body)
