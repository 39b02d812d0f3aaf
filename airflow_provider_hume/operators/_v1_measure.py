"""What the ``v1`` measuring operators share: arguments, checks before any request, staging, outputs, summary.

A subclass says how one source file becomes requests (:meth:`_V1MeasureOperator.measure`); this base resolves
the sources, checks everything it can before the first request, accounts for uploads an earlier try left
without an answer, writes each file's line to staging as it finishes, publishes the outputs, and returns a
summary small enough for XCom (hume-api-v1.md §12.1).
"""

from __future__ import annotations

import importlib.util
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from datetime import datetime, timezone
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol

from airflow.sdk import BaseOperator, Context

from airflow_provider_hume._compat import AirflowException, AirflowFailException
from airflow_provider_hume._extras import require_parquet
from airflow_provider_hume._s3 import is_s3_uri, require_amazon_provider, s3_hook
from airflow_provider_hume.assets import OutputAssets
from airflow_provider_hume.client import (
    TRANSIENT_ERRORS,
    HumeAuthError,
    HumeError,
    HumeValidationError,
)
from airflow_provider_hume.client.v1 import MAX_REQUEST_BYTES, HumeNotServingV1Error
from airflow_provider_hume.client.v1 import rows as v1_rows
from airflow_provider_hume.hooks.hume import HumeHook
from airflow_provider_hume.operators._v1_sources import SourceFile, SourceResolver
from airflow_provider_hume.operators._v1_staging import Outputs, Staging, publish
from airflow_provider_hume.operators._v1_summary import FileFailure, Tally, metered_seconds, summarise
from airflow_provider_hume.operators._v1_uploads import (
    LostResultsError,
    LostRuns,
    Uploader,
    UploadLedger,
)

if TYPE_CHECKING:
    from airflow_provider_hume.client.v1 import HumeV1Client
    from airflow_provider_hume.lineage import HumeLineage

ON_ERROR = ("fail", "skip")
MIN_REQUEST_BYTES = 100_000


class FileWork(Protocol):
    """One file being measured: whether its requests are done, and its line once they are."""

    def ready(self) -> bool: ...

    def line(self) -> dict[str, Any]: ...


def invalid_arguments(operator: str, error: Exception) -> AirflowFailException:
    return AirflowFailException(f"Invalid {operator} arguments: {error}")


class _V1MeasureOperator(OutputAssets, BaseOperator):
    """The shared base of :class:`HumeMeasureAudioOperator` and :class:`HumeMeasureImagesOperator`."""

    template_fields: Sequence[str] = (
        "sources",
        "output_uri",
        "table_uri",
        "staging_uri",
        "hume_conn_id",
        "aws_conn_id",
    )
    template_fields_renderers: ClassVar[dict[str, str]] = {"sources": "json"}
    ui_color = "#d7f0ff"
    #: ``audio`` or ``video`` (the runs' endpoint), and ``audio`` or ``image`` (the rows' layout).
    endpoint: ClassVar[str] = ""
    media: ClassVar[Literal["audio", "image"]] = "audio"
    #: The key of each file line listing its requests (``chunks`` or ``batches``).
    requests_key: ClassVar[str] = ""

    def __init__(
        self,
        *,
        sources: str | Sequence[str],
        output_uri: str,
        output_format: str | None = None,
        table_uri: str | None = None,
        staging_uri: str | None = None,
        max_concurrency: int = 4,
        on_error: str = "fail",
        reupload_lost: bool = True,
        allow_empty: bool = False,
        max_request_bytes: int = MAX_REQUEST_BYTES,
        hume_conn_id: str = HumeHook.default_conn_name,
        aws_conn_id: str | None = "aws_default",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        name = type(self).__name__
        try:
            if on_error not in ON_ERROR:
                raise HumeValidationError(f"on_error must be one of {', '.join(ON_ERROR)} (got {on_error!r})")
            if (
                isinstance(max_concurrency, bool)
                or not isinstance(max_concurrency, int)
                or max_concurrency < 1
            ):
                raise HumeValidationError(
                    f"max_concurrency must be an integer >= 1 (got {max_concurrency!r})"
                )
            if (
                isinstance(max_request_bytes, bool)
                or not isinstance(max_request_bytes, int)
                or not MIN_REQUEST_BYTES <= max_request_bytes <= MAX_REQUEST_BYTES
            ):
                raise HumeValidationError(
                    f"max_request_bytes must be an integer from {MIN_REQUEST_BYTES} to {MAX_REQUEST_BYTES} "
                    f"(Hume's limit per request; got {max_request_bytes!r})"
                )
            if output_format is not None:
                v1_rows.check_rows_format(output_format)
        except HumeValidationError as err:
            raise ValueError(f"Invalid {name} arguments: {err}") from err
        require_amazon_provider()
        require_parquet(output_format)
        self.sources = sources
        self.output_uri = output_uri
        self.output_format = output_format
        self.table_uri = table_uri
        self.staging_uri = staging_uri
        self.max_concurrency = max_concurrency
        self.on_error = on_error
        self.reupload_lost = reupload_lost
        self.allow_empty = allow_empty
        self.max_request_bytes = max_request_bytes
        self.hume_conn_id = hume_conn_id
        self.aws_conn_id = aws_conn_id
        #: The files measured and the objects written by ``execute``, for lineage.
        self.input_uris: tuple[str, ...] = ()
        self.output_uris: tuple[str, ...] = ()
        self.declare_output_assets(kwargs)

    def destination_uris(self) -> list[str]:
        return [self.output_uri] + ([self.table_uri] if self.output_format and self.table_uri else [])

    def output_extra(self) -> dict[str, Any]:
        return {"table_format": self.output_format} if self.output_format else {}

    @cached_property
    def hook(self) -> HumeHook:
        """The hook the operator's ``v1`` client comes from."""
        return HumeHook(self.hume_conn_id)

    def settings_key(self) -> tuple[Any, ...]:
        """What, besides the file, decides the requests (a changed setting means measuring again)."""
        return (self.max_request_bytes,)

    def preflight(self, sources: Sequence[SourceFile]) -> None:
        """Checks a subclass makes on every source before any request (raise ``HumeValidationError``)."""

    def measure(
        self, source: SourceFile, path: Path, uploader: Uploader, workdir: Path, cleanup: ExitStack
    ) -> FileWork:
        """Start measuring one file; ``cleanup`` is closed once its line is taken."""
        raise NotImplementedError

    def estimate_seconds(self, request: Mapping[str, Any]) -> float:
        """The billed seconds of one request when its run cannot be read (hume-api-v1.md §8)."""
        raise NotImplementedError

    def _checked(self) -> tuple[list[SourceFile], Outputs, SourceResolver]:
        """Every check that needs no request to Hume; a failure fails the task without retries."""
        name = type(self).__name__
        try:
            outputs = Outputs.plan(self.output_uri, self.table_uri, self.output_format, self.staging_uri)
            resolver = SourceResolver(self.aws_conn_id, caller=type(self).__name__)
            sources = resolver.resolve(self.sources, allow_empty=self.allow_empty)
            self.preflight(sources)
        except (HumeValidationError, ImportError) as err:
            raise invalid_arguments(name, err) from err
        return sources, outputs, resolver

    def execute(self, context: Context) -> dict[str, Any]:
        sources, outputs, resolver = self._checked()
        self.input_uris = tuple(source.uri for source in sources)
        if not sources:
            self.log.info("The prefixes hold no files (allow_empty=True): writing empty outputs.")
        s3 = s3_hook(self.aws_conn_id, caller=type(self).__name__)
        staging = Staging(s3.get_conn(), outputs.staging)
        ledger = UploadLedger(context.get("task_state_store"))
        if not ledger.durable:
            self.log.info("No task state store (Airflow < 3.3): lost answers are found only within a try.")
        lost = LostRuns()
        self.log.info(
            "Measuring %d file(s) with Hume v1 (%s), up to %d request(s) at once; staging results in %s",
            len(sources),
            self.endpoint,
            self.max_concurrency,
            outputs.staging.uri,
        )
        with self.hook.get_v1_client() as client:
            self._check_connection(client)
            uploader = Uploader(
                client,
                staging,
                ledger,
                lost,
                max_concurrency=self.max_concurrency,
                reupload_lost=self.reupload_lost,
                log=self.log,
            )
            try:
                self._account_earlier_tries(uploader)
                failures = self._measure_all(sources, resolver, uploader, staging)
            except LostResultsError as err:
                raise AirflowFailException(str(err)) from err
            finally:
                uploader.close(cancel=True)
            tally = Tally()
            rows = publish(
                s3,
                outputs,
                self._lines(sources, staging, failures),
                self.media,
                lambda line: tally.add(line, self.requests_key, self.estimate_seconds),
            )
            metered = metered_seconds(client, self.endpoint, tally, self.log)
            summary = summarise(tally, outputs, rows, uploader.sent, lost, metered)
        self.log.info("Wrote %s (%d file lines)", outputs.lines.uri, tally.files)
        self.output_uris = (outputs.lines.uri,)
        if outputs.table is not None:
            self.log.info("Wrote %s (%d rows)", outputs.table.uri, rows)
            self.output_uris += (outputs.table.uri,)
        self._finish(failures, staging, summary, context)
        return summary

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> HumeLineage:
        """Inputs: the files measured (S3 objects, local files); outputs: the objects written."""
        from airflow.providers.openlineage.extractors import OperatorLineage

        from airflow_provider_hume import lineage

        inputs = [
            lineage.s3_uri_dataset(uri) if is_s3_uri(uri) else lineage.file_dataset(uri)
            for uri in self.input_uris
        ]
        return OperatorLineage(
            inputs=inputs, outputs=[lineage.s3_uri_dataset(uri) for uri in self.output_uris]
        )

    def _check_connection(self, client: HumeV1Client) -> None:
        try:
            client.check_connection()
        except (HumeNotServingV1Error, HumeAuthError) as err:
            raise AirflowFailException(str(err)) from err

    def _account_earlier_tries(self, uploader: Uploader) -> None:
        """Uploads an earlier try sent without seeing the answer: name their runs, then let them go again."""
        if not uploader.ledger.earlier:
            return
        for name in sorted(uploader.staging.names()):  # runs with known results are not the lost ones
            staged = uploader.staging.get(name)
            run_id = ((staged or {}).get("result") or {}).get("run_id")
            if run_id:
                uploader.lost.claim(run_id)
        for intent in uploader.ledger.earlier:
            if uploader.staging.get(intent.name) is None:
                uploader.account_lost(intent, "an earlier try of this task sent it and recorded no answer")
            uploader.ledger.end(intent.name)

    def _measure_all(
        self, sources: Sequence[SourceFile], resolver: SourceResolver, uploader: Uploader, staging: Staging
    ) -> dict[str, FileFailure]:
        """Measure every file not staged yet; failures by source URI (what ``on_error`` decides about)."""
        failures: dict[str, FileFailure] = {}
        pending: list[tuple[SourceFile, FileWork, ExitStack]] = []
        with tempfile.TemporaryDirectory(prefix="hume-v1-") as folder:
            workdir = Path(folder)
            try:
                for number, source in enumerate(sources, 1):
                    work = self._start(
                        number, source, sources, resolver, uploader, staging, workdir, failures
                    )
                    if work is not None:
                        pending.append(work)
                        pending = self._finish_ready(
                            pending, staging, failures, wait_oldest=len(pending) > self.max_concurrency
                        )
                while pending:
                    pending = self._finish_ready(pending, staging, failures, wait_oldest=True)
            except BaseException:
                # Requests in flight finish (and are staged) before their files are removed.
                uploader.close(cancel=True)
                for _, _, cleanup in pending:
                    cleanup.close()
                raise
        return failures

    def _start(
        self,
        number: int,
        source: SourceFile,
        sources: Sequence[SourceFile],
        resolver: SourceResolver,
        uploader: Uploader,
        staging: Staging,
        workdir: Path,
        failures: dict[str, FileFailure],
    ) -> tuple[SourceFile, FileWork, ExitStack] | None:
        """Start one file unless an earlier try measured it; a failure to start is the file's failure."""
        where = f"[{number}/{len(sources)}] {source.uri}"
        if staging.get(f"files/{source.key(*self.settings_key())}.json") is not None:
            self.log.info("%s: measured by an earlier try, not sent again", where)
            return None
        self.log.info("%s (%d bytes)", where, source.size)
        cleanup = ExitStack()
        try:
            path = cleanup.enter_context(resolver.local_path(source, workdir))
            return source, self.measure(source, path, uploader, workdir, cleanup), cleanup
        except (HumeError, OSError) as err:
            cleanup.close()
            self._failed(failures, source, err)
            return None
        except BaseException:
            cleanup.close()
            raise

    def _finish_ready(
        self,
        pending: list[tuple[SourceFile, FileWork, ExitStack]],
        staging: Staging,
        failures: dict[str, FileFailure],
        *,
        wait_oldest: bool,
    ) -> list[tuple[SourceFile, FileWork, ExitStack]]:
        """Stage the lines of the files whose requests are done (the oldest waited for if ``wait_oldest``)."""
        left = []
        for position, (source, work, cleanup) in enumerate(pending):
            if not (work.ready() or (wait_oldest and position == 0)):
                left.append((source, work, cleanup))
                continue
            try:
                line = work.line()
                staging.put(f"files/{source.key(*self.settings_key())}.json", line)
                self.log.info("%s: measured (%s)", source.uri, _describe(line.get("counts") or {}))
            except (HumeError, OSError) as err:
                self._failed(failures, source, err)
            finally:
                cleanup.close()
        return left

    def _failed(self, failures: dict[str, FileFailure], source: SourceFile, err: Exception) -> None:
        if isinstance(err, (HumeAuthError, HumeNotServingV1Error)):
            raise AirflowFailException(str(err)) from err
        transient = isinstance(err, (*TRANSIENT_ERRORS, OSError)) and not isinstance(err, HumeValidationError)
        failures[source.uri] = FileFailure(source.uri, str(err), transient)
        self.log.warning("%s failed: %s", source.uri, err)

    def _lines(
        self, sources: Sequence[SourceFile], staging: Staging, failures: Mapping[str, FileFailure]
    ) -> Iterator[dict[str, Any]]:
        """One line per source, in the sources' order: the staged line, or the failure."""
        settings = self.settings_key()
        for source in sources:
            failure = failures.get(source.uri)
            if failure is not None:
                yield {"source": source.uri, "status": "failed", "error": failure.error}
                continue
            line = staging.get(f"files/{source.key(*settings)}.json")
            yield (
                line
                if line is not None
                else {"source": source.uri, "status": "failed", "error": "not measured"}
            )

    def _finish(
        self, failures: Mapping[str, FileFailure], staging: Staging, summary: dict[str, Any], context: Context
    ) -> None:
        if not failures or self.on_error == "skip":
            removed = staging.clear()
            self.log.info(
                "Measured %d of %d file(s); %s metered seconds (%s); removed %d staging object(s)",
                summary["measured"],
                summary["files"],
                summary["metered_seconds"],
                summary["metered_seconds_source"],
                removed,
            )
            return
        context["ti"].xcom_push(key="summary", value=summary)
        listed = ", ".join(list(failures)[:10]) + (" ..." if len(failures) > 10 else "")
        message = (
            f"{len(failures)} of {summary['files']} file(s) failed: {listed}. Every result, failures "
            f"included, is in {summary['output_uri']}; measured files stay staged, so a retry sends only "
            "the failed ones. Set on_error='skip' to let the task succeed anyway."
        )
        if any(failure.transient for failure in failures.values()):
            raise AirflowException(message)
        raise AirflowFailException(message)


def _describe(counts: Mapping[str, Any]) -> str:
    return ", ".join(f"{value} {name}" for name, value in counts.items()) or "no results"


def needs_media_extra(sources: Sequence[SourceFile], ready: Callable[[SourceFile], bool]) -> list[SourceFile]:
    """The sources that need PyAV when it is not installed (empty when it is)."""
    if importlib.util.find_spec("av") is not None:
        return []
    return [source for source in sources if not ready(source)]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)
