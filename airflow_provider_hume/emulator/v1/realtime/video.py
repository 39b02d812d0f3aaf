"""The video session (hume-api-v1.md §7.1 "Video specifics"): one JPEG per frame, exactly one reply each.

A binary frame is checked in this order: message size (over 2 MB ends the session), the send rate (faster
than 3 fps: ``rate_limited``), then — the frame now taken in and billed ⅓ s — the image (empty, not a JPEG,
unreadable or over 8,294,400 px: ``invalid_image_frame``). A frame that passes is counted in
``received.frames`` and measured; an injected server error makes it an ``internal_error`` (retryable unless
the injected status is 500), and the fifth in a row ends the session. ``frame_id`` counts results only;
``produced.measurements`` counts measured faces.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from airflow_provider_hume.emulator.backend.faults import Rejection
from airflow_provider_hume.emulator.v1.faces import FaceMeasurer, ImageUndecodable
from airflow_provider_hume.emulator.v1.jpeg import (
    MAX_IMAGE_BYTES,
    MAX_IMAGE_PIXELS,
    JpegHeader,
    JpegInvalid,
    scan_jpeg,
)
from airflow_provider_hume.emulator.v1.realtime.bucket import TokenBucket
from airflow_provider_hume.emulator.v1.realtime.config import default_video_config, video_update
from airflow_provider_hume.emulator.v1.realtime.messages import Message, Step, error
from airflow_provider_hume.emulator.v1.realtime.session import RealtimeSession
from airflow_provider_hume.emulator.v1.runs import RunStore

FRAMES_PER_SECOND: Final = 3.0
SECONDS_PER_FRAME: Final = 1 / 3
CONSECUTIVE_FAILURES: Final = 5
"""Measurement failures in a row that end the session (hume-api-v1.md §4.2)."""


def read_image(data: bytes) -> JpegHeader | str:
    """The header of a frame the session can measure, or why it cannot."""
    if not data:
        return "the frame is empty"
    try:
        header = scan_jpeg(data)
    except JpegInvalid as exc:
        return f"the frame is not a readable JPEG ({exc})"
    if header.pixels > MAX_IMAGE_PIXELS:
        return f"the image has {header.pixels} pixels, over the limit of {MAX_IMAGE_PIXELS}"
    return header


class VideoSession(RealtimeSession):
    """A session of ``/v1/expression/video/realtime``."""

    endpoint = "video"
    max_message_bytes = MAX_IMAGE_BYTES
    limit_text = "2 MB"

    def __init__(
        self,
        runs: RunStore,
        user_id: str,
        clock: Callable[[], float],
        *,
        burst_frames: float,
        measurer: Callable[[float, int], FaceMeasurer],
    ) -> None:
        super().__init__(runs, user_id, clock)
        self._bucket = TokenBucket(FRAMES_PER_SECOND, burst_frames, clock())
        self._new_measurer = measurer
        self._measurer: FaceMeasurer | None = None
        self.frames = 0
        self.results = 0
        self.faces_measured = 0
        self._failures = 0

    def default_config(self) -> dict[str, Any]:
        return default_video_config()

    def parse_update(self, message: Mapping[str, Any]) -> dict[str, Any]:
        return video_update(message)

    def on_media(self, data: bytes, injected: Rejection | None = None) -> Step:
        self.media_seen = True
        if len(data) > MAX_IMAGE_BYTES:
            return self.too_large()
        limited = injected is not None and injected.status == 429
        if limited or not self._bucket.take(1.0, self._clock()):
            return self.rate_limited()
        self.media_taken += 1
        self.bytes_received += len(data)
        header = read_image(data)
        if isinstance(header, JpegHeader) and injected is not None:
            step = self._failed(injected)
        elif isinstance(header, JpegHeader):
            step = self._measure(data, header)
        else:
            step = self._invalid(header)
        self.heard()
        return step

    def _invalid(self, problem: str) -> Step:
        self.event("invalid_image_frame", {"detail": problem})
        return Step([error("invalid_image_frame", f"{problem}; the frame was discarded", retryable=True)])

    def _failed(self, injected: Rejection) -> Step:
        self.frames += 1
        self._failures += 1
        ends = self._failures >= CONSECUTIVE_FAILURES
        retryable = injected.status != 500 and not ends
        self.event("inference_failed", {"retryable": retryable, "consecutive": self._failures})
        text = "measuring the frame failed (fault injected by the emulator)"
        if ends:
            text += f"; {CONSECUTIVE_FAILURES} failures in a row end the session"
        return Step([error("internal_error", text, retryable=retryable)], end="error" if ends else None)

    def _measure(self, data: bytes, header: JpegHeader) -> Step:
        if self._measurer is None:
            face = self.config["face"]
            self._measurer = self._new_measurer(face["threshold"], face["min_size"])
        try:
            result = self._measurer.measure(data, self.results, header)
        except ImageUndecodable as exc:
            return self._invalid(str(exc))
        self.frames += 1
        self._failures = 0
        self.results += 1
        self.faces_measured += sum(1 for face in result["faces"] if face.get("face_id") is not None)
        return Step([{"type": "measurement.result", **result}])

    def flush(self) -> list[Message]:
        return []

    def totals(self) -> dict[str, Any]:
        return {"received": {"frames": self.frames}, "produced": {"measurements": self.faces_measured}}

    def metered_seconds(self) -> float:
        return self.media_taken * SECONDS_PER_FRAME
