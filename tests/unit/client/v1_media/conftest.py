"""Media files for the media preparation tests, encoded once per session with PyAV (in process)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support import media_samples

SECONDS = 3.0


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def sample(media_dir: Path) -> Callable[[str], Path]:
    """``sample("call.mp3")``: the named sample file (made on first use), see :data:`MAKERS`."""
    made: dict[str, Path] = {}

    def get(file_name: str) -> Path:
        if file_name not in made:
            made[file_name] = MAKERS[file_name](media_dir / file_name)
        return made[file_name]

    return get


MAKERS: dict[str, Callable[[Path], Path]] = {
    "call.mp3": lambda path: media_samples.mp3(path, SECONDS),
    "call.m4a": lambda path: media_samples.m4a(path, SECONDS),
    "call.flac": lambda path: media_samples.flac(path, SECONDS),
    "call.ogg": lambda path: media_samples.ogg_vorbis(path, SECONDS),
    "call.opus": lambda path: media_samples.ogg_opus(path, SECONDS),
    "call-44k-stereo.wav": lambda path: media_samples.wav(path, SECONDS, rate=44100, channels=2),
    "call-16k.wav": lambda path: media_samples.wav(path, SECONDS),
    "call-extensible.wav": lambda path: media_samples.wav_extensible(path, SECONDS),
    "call-float.wav": lambda path: media_samples.wav_float(path, SECONDS),
    "call-with-video.mp4": lambda path: media_samples.mp4(path, SECONDS, audio=True),
    "clip.mp4": lambda path: media_samples.mp4(path, SECONDS, fps=10),
    "long.mp3": lambda path: media_samples.mp3(path, 10.0, rate=16000),
}
