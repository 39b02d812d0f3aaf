"""``HumeStreamOperator``: texts and media files through Hume's streaming API, over parallel sockets."""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, ClassVar

from airflow.sdk import BaseOperator, Context

from airflow_provider_hume._compat import AirflowException, AirflowFailException
from airflow_provider_hume._s3 import is_s3_uri, names_s3, object_uri, require_amazon_provider, s3_hook
from airflow_provider_hume.client import (
    MEDIA_MODELS,
    HumeAuthError,
    HumeError,
    HumeValidationError,
    InputOutcome,
    StreamInput,
    StreamModels,
    check_window,
    coerce_stream_models,
    stream_inputs,
    write_result_line,
)
from airflow_provider_hume.hooks.hume import HumeHook

if TYPE_CHECKING:
    from airflow_provider_hume.client import HumeStreamClient

DEFAULT_MAX_XCOM_BYTES = 1024 * 1024
"""Largest JSON Lines output returned through XCom; beyond it results must go to S3."""
PROGRESS_EVERY_SECONDS = 30.0
ON_ERROR = ("fail", "skip")


class _TooLargeForXCom(Exception):
    """The results outgrew ``max_xcom_bytes`` while no output key was set."""


def _named(value: Sequence[str] | Mapping[str, str] | None, prefix: str | None) -> list[tuple[str, str]]:
    """``(id, value)`` pairs from a dict, or from a list (ids ``<prefix>-<n>``, or the values themselves)."""
    if value is None:
        return []
    if isinstance(value, Mapping):
        return [(str(key), item) for key, item in value.items()]
    items = [value] if isinstance(value, str) else list(value)
    return [(f"{prefix}-{n}" if prefix else str(item), item) for n, item in enumerate(items)]


def build_inputs(
    texts: Sequence[str] | Mapping[str, str] | None, files: Sequence[str] | Mapping[str, str] | None
) -> list[StreamInput]:
    """Inputs from the operator's arguments; ids must be unique, files are paths or ``s3://`` URIs."""
    inputs: list[StreamInput] = []
    for input_id, text in _named(texts, "text"):
        if not isinstance(text, str):
            raise HumeValidationError(f"texts[{input_id!r}] must be a string (got {type(text).__name__})")
        inputs.append(StreamInput(id=input_id, text=text))
    for input_id, name in _named(files, None):
        if not isinstance(name, str) or not name.strip():
            raise HumeValidationError(f"files[{input_id!r}] must be a path or an s3:// URI (got {name!r})")
        remote = is_s3_uri(name)
        if remote:
            object_uri(name, f"files[{input_id!r}]")
        inputs.append(StreamInput(id=input_id, uri=name if remote else None, path=None if remote else name))
    duplicates = sorted(key for key, count in Counter(item.id for item in inputs).items() if count > 1)
    if duplicates:
        raise HumeValidationError(f"input ids must be unique; repeated: {', '.join(duplicates[:10])}")
    return inputs


class _Progress:
    """Writes one JSON line per outcome and logs how far the run has got."""

    def __init__(self, out: IO[str], total: int, log: Any, max_bytes: int | None) -> None:
        self.out, self.total, self.log, self.max_bytes = out, total, log, max_bytes
        self.done = 0
        self.finished: set[str] = set()
        self.failed: list[str] = []
        self._every = max(total // 10, 1)
        self._next_log = time.monotonic() + PROGRESS_EVERY_SECONDS

    def __call__(self, outcome: InputOutcome) -> None:
        write_result_line(
            self.out,
            index=outcome.index,
            input_id=outcome.input.id,
            result=outcome.result,
            error=outcome.error,
        )
        self.done += 1
        self.finished.add(outcome.input.id)
        if outcome.error is not None:
            self.failed.append(outcome.input.id)
            self.log.warning("Hume streaming input %r failed: %s", outcome.input.id, outcome.error)
        if self.max_bytes is not None and self.out.tell() > self.max_bytes:
            raise _TooLargeForXCom
        now = time.monotonic()
        if self.done % self._every == 0 or self.done == self.total or now >= self._next_log:
            self.log.info(
                "Hume streaming: %d of %d inputs done (%d failed)", self.done, self.total, len(self.failed)
            )
            self._next_log = now + PROGRESS_EVERY_SECONDS


class HumeStreamOperator(BaseOperator):
    """
    Analyse texts and/or media files with Hume's streaming API, over ``max_connections`` parallel websockets.

    Each input gets one result, however long it is: text over 10,000 characters is split at sentence ends and
    WAV audio over 5 s into chunks of at most 5 s, and the replies are stitched back with character positions
    and times on the input's own timeline. Results go to S3 as JSON Lines when ``output_s3_key`` is set (one
    line per input: ``index``, ``id``, ``predictions``, ``warnings``, ``error``), else through XCom while they
    stay under ``max_xcom_bytes``. Model configs are validated before any connection is opened.

    :param texts: Texts to analyse (templated): a list (ids ``text-0``, ``text-1``...) or a dict id -> text.
    :param files: Media files (templated): local paths or ``s3://bucket/key`` URIs read through ``S3Hook``;
        a list (the path is the id) or a dict id -> path. Long WAV audio is split; other media go whole.
    :param models: Streaming models (templated), ``StreamModels`` or the API's JSON shape. Texts use its
        ``language`` part (default ``{}``), files its media models (face, burst, prosody, facemesh).
    :param max_connections: Parallel websockets; each analyses one whole input at a time.
    :param output_s3_key: Key (or full ``s3://`` URI) of the JSON Lines output (templated); the task then
        returns that URI.
    :param output_s3_bucket: Bucket of ``output_s3_key`` when it is not a URI (templated).
    :param replace: Overwrite an existing output object.
    :param on_error: ``"fail"``: every input is still analysed and its result kept (in S3, or XCom key
        ``results``), then the task fails naming the failed inputs. ``"skip"``: failed inputs keep their
        ``error`` in the output and the task succeeds.
    :param stream_window_ms: Hume's sliding window for audio (500-10000 ms; Hume's default 5000).
    :param max_xcom_bytes: Largest output returned through XCom.
    :param hume_conn_id: The ``hume`` connection (templated).
    :param aws_conn_id: The AWS connection for ``s3://`` inputs and the output (templated). S3 needs the
        ``amazon`` extra, checked when the operator is built if ``output_s3_key`` is set or ``files`` holds
        ``s3://`` URIs.
    """

    template_fields: Sequence[str] = (
        "texts",
        "files",
        "models",
        "output_s3_key",
        "output_s3_bucket",
        "hume_conn_id",
        "aws_conn_id",
    )
    template_fields_renderers: ClassVar[dict[str, str]] = {"texts": "json", "files": "json", "models": "json"}
    ui_color = "#e4d7ff"

    def __init__(
        self,
        *,
        texts: Sequence[str] | Mapping[str, str] | None = None,
        files: Sequence[str] | Mapping[str, str] | None = None,
        models: Any = None,
        max_connections: int = 4,
        output_s3_key: str | None = None,
        output_s3_bucket: str | None = None,
        replace: bool = True,
        on_error: str = "fail",
        stream_window_ms: int | None = None,
        max_xcom_bytes: int = DEFAULT_MAX_XCOM_BYTES,
        hume_conn_id: str = HumeHook.default_conn_name,
        aws_conn_id: str | None = "aws_default",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if output_s3_key is not None or names_s3(files):
            require_amazon_provider()
        self.texts = texts
        self.files = files
        self.models = models
        self.max_connections = max_connections
        self.output_s3_key = output_s3_key
        self.output_s3_bucket = output_s3_bucket
        self.replace = replace
        self.on_error = on_error
        self.stream_window_ms = stream_window_ms
        self.max_xcom_bytes = max_xcom_bytes
        self.hume_conn_id = hume_conn_id
        self.aws_conn_id = aws_conn_id

    def _validated(self) -> tuple[list[StreamInput], StreamModels]:
        """Every argument checked before any network call; a bad one fails the task without retries."""
        try:
            if self.on_error not in ON_ERROR:
                raise HumeValidationError(
                    f"on_error must be one of {', '.join(ON_ERROR)} (got {self.on_error!r})"
                )
            if isinstance(self.max_connections, bool) or not isinstance(self.max_connections, int):
                raise HumeValidationError(
                    f"max_connections must be an integer (got {self.max_connections!r})"
                )
            if self.max_connections < 1:
                raise HumeValidationError(f"max_connections must be >= 1 (got {self.max_connections})")
            check_window(self.stream_window_ms)
            inputs = build_inputs(self.texts, self.files)
            models = coerce_stream_models(self.models if self.models is not None else {"language": {}})
            if any(item.text is None for item in inputs) and not models.only(MEDIA_MODELS).enabled:
                raise HumeValidationError(
                    f"files need a media model in models: one of {', '.join(MEDIA_MODELS)}"
                )
        except HumeValidationError as err:
            raise AirflowFailException(f"Invalid HumeStreamOperator arguments: {err}") from err
        return inputs, models

    def _output(self) -> tuple[str, str] | None:
        """``(bucket, key)`` of the JSON Lines output, or None for XCom."""
        if not self.output_s3_key:
            return None
        if is_s3_uri(self.output_s3_key):
            try:
                location = object_uri(self.output_s3_key, "output_s3_key")
            except HumeValidationError as err:
                raise AirflowFailException(f"Invalid HumeStreamOperator arguments: {err}") from err
            return location.bucket, location.key
        if not self.output_s3_bucket:
            raise AirflowFailException("output_s3_key is not an s3:// URI, so output_s3_bucket is required")
        return self.output_s3_bucket, self.output_s3_key

    @cached_property
    def hook(self) -> HumeHook:
        """The hook the operator's streaming client comes from."""
        return HumeHook(self.hume_conn_id)

    def _s3(self) -> Any:
        return s3_hook(self.aws_conn_id, caller=type(self).__name__)

    def execute(self, context: Context) -> Any:
        inputs, models = self._validated()
        output = self._output()
        s3: Any = self._s3() if output or any(item.uri for item in inputs) else None
        if output and not self.replace and s3.check_for_key(output[1], output[0]):
            raise FileExistsError(
                f"s3://{output[0]}/{output[1]} already exists; set replace=True to overwrite it."
            )
        client = self.hook.get_stream_client()
        self.log.info(
            "Streaming %d inputs to Hume over up to %d connections", len(inputs), self.max_connections
        )
        stopped: HumeError | None = None
        result: Any
        with tempfile.TemporaryDirectory(prefix="hume-stream-out-") as folder:
            path = Path(folder) / "results.jsonl"
            with path.open("w", encoding="utf-8") as out:
                progress = _Progress(out, len(inputs), self.log, None if output else self.max_xcom_bytes)
                try:
                    self._run(client, inputs, models, progress, s3)
                except HumeError as err:
                    stopped = err
            if output and stopped is not None and not self.replace:
                result = None  # a partial output would stop the retry (replace=False) from writing it
            elif output:
                s3.load_file(path, key=output[1], bucket_name=output[0], replace=True)
                result = f"s3://{output[0]}/{output[1]}"
                self.log.info(
                    "Wrote %d results (%d bytes) to %s", progress.done, os.path.getsize(path), result
                )
            else:
                with path.open(encoding="utf-8") as lines:
                    result = sorted((json.loads(line) for line in lines), key=lambda line: line["index"])
        if stopped is not None:
            self._raise_stopped(stopped, inputs, progress, result, output, context)
        if progress.failed and self.on_error == "fail":
            if not output:
                context["ti"].xcom_push(key="results", value=result)
            where = result if output else "XCom key 'results'"
            raise AirflowFailException(
                f"{len(progress.failed)} of {len(inputs)} inputs failed: {', '.join(progress.failed[:10])}"
                f"{' ...' if len(progress.failed) > 10 else ''}. Every result, errors included, is in "
                f"{where}; set on_error='skip' to let the task succeed anyway."
            )
        return result

    def _raise_stopped(
        self,
        error: HumeError,
        inputs: list[StreamInput],
        progress: _Progress,
        result: Any,
        output: tuple[str, str] | None,
        context: Context,
    ) -> None:
        """The run stopped (a connection that could not be restored): fail naming what was not analysed.

        The results of the inputs analysed before are written out as usual (to XCom key ``results`` without
        an output key; not at all with ``replace=False``, so that the retry can write the output). The error
        stays retryable; a retry analyses every input again.
        """
        if not output:
            context["ti"].xcom_push(key="results", value=result)
        missing = [item.id for item in inputs if item.id not in progress.finished]
        where = "XCom key 'results'" if not output else result
        kept = (
            f"The results of the {progress.done} inputs analysed are in {where}."
            if where
            else "The results were not written (replace=False: the retry writes the output)."
        )
        raise AirflowException(
            f"Hume streaming stopped after {progress.done} of {len(inputs)} inputs; not analysed: "
            f"{', '.join(missing[:10])}{' ...' if len(missing) > 10 else ''} ({error}). {kept}"
        ) from error

    def _run(
        self,
        client: HumeStreamClient,
        inputs: list[StreamInput],
        models: StreamModels,
        progress: _Progress,
        s3: Any,
    ) -> None:
        fetch = None
        if s3 is not None:
            boto = s3.get_conn()

            def fetch(uri: str, local: Path) -> None:
                location = object_uri(uri, "files")
                boto.download_file(location.bucket, location.key, str(local))

        try:
            asyncio.run(
                stream_inputs(
                    client,
                    inputs,
                    models,
                    progress,
                    max_connections=self.max_connections,
                    stream_window_ms=self.stream_window_ms,
                    fetch=fetch,
                )
            )
        except HumeAuthError as err:
            raise AirflowFailException(str(err)) from err
        except _TooLargeForXCom:
            raise AirflowFailException(
                f"The results outgrew max_xcom_bytes ({self.max_xcom_bytes} bytes) after {progress.done} of "
                f"{len(inputs)} inputs; set output_s3_key to write them to S3 as JSON Lines instead."
            ) from None
