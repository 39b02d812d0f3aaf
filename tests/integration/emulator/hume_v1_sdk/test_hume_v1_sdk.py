"""Hume's own v1 SDK, unmodified and pointed at the emulator, is the judge of the emulator's ``v1`` routes.

``hume-expression-measurement`` 0.1.0 (the only release) is installed with uv into a throwaway virtualenv, as
the ``v0`` SDK tests do; without PyPI or a warm uv cache (or without uv) the tests are skipped and say why.
``hume_v1_sdk_scenario.py`` runs in that virtualenv: uploads, runs and typed errors (``http``) and both
realtime sockets (``realtime``), re-validating every raw body with the SDK's models
(``hume-api-v1.md §10``); the ``http`` part also injects faults through the emulator's admin API, and turns
them off again. Fields the emulator sends that the SDK does not declare are allowed by Hume's models
and so do not fail a test; each one is reported as an :class:`UndeclaredFieldWarning`.
Deselect with ``-m "not provisioning"``.
"""

from __future__ import annotations

import io
import json
import math
import os
import struct
import subprocess
import warnings
import wave
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from PIL import Image

from tests.integration.emulator.hume_sdk.test_hume_sdk import sdk_python
from tests.support.samples import image_bytes
from tests.support.samples_audio import mp3_bytes

if TYPE_CHECKING:
    from tests.conftest import EmulatorHandle

SCENARIO = Path(__file__).with_name("hume_v1_sdk_scenario.py")
REQUIREMENT = "hume-expression-measurement==0.1.0"
SCENARIO_TIMEOUT_SECONDS = 60
RATE = 16000
#: Per image: its size and the faces the emulator is told it has, ``[x0, y0, x1, y1, confidence]`` in a
#: JPEG comment (``airflow_provider_hume/emulator/v1/faces.py``). Image 0 has three faces that pass the
#: scenario's threshold 0.5 and min_size 20 (two measured, one listed unmeasured), one under the threshold
#: and one too small.
FACES = [
    (
        (320, 240),
        [
            [20, 20, 140, 160, 0.98],
            [180, 40, 260, 130, 0.95],
            [270, 150, 310, 200, 0.9],
            [10, 180, 60, 230, 0.3],
            [150, 200, 160, 210, 0.99],
        ],
    ),
    ((480, 360), [[200, 100, 330, 260, 0.97]]),
    ((320, 240), []),
]

#: Faces each image of :data:`FACES` lists, measured ones first (the largest two are measured).
FACES_LISTED = [[True, True, False], [True], []]

pytestmark = [pytest.mark.provisioning, pytest.mark.timeout(120)]


class UndeclaredFieldWarning(UserWarning):
    """The emulator sent a field that Hume's SDK models do not declare (allowed, but not known to be sent)."""


def pcm(pattern: list[tuple[float, bool]]) -> bytes:
    """16 kHz mono s16le: ``(seconds, speech)`` stretches of a voiced two-tone signal or of silence."""
    samples: list[int] = []
    for seconds, speech in pattern:
        for index in range(round(seconds * RATE)):
            t = index / RATE
            value = 7000 * math.sin(2 * math.pi * 180 * t) + 3000 * math.sin(2 * math.pi * 720 * t)
            samples.append(round(value) if speech else 0)
    return struct.pack(f"<{len(samples)}h", *samples)


def wav(samples: bytes) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(RATE)
        writer.writeframes(samples)
    return buffer.getvalue()


def jpeg_with_faces(width: int, height: int, faces: list[list[float]], *, seed: int) -> bytes:
    """A JPEG whose comment lists the faces the emulator will find in it."""
    with Image.open(io.BytesIO(image_bytes(width, height, seed=seed))) as image:
        buffer = io.BytesIO()
        image.convert("RGB").save(
            buffer, format="JPEG", comment=b"hume-emulator-faces:" + json.dumps(faces).encode()
        )
    return buffer.getvalue()


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The scenario's inputs: speech-like audio (WAV, raw PCM), face JPEGs, bad ones (MP3, PNG, too big)."""
    folder = tmp_path_factory.mktemp("v1-media")
    speech = pcm([(0.5, False), (11.5, True), (1.5, False), (3.0, True), (0.5, False)])
    (folder / "speech.pcm").write_bytes(speech)
    (folder / "speech.wav").write_bytes(wav(speech))
    (folder / "live.pcm").write_bytes(pcm([(0.3, False), (3.6, True), (0.5, False)]))
    (folder / "clip.mp3").write_bytes(mp3_bytes(1.0))
    (folder / "not_jpeg.png").write_bytes(image_bytes(64, 64))
    for index, ((width, height), faces) in enumerate(FACES):
        (folder / f"face_{index}.jpg").write_bytes(jpeg_with_faces(width, height, faces, seed=index))
    (folder / "faces_listed.json").write_text(json.dumps(FACES_LISTED))
    (folder / "huge.jpg").write_bytes(image_bytes(3841, 2160, image_format="JPEG"))  # 1 px over 3840 x 2160
    return folder


@pytest.fixture(scope="module")
def python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sdk_python(tmp_path_factory.mktemp("v1-sdk"), REQUIREMENT)


def run_scenario(python: Path, part: str, emulator: EmulatorHandle, media: Path) -> dict[str, Any]:
    done = subprocess.run(
        [str(python), "-W", "ignore", str(SCENARIO), part, emulator.url, emulator.api_key, str(media)],
        capture_output=True,
        text=True,
        timeout=SCENARIO_TIMEOUT_SECONDS,
        env={key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"},
    )
    assert done.returncode == 0, done.stderr[-4000:]
    summary: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    for field in summary["extra_fields"]:
        warnings.warn(f"{part}: {field}", UndeclaredFieldWarning, stacklevel=2)
    return summary


def test_uploads_runs_and_errors_parse_into_the_sdk_models(
    python: Path, emulator: EmulatorHandle, media: Path
) -> None:
    summary = run_scenario(python, "http", emulator, media)
    assert not summary["problems"], "\n".join(summary["problems"])
    assert len(summary["facts"]["ours"]) == 5


def test_both_realtime_sockets_speak_the_sdk_protocol(
    python: Path, emulator: EmulatorHandle, media: Path
) -> None:
    summary = run_scenario(python, "realtime", emulator, media)
    assert not summary["not_served"], f"not served: {summary['not_served']}"
    assert not summary["problems"], "\n".join(summary["problems"])
    assert {"audio_run", "video_run"} <= summary["facts"].keys()
