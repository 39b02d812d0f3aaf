"""``HumeMeasureAudioOperator``: recordings measured with Hume's ``v1`` audio upload, results landed in S3."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from airflow_provider_hume.client import HumeValidationError
from airflow_provider_hume.client.v1 import AudioFileConfig
from airflow_provider_hume.operators._v1_measure import (
    _V1MeasureOperator,
    needs_media_extra,
    utc_now,
)
from airflow_provider_hume.operators._v1_sources import SourceFile, names
from airflow_provider_hume.operators._v1_summary import MIN_BILLED_SECONDS
from airflow_provider_hume.operators._v1_uploads import Upload, Uploader, UploadIntent

if TYPE_CHECKING:
    # The result models and the media pipeline load when a task runs, not when a DAG file is parsed.
    from airflow_provider_hume.client.v1 import AudioFileResult, HumeV1Client
    from airflow_provider_hume.client.v1.media import AudioChunk

#: Extensions that may be a ready 16 kHz mono s16 WAV (anything else needs decoding with PyAV).
_WAV_SUFFIXES = (".wav", ".wave")


class _AudioFile:
    """One recording in flight: its chunks' staged results, stitched onto the file's timeline at the end."""

    def __init__(self, source: SourceFile, duration_ms: int, converted: bool) -> None:
        self.source = source
        self.duration_ms = duration_ms
        self.converted = converted
        self.chunks: list[tuple[AudioChunk, Future[dict[str, Any]]]] = []

    def ready(self) -> bool:
        return all(future.done() for _, future in self.chunks)

    def line(self) -> dict[str, Any]:
        from airflow_provider_hume.client.v1 import AudioFileResult
        from airflow_provider_hume.client.v1.media import stitch_audio

        staged = [(chunk, future.result()) for chunk, future in self.chunks]
        pairs = [(chunk, AudioFileResult.from_api(item["result"])) for chunk, item in staged]
        stitched = stitch_audio(pairs).to_api()
        measurements = stitched.get("measurements") or []
        utterances = stitched.get("utterances") or []
        return {
            "source": self.source.uri,
            "status": "measured",
            "audio_duration_ms": self.duration_ms,
            "converted": self.converted,
            "chunks": [
                {
                    "index": chunk.index,
                    "offset_ms": chunk.offset_ms,
                    "duration_ms": chunk.duration_ms,
                    "run_id": result.run_id,
                    "request_id": result.request_id,
                    "started_at": item["started_at"],
                }
                for (chunk, item), (_, result) in zip(staged, pairs, strict=True)
            ],
            "utterances": utterances,
            "measurements": measurements,
            "counts": {
                "chunks": len(pairs),
                "utterances": len(utterances),
                "measurements": len(measurements),
            },
        }


class HumeMeasureAudioOperator(_V1MeasureOperator):
    """
    Measure recordings with Hume's ``v1`` audio upload (hume-api-v1.md §5) and land the results in S3.

    Any format FFmpeg reads (MP3, M4A, WAV at any rate or channel count, FLAC, Ogg, the audio of an MP4) is
    converted to 16 kHz mono s16 WAV with PyAV (the ``media`` extra); a WAV that already is one is sent as it
    is. A recording longer than one request (25 MB, about 13 minutes) is split into consecutive requests
    sent ``max_concurrency`` at a time, and the results are stitched back onto the file's own timeline.

    Outputs, both written whole at the end (a reader never sees half of one):

    * ``output_uri``: JSON Lines, one line per file: ``source``, ``status`` (``measured`` or ``failed``),
      ``error``, ``audio_duration_ms``, ``chunks`` (each request's ``run_id``, ``request_id`` and offset),
      ``utterances`` and ``measurements`` (Hume's shapes, times on the file's timeline), ``counts``.
    * with ``output_format`` (``parquet``, ``csv`` or ``jsonl``): one row per measurement at ``table_uri``
      (default: ``output_uri`` with the format's suffix); see :mod:`airflow_provider_hume.client.v1.rows`.

    Results exist only in Hume's responses, so each response is staged in S3 (``staging_uri``, default
    ``<output_uri>.staging/``) as it arrives: a retried task sends only what is not staged yet. Each upload's
    intent is recorded in the task state store before it is sent; an upload whose answer was lost (in this
    try, or in an earlier one) is looked up among the runs, reported as billed with its results lost, and sent
    again unless ``reupload_lost=False`` (then the task fails naming the run).

    XCom gets a summary only: files, measured, failed (with errors), run ids, counts, and ``metered_seconds``
    (from the runs' records; ``metered_seconds_source`` says ``estimate`` when some could not be read and the
    audio duration, 10 s at least per request, was used).

    :param sources: Local paths, ``s3://bucket/key`` objects and ``s3://bucket/prefix/`` prefixes (templated).
    :param output_uri: ``s3://`` URI of the JSON Lines output (templated).
    :param output_format: ``parquet``, ``csv`` or ``jsonl`` for a table of measurements too (``None``: none);
        ``parquet`` needs the ``parquet`` extra, checked when the operator is built.
    :param table_uri: ``s3://`` URI of the table (templated; default derived from ``output_uri``).
    :param staging_uri: ``s3://`` prefix for results in progress (templated).
    :param measurement_timer_ms: A measurement every this many ms of speech (3000 to 10000).
    :param max_concurrency: Requests in flight at once.
    :param on_error: ``"fail"``: every file is still measured and written, then the task fails naming the
        failed ones (a retry sends only those). ``"skip"``: failed files keep their ``error`` line and the
        task succeeds.
    :param reupload_lost: Send again an upload that was billed but whose answer was lost (default ``True``).
    :param allow_empty: An ``s3://`` prefix holding no objects is not an error (a day without recordings):
        the outputs are written, empty. By default it fails the task, naming the prefix.
    :param max_request_bytes: Largest request (default Hume's 25 MB); smaller values split sooner.
    :param hume_conn_id: The ``hume`` connection (its host, or ``https://api.cloud.hume.ai``; templated).
    :param aws_conn_id: The AWS connection for ``s3://`` sources and the outputs (templated; the ``amazon``
        extra, checked when the operator is built).
    """

    endpoint: ClassVar[str] = "audio"
    media: ClassVar[Literal["audio", "image"]] = "audio"
    requests_key: ClassVar[str] = "chunks"

    def __init__(self, *, measurement_timer_ms: int = 3000, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        try:
            self.config = AudioFileConfig(measurement_timer_ms=measurement_timer_ms)
        except HumeValidationError as err:
            raise ValueError(f"Invalid HumeMeasureAudioOperator arguments: {err}") from err
        self.measurement_timer_ms = measurement_timer_ms

    def settings_key(self) -> tuple[Any, ...]:
        return (self.max_request_bytes, self.measurement_timer_ms)

    def preflight(self, sources: Sequence[SourceFile]) -> None:
        missing = needs_media_extra(sources, lambda source: source.name.lower().endswith(_WAV_SUFFIXES))
        if missing:
            raise HumeValidationError(
                f"{names(missing)} must be converted to 16 kHz mono WAV, which needs PyAV: install the media "
                "extra (pip install 'airflow-provider-hume[media]'), or convert the files first"
            )

    def estimate_seconds(self, request: Mapping[str, Any]) -> float:
        return max(MIN_BILLED_SECONDS, float(request.get("duration_ms") or 0) / 1000)

    def measure(
        self, source: SourceFile, path: Path, uploader: Uploader, workdir: Path, cleanup: ExitStack
    ) -> _AudioFile:
        from airflow_provider_hume.client.v1.media import prepare_audio

        prepared = cleanup.enter_context(
            prepare_audio(path, source.uri, max_request_bytes=self.max_request_bytes, workdir=str(workdir))
        )
        audio = _AudioFile(source, prepared.duration_ms, prepared.converted)
        count = prepared.chunk_count
        self.log.info(
            "%s: %.1f s of audio%s, %d request(s)",
            source.uri,
            prepared.duration_ms / 1000,
            " (converted to 16 kHz mono)" if prepared.converted else "",
            count,
        )
        key = source.key(*self.settings_key())
        for chunk in prepared.chunks():
            name = f"chunks/{key}/{chunk.index:05d}.json"
            staged = uploader.cached(name)
            future: Future[dict[str, Any]] = Future()
            if staged is not None:
                self.log.info(
                    "  chunk %d/%d: staged by an earlier try, not sent again", chunk.index + 1, count
                )
                future.set_result(staged)
            else:
                future = uploader.submit(self._upload(uploader.client, source, chunk, name, count))
            audio.chunks.append((chunk, future))
        return audio

    def _upload(
        self, client: HumeV1Client, source: SourceFile, chunk: AudioChunk, name: str, count: int
    ) -> Upload:
        intent = UploadIntent(name, source.uri, chunk.index, self.endpoint, chunk.part.size, utc_now())

        def send() -> AudioFileResult:
            result = client.measure_audio(chunk.part, self.config)
            self.log.info(
                "  chunk %d/%d (%.1f s from %.1f s): run %s, %d measurement(s)",
                chunk.index + 1,
                count,
                chunk.duration_ms / 1000,
                chunk.offset_ms / 1000,
                result.run_id,
                len(result.measurements),
            )
            return result

        def staged(result: AudioFileResult, started: Any) -> dict[str, Any]:
            return {
                "source": source.uri,
                "index": chunk.index,
                "offset_ms": chunk.offset_ms,
                "started_at": started.isoformat(),
                "result": result.to_api(),
            }

        return Upload(intent, send, staged)
