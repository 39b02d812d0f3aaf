"""A scripted ``v1`` client and hook, an in-memory S3 (moto's in-process mock: no socket), and WAV files.

:class:`StubV1Client` subclasses the real client and replaces only what goes on the wire: each upload reads
its part whole (proving it can be opened), answers with one utterance and one measurement per 3 s of audio,
and records a run; scripted errors are raised instead for chosen calls.
"""

from __future__ import annotations

import threading
import wave
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from airflow_provider_hume.client import HumeError
from airflow_provider_hume.client.v1 import (
    AudioFileConfig,
    AudioFileResult,
    HumeV1Client,
    ImageFileConfig,
    ImageFileResult,
    MediaPart,
    RunSummary,
)
from airflow_provider_hume.hooks.hume import HumeConnectionSettings, HumeHook

API_KEY = "stub-v1-key-0123456789abcdef0123456789abcdef"
BASE_URL = "http://hume-v1.stub"
BUCKET = "unit-bucket"
T0 = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


def write_jpeg(path: Path, size: tuple[int, int] = (64, 48)) -> Path:
    """A small JPEG (Pillow)."""
    from PIL import Image

    Image.new("RGB", size, (200, 120, 40)).save(path, "JPEG")
    return path


def write_wav(path: Path, seconds: float, rate: int = 16000, channels: int = 1) -> Path:
    """A WAV of a loud square wave (``rate`` Hz, ``channels`` channels, 16-bit)."""
    frames = int(seconds * rate)
    period = bytes.fromhex("ff3f") * 20 + bytes.fromhex("01c0") * 20  # +/- 16383
    sample_bytes = (period * (frames // 40 + 1))[: frames * 2]
    interleaved = b"".join(sample_bytes[i : i + 2] * channels for i in range(0, len(sample_bytes), 2))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(interleaved)
    return path


@dataclass
class Script:
    """Errors to raise instead of answering, by call number (1-based, per endpoint) or part name."""

    errors_by_call: dict[int, HumeError] = field(default_factory=dict)
    errors_by_name: dict[str, HumeError] = field(default_factory=dict)
    lost_runs: list[RunSummary] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    runs: list[RunSummary] = field(default_factory=list)
    lookups: list[tuple[str, datetime, int | None]] = field(default_factory=list)
    face_states: list[str | None] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, endpoint: str, size: int, metered: float) -> RunSummary:
        with self.lock:
            run = RunSummary(
                run_id=f"run-{len(self.runs) + 1:04d}",
                user_id="user-1",
                status="ended",
                endpoint=endpoint,
                mode="file",
                started_at=datetime.now(timezone.utc),
                ended_at=datetime.now(timezone.utc),
                bytes_received=size,
                bytes_recorded=size,
                metered_seconds=metered,
            )
            self.runs.append(run)
        return run

    def maybe_fail(self, name: str) -> None:
        with self.lock:
            self.calls.append(name)
            number = len(self.calls)
        error = self.errors_by_call.pop(number, None) or self.errors_by_name.get(name)
        if error is not None:
            raise error


def _read_all(part: MediaPart) -> bytes:
    stream = part.open()
    try:
        data = stream.read()
    finally:
        stream.close()
    assert len(data) == part.size, f"{part.name}: read {len(data)} bytes, announced {part.size}"
    return data


class StubV1Client(HumeV1Client):
    """The ``v1`` client with scripted answers instead of HTTP."""

    def __init__(self, script: Script) -> None:
        super().__init__(API_KEY, BASE_URL)
        self.script = script

    def check_connection(self) -> None:
        return None

    def measure_audio(self, part: MediaPart, config: AudioFileConfig | None = None) -> AudioFileResult:
        self.script.maybe_fail(part.name)
        data = _read_all(part)
        duration = (len(data) - 44) // 32
        timer = (config or AudioFileConfig()).measurement_timer_ms
        run = self.script.run("audio", part.size, max(10.0, duration / 1000))
        starts = range(0, max(duration - 1, 1), timer)
        measurements = [
            {
                "measurement_id": n,
                "utterance_id": 0,
                "audio_start_ms": max(0, start + timer - 10000),
                "audio_end_ms": min(start + timer, duration),
                "trigger": "interval",
                "expressions": [
                    {"name": "interest", "probability": 0.61},
                    {"name": "calmness", "probability": 0.2},
                ],
                "voice_attributes": [{"name": "clear", "probability": 0.9}],
            }
            for n, start in enumerate(starts)
        ]
        return AudioFileResult.from_api(
            {
                "request_id": f"req-{run.run_id}",
                "run_id": run.run_id,
                "received": {"audio_duration_ms": duration},
                "utterances": [{"utterance_id": 0, "audio_start_ms": 0, "audio_end_ms": duration}],
                "measurements": measurements,
            }
        )

    def measure_images(
        self, parts: Sequence[MediaPart], config: ImageFileConfig | None = None
    ) -> ImageFileResult:
        self.script.maybe_fail(parts[0].name)
        self.script.face_states.append(config.face_state if config else None)
        for part in parts:
            _read_all(part)
        run = self.script.run("video", sum(part.size for part in parts), max(10.0, len(parts) / 3))
        return ImageFileResult.from_api(
            {
                "request_id": f"req-{run.run_id}",
                "run_id": run.run_id,
                "received": {"frames": len(parts)},
                "measurements": [
                    {
                        "frame_id": n,
                        "faces": [
                            {
                                "face_id": 0,
                                "bbox": [1, 2, 30, 40],
                                "confidence": 0.98,
                                "expressions": [{"name": "joy", "probability": 0.7}],
                                "descriptions": [{"name": "smile", "probability": 0.8}],
                            }
                        ],
                    }
                    for n in range(len(parts))
                ],
                "face_state": f"state-{run.run_id}",
            }
        )

    def iter_runs(self, **filters: Any) -> Iterator[RunSummary]:
        after = filters.get("started_after")
        before = filters.get("started_before")
        for run in sorted(self.script.runs, key=lambda r: r.started_at, reverse=True):
            if after is not None and run.started_at < after:
                continue
            if before is not None and run.started_at >= before:
                continue
            if filters.get("endpoint") and run.endpoint != filters["endpoint"]:
                continue
            yield run

    def find_upload_runs(
        self, endpoint: str, started_after: datetime, *, bytes_received: int | None = None, margin: Any = None
    ) -> list[RunSummary]:
        self.script.lookups.append((endpoint, started_after, bytes_received))
        return [run for run in self.script.lost_runs if run.endpoint == endpoint]


def lost_run(run_id: str = "run-lost", endpoint: str = "audio", metered: float = 12.5) -> RunSummary:
    """A run an earlier upload created, whose answer never arrived."""
    return RunSummary(
        run_id=run_id,
        user_id="user-1",
        status="ended",
        endpoint=endpoint,
        mode="file",
        started_at=T0,
        ended_at=T0 + timedelta(seconds=5),
        bytes_received=None,
        bytes_recorded=None,
        metered_seconds=metered,
    )


class StubV1Hook(HumeHook):
    """A hook whose settings are fixed and whose ``v1`` client is :class:`StubV1Client`."""

    def __init__(self, script: Script) -> None:
        super().__init__("hume_stub")
        self.script = script
        self._settings = HumeConnectionSettings(
            base_url=BASE_URL, api_key=API_KEY, timeout=5.0, max_retries=0
        )

    def get_v1_client(self, **overrides: Any) -> StubV1Client:
        return StubV1Client(self.script)
