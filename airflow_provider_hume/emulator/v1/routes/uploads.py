"""``POST /v1/expression/audio/file`` and ``POST /v1/expression/video/file`` (hume-api-v1.md §5, §6, §8).

Synchronous: the response carries every result. The body streams to a spool file (:mod:`.form`); the checks
run before any measuring. An audio upload becomes a run once it reaches measurement (errors before that
leave no run); an image upload once its images reach the checks, so a bad image leaves an ``errored`` run.
A run that fails reports 0 ``metered_seconds``; one that ends is billed its audio duration, or ⅓ s per image
(at least 10 s). ``upload_latency_ms`` (a setting, ✖ a guess) is waited before measuring.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from airflow_provider_hume.emulator.v1.audio_file import measure_upload
from airflow_provider_hume.emulator.v1.audio_format import locate_pcm
from airflow_provider_hume.emulator.v1.errors import V1Error
from airflow_provider_hume.emulator.v1.faces import FaceMeasurer, ImageUndecodable
from airflow_provider_hume.emulator.v1.file_configs import (
    VideoFileConfig,
    audio_file_config,
    video_file_config,
)
from airflow_provider_hume.emulator.v1.images import check_image
from airflow_provider_hume.emulator.v1.jpeg import MAX_IMAGE_BYTES, JpegHeader
from airflow_provider_hume.emulator.v1.room import V1Room
from airflow_provider_hume.emulator.v1.routes.auth import authenticate, request_id
from airflow_provider_hume.emulator.v1.routes.form import FilePart, read_form
from airflow_provider_hume.emulator.v1.runs import Run

SECONDS_PER_IMAGE = 1 / 3
T = TypeVar("T")


def uploads_router(room: V1Room) -> APIRouter:
    """The two upload routes over ``room``."""
    router = APIRouter(prefix="/v1/expression")

    async def processing_latency() -> None:
        if room.settings.upload_latency_ms:
            await asyncio.sleep(room.settings.upload_latency_ms / 1000)

    @router.post("/audio/file")
    async def measure_audio(request: Request) -> Response:
        user_id = authenticate(room, request)
        with tempfile.TemporaryFile(prefix="hume-v1-audio-") as spool:
            form = await read_form(request, spool, "audio", None)
            config = audio_file_config(None if form.config is None else bytes(form.config))
            part = form.files[0]
            span = await run_in_threadpool(locate_pcm, spool, part.size)
            await processing_latency()
            run = room.runs.start("audio", "file", config.run_config(), user_id)
            measurer = room.audio_measurer(config.measurement_timer_ms)
            result = await _measured(room, run, part.size, lambda: measure_upload(measurer, spool, span))
        room.runs.finish(run.run_id, "ended", span.duration_ms / 1000, bytes_received=part.size)
        return JSONResponse({"request_id": request_id(request), "run_id": run.run_id, **result})

    @router.post("/video/file")
    async def measure_video(request: Request) -> Response:
        user_id = authenticate(room, request)
        with tempfile.TemporaryFile(prefix="hume-v1-images-") as spool:
            form = await read_form(request, spool, "video", MAX_IMAGE_BYTES + 1)
            config = video_file_config(None if form.config is None else bytes(form.config))
            size = sum(part.size for part in form.files)
            run = room.runs.start("video", "file", config.run_config(), user_id)
            images = await _measured(room, run, size, lambda: _checked_images(spool, form.files))
            await processing_latency()
            measurer = _face_measurer(room, config, user_id)
            measurements = await _measured(room, run, size, lambda: _measure_images(measurer, images))
        room.runs.finish(run.run_id, "ended", len(images) * SECONDS_PER_IMAGE, bytes_received=size)
        body: dict[str, Any] = {
            "request_id": request_id(request),
            "run_id": run.run_id,
            "received": {"frames": len(images)},
            "measurements": measurements,
        }
        if config.return_face_state:
            body["face_state"] = room.face_states.issue(measurer.tracker, user_id)
        return JSONResponse(body)

    return router


async def _measured(room: V1Room, run: Run, size: int, work: Callable[[], T]) -> T:
    """``work()`` off the event loop; on any failure the run ends ``errored`` (0 s billed)."""
    try:
        return await run_in_threadpool(work)
    except V1Error:
        room.runs.finish(run.run_id, "errored", 0, bytes_received=size)
        raise
    except Exception:
        room.runs.finish(run.run_id, "errored", 0, bytes_received=size)
        raise V1Error("internal_error", "the request could not be measured") from None


def _checked_images(spool: Any, parts: list[FilePart]) -> list[tuple[bytes, JpegHeader]]:
    """Every image with its header, all checked before any is measured."""
    images = []
    for index, part in enumerate(parts):
        data = part.read(spool)
        images.append((data, check_image(data, part.size, f"image {index} ({part.filename})")))
    return images


def _face_measurer(room: V1Room, config: VideoFileConfig, user_id: str) -> FaceMeasurer:
    tracker = None if config.face_state is None else room.face_states.restore(config.face_state, user_id)
    return room.face_measurer(config.threshold, config.min_size, tracker)


def _measure_images(measurer: FaceMeasurer, images: list[tuple[bytes, JpegHeader]]) -> list[dict[str, Any]]:
    measurements = []
    for frame_id, (data, header) in enumerate(images):
        try:
            measurements.append(measurer.measure(data, frame_id, header))
        except ImageUndecodable as exc:
            raise V1Error("image_decode_failed", f"image {frame_id}: {exc}") from None
    return measurements
