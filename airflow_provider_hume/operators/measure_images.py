"""``HumeMeasureImagesOperator``: faces in images and videos measured with Hume's ``v1`` image upload."""

from __future__ import annotations

import tempfile
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from airflow_provider_hume.client import HumeError, HumeValidationError
from airflow_provider_hume.client.v1 import FaceConfig, ImageFileConfig, MediaPart
from airflow_provider_hume.client.v1.media import check_fps, check_oversize
from airflow_provider_hume.operators._v1_measure import (
    _V1MeasureOperator,
    needs_media_extra,
    utc_now,
)
from airflow_provider_hume.operators._v1_sources import SourceFile, SourceResolver, names
from airflow_provider_hume.operators._v1_staging import Staging
from airflow_provider_hume.operators._v1_summary import MIN_BILLED_SECONDS, FileFailure
from airflow_provider_hume.operators._v1_uploads import Upload, Uploader, UploadIntent

if TYPE_CHECKING:
    # The result models and the media pipeline load when a task runs, not when a DAG file is parsed.
    from airflow_provider_hume.client.v1 import HumeV1Client, ImageFileResult
    from airflow_provider_hume.client.v1.media import VideoFrame

VIDEO_SUFFIXES = (".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".mpg", ".mpeg")
#: Hume bills ⅓ s per image taken in (hume-api-v1.md §8).
SECONDS_PER_IMAGE = 1 / 3


def is_video(source: SourceFile) -> bool:
    return source.name.lower().endswith(VIDEO_SUFFIXES)


def _frame_entries(result: ImageFileResult, frames: Sequence[tuple[int, int | None]]) -> list[dict[str, Any]]:
    """Each measured frame of a result with its place in its file: ``frame_index``, ``timestamp_ms``, run."""
    return [
        {
            "frame_index": index,
            "timestamp_ms": timestamp,
            "run_id": result.run_id,
            "faces": [face.to_api() for face in measurement.faces],
        }
        for (index, timestamp), measurement in zip(frames, result.measurements, strict=True)
    ]


def _batch_entry(index: int, staged: Mapping[str, Any], frames: int) -> dict[str, Any]:
    result = staged["result"]
    return {
        "index": index,
        "run_id": result["run_id"],
        "request_id": result["request_id"],
        "frames": frames,
        "started_at": staged["started_at"],
    }


class _Video:
    """A video in flight: its batches are sent one after the other, each carrying the last ``face_state``."""

    def __init__(self, future: Future[dict[str, Any]]) -> None:
        self.future = future

    def ready(self) -> bool:
        return self.future.done()

    def line(self) -> dict[str, Any]:
        return self.future.result()


class HumeMeasureImagesOperator(_V1MeasureOperator):
    """
    Measure the faces in images and videos with Hume's ``v1`` image upload (hume-api-v1.md §6); land the
    results in S3.

    Still images (JPEG; other formats converted with Pillow unless ``convert_non_jpeg=False``) are sent
    together, as many per request as fit in 25 MB, since each request is billed at least 10 s and each image
    ⅓ s. Videos (``.mp4``, ``.mov``, ``.mkv``, ``.webm``...) are sampled at ``fps`` into JPEG frames with PyAV
    and sent in consecutive requests, each passing on the ``face_state`` of the one before, so a face keeps
    its ``face_id`` through the whole video (within Hume's 24 h and 32 faces). Images over Hume's limits
    (2 MB, 8,294,400 px) are downscaled, or refused with ``oversize="reject"``.

    Outputs as for :class:`HumeMeasureAudioOperator`: JSON Lines at ``output_uri``, one line per file
    (``source``, ``status``, ``kind`` image or video, ``batches`` with their runs, ``measurements``: one per
    frame with ``frame_index``, ``timestamp_ms`` and Hume's ``faces``); with ``output_format`` a table with
    one row per face per frame. Results are staged as they arrive, so a retry sends only what is missing;
    uploads whose answer was lost are reported with the run that billed them (``reupload_lost``).

    :param sources: Local paths, ``s3://`` objects and ``s3://`` prefixes of images and videos (templated).
    :param fps: Frames sampled per second of video (up to 30).
    :param threshold: Faces detected with less confidence (0 to 1) are not listed.
    :param min_size: Faces smaller than this many pixels (shorter side, >= 1) are not listed.
    :param oversize: ``"downscale"`` or ``"reject"`` images over Hume's limits.
    :param convert_non_jpeg: Convert PNG, WebP... to JPEG (``False``: refuse them).
    :param kwargs: ``output_uri``, ``output_format``, ``table_uri``, ``staging_uri``, ``max_concurrency``
        (videos or image requests at once), ``on_error``, ``reupload_lost``, ``allow_empty``,
        ``max_request_bytes``, ``hume_conn_id``, ``aws_conn_id``: see :class:`HumeMeasureAudioOperator`.
    """

    endpoint: ClassVar[str] = "video"
    media: ClassVar[Literal["audio", "image"]] = "image"
    requests_key: ClassVar[str] = "batches"

    def __init__(
        self,
        *,
        fps: float = 1.0,
        threshold: float = 0.9,
        min_size: int = 60,
        oversize: str = "downscale",
        convert_non_jpeg: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        try:
            self.fps = check_fps(fps)
            self.oversize = check_oversize(oversize)
            self.face = FaceConfig(threshold=threshold, min_size=min_size, return_face_state=True)
        except HumeValidationError as err:
            raise ValueError(f"Invalid HumeMeasureImagesOperator arguments: {err}") from err
        self.threshold = threshold
        self.min_size = min_size
        self.convert_non_jpeg = convert_non_jpeg

    def settings_key(self) -> tuple[Any, ...]:
        return (self.max_request_bytes, self.fps, self.threshold, self.min_size, self.oversize)

    def preflight(self, sources: Sequence[SourceFile]) -> None:
        missing = needs_media_extra(sources, lambda source: not is_video(source))
        if missing:
            raise HumeValidationError(
                f"{names(missing)}: sampling video frames needs PyAV: install the media extra "
                "(pip install 'airflow-provider-hume[media]'), or extract the frames as JPEG files first"
            )

    def estimate_seconds(self, request: Mapping[str, Any]) -> float:
        return max(MIN_BILLED_SECONDS, int(request.get("frames") or 0) * SECONDS_PER_IMAGE)

    def _measure_all(
        self, sources: Sequence[SourceFile], resolver: SourceResolver, uploader: Uploader, staging: Staging
    ) -> dict[str, FileFailure]:
        failures = super()._measure_all([s for s in sources if is_video(s)], resolver, uploader, staging)
        stills = [s for s in sources if not is_video(s)]
        if stills:
            failures.update(self._measure_stills(stills, resolver, uploader, staging))
        return failures

    # Videos: one file, several requests in order

    def measure(
        self, source: SourceFile, path: Path, uploader: Uploader, workdir: Path, cleanup: ExitStack
    ) -> _Video:
        from airflow_provider_hume.client.v1.media import iter_video_frames

        frames = iter_video_frames(path, source.uri, fps=self.fps)
        return _Video(uploader.submit_task(self._video_line, source, frames, uploader))

    def _video_line(
        self, source: SourceFile, frames: Iterator[VideoFrame], uploader: Uploader
    ) -> dict[str, Any]:
        from airflow_provider_hume.client.v1 import ImageFileResult
        from airflow_provider_hume.client.v1.media import batch_parts

        key = source.key(*self.settings_key())
        queued: deque[VideoFrame] = deque()

        def parts() -> Iterator[MediaPart]:
            for frame in frames:
                queued.append(frame)
                yield frame.part

        batches: list[dict[str, Any]] = []
        measurements: list[dict[str, Any]] = []
        face_state: str | None = None
        for index, batch in enumerate(batch_parts(parts(), self.max_request_bytes)):
            placed = [(frame.index, frame.timestamp_ms) for frame in (queued.popleft() for _ in batch)]
            name = f"batches/{key}/{index:05d}.json"
            staged = uploader.cached(name)
            if staged is None:
                config = ImageFileConfig(face=self.face, face_state=face_state)
                staged = uploader.run(self._upload(uploader.client, source, index, batch, config, name))
            else:
                self.log.info(
                    "  %s batch %d: staged by an earlier try, not sent again", source.name, index + 1
                )
            result = ImageFileResult.from_api(staged["result"])
            face_state = result.face_state
            batches.append(_batch_entry(index, staged, len(batch)))
            measurements.extend(_frame_entries(result, placed))
        faces = sum(len(frame["faces"]) for frame in measurements)
        return {
            "source": source.uri,
            "status": "measured",
            "kind": "video",
            "fps": self.fps,
            "batches": batches,
            "measurements": measurements,
            "counts": {"requests": len(batches), "frames": len(measurements), "faces": faces},
        }

    def _upload(
        self,
        client: HumeV1Client,
        source: SourceFile,
        index: int,
        parts: list[MediaPart],
        config: ImageFileConfig,
        name: str,
    ) -> Upload:
        size = sum(part.size for part in parts)
        intent = UploadIntent(name, source.uri, index, self.endpoint, size, utc_now())

        def send() -> ImageFileResult:
            result = client.measure_images(parts, config)
            self.log.info(
                "  %s request %d: %d image(s), run %s", source.name, index + 1, len(parts), result.run_id
            )
            return result

        def staged(result: ImageFileResult, started: Any) -> dict[str, Any]:
            return {
                "source": source.uri,
                "index": index,
                "started_at": started.isoformat(),
                "result": result.to_api(),
            }

        return Upload(intent, send, staged)

    # Still images: many files per request

    def _measure_stills(
        self, sources: Sequence[SourceFile], resolver: SourceResolver, uploader: Uploader, staging: Staging
    ) -> dict[str, FileFailure]:
        from airflow_provider_hume.client.v1.media import batch_parts, prepare_image

        failures: dict[str, FileFailure] = {}
        todo = [s for s in sources if staging.get(self._line_name(s)) is None]
        if len(todo) < len(sources):
            self.log.info("%d image(s) measured by an earlier try, not sent again", len(sources) - len(todo))
        with ExitStack() as cleanup:
            workdir = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="hume-v1-images-")))
            prepared: list[SourceFile] = []

            def parts() -> Iterator[MediaPart]:
                for source in todo:
                    try:
                        path = cleanup.enter_context(resolver.local_path(source, workdir))
                        part = prepare_image(
                            path, source.uri, oversize=self.oversize, convert_non_jpeg=self.convert_non_jpeg
                        )
                    except (HumeError, OSError) as err:
                        self._failed(failures, source, err)
                        continue
                    prepared.append(source)
                    yield _numbered(part, len(prepared) - 1)

            pending: list[tuple[list[SourceFile], Future[dict[str, Any]]]] = []
            for batch in batch_parts(parts(), self.max_request_bytes):
                members = [prepared[int(part.name.split("-", 1)[0])] for part in batch]
                pending.append((members, uploader.submit(self._still_upload(uploader, members, batch))))
            for members, future in pending:
                try:
                    future.result()
                except (HumeError, OSError) as err:
                    for source in members:
                        self._failed(failures, source, err)
        return failures

    def _line_name(self, source: SourceFile) -> str:
        return f"files/{source.key(*self.settings_key())}.json"

    def _still_upload(self, uploader: Uploader, members: list[SourceFile], batch: list[MediaPart]) -> Upload:
        from airflow_provider_hume.client.v1 import ImageFileResult

        config = ImageFileConfig(face=FaceConfig(self.threshold, self.min_size))
        name = f"stills/{members[0].key(*self.settings_key())}-{len(members)}.json"
        upload = self._upload(uploader.client, members[0], 0, batch, config, name)

        def send() -> ImageFileResult:
            result: ImageFileResult = upload.send()
            started = upload.intent.started_at.isoformat()  # no later than the request
            for source, measurement in zip(members, result.measurements, strict=True):
                frames = _frame_entries(
                    ImageFileResult(result.request_id, result.run_id, 1, (measurement,)), [(0, None)]
                )
                staged = {
                    "result": {"run_id": result.run_id, "request_id": result.request_id},
                    "started_at": started,
                }
                uploader.staging.put(
                    self._line_name(source),
                    {
                        "source": source.uri,
                        "status": "measured",
                        "kind": "image",
                        "batches": [_batch_entry(0, staged, len(members))],
                        "measurements": frames,
                        "counts": {"frames": 1, "faces": len(measurement.faces)},
                    },
                )
                self.log.info("%s: measured (%d face(s))", source.uri, len(measurement.faces))
            return result

        return Upload(upload.intent, send, upload.staged)


def _numbered(part: MediaPart, number: int) -> MediaPart:
    """The part named after its place among the images (two folders may hold ``a.jpg``)."""
    return MediaPart(f"{number:06d}-{part.name}", part.size, part.content_type, part.open)
