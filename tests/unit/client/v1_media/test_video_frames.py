"""iter_video_frames: JPEG frames sampled by timestamp at the chosen rate, one decoded frame at a time."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from airflow_provider_hume.client.v1.limits import MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS
from airflow_provider_hume.client.v1.media import MediaInputError, iter_video_frames, jpeg_size
from airflow_provider_hume.client.v1.parts import IMAGE_JPEG
from tests.support import media_samples


@pytest.mark.parametrize(
    ("fps", "timestamps"),
    [
        (1, [0, 1000, 2000]),
        # A 10 fps video at 3 fps: the first frame at or after each third of a second.
        (3, [0, 400, 700, 1000, 1400, 1700, 2000, 2400, 2700]),
        (0.5, [0, 2000]),
        # Faster than the video: each frame once.
        (30, list(range(0, 3000, 100))),
    ],
)
def test_frames_are_sampled_by_timestamp(
    sample: Callable[[str], Path], fps: float, timestamps: list[int]
) -> None:
    frames = list(iter_video_frames(sample("clip.mp4"), "videos/clip.mp4", fps=fps))
    assert [frame.timestamp_ms for frame in frames] == timestamps
    assert [frame.index for frame in frames] == list(range(len(timestamps)))
    first = frames[0].part
    assert (first.name, first.content_type) == ("clip.000000000ms.jpg", IMAGE_JPEG)
    with first.open() as stream:
        data = stream.read()
    assert len(data) == first.size
    assert jpeg_size(io.BytesIO(data)) == (96, 64)


def test_frames_differ(sample: Callable[[str], Path]) -> None:
    frames = list(iter_video_frames(sample("clip.mp4"), "clip.mp4", fps=1))
    pixels = []
    for frame in frames:
        with frame.part.open() as stream, Image.open(stream) as image:
            pixels.append(image.convert("RGB").getpixel((2, 2)))
    assert len(set(pixels)) == len(frames)  # the background shade changes with the frame number


def test_the_video_of_a_file_with_audio(sample: Callable[[str], Path]) -> None:
    assert len(list(iter_video_frames(sample("call-with-video.mp4"), "call.mp4", fps=1))) == 3


def test_frames_over_the_pixel_limit_are_scaled_down(tmp_path: Path) -> None:
    path = media_samples.mp4(tmp_path / "uhd.mp4", 0.2, fps=5, size=(4000, 2200))
    (frame,) = iter_video_frames(path, "uhd.mp4", fps=1)
    with frame.part.open() as stream:
        width, height = jpeg_size(stream)
    assert width * height <= MAX_IMAGE_PIXELS
    assert abs(width / height - 4000 / 2200) < 0.002
    assert frame.part.size <= MAX_IMAGE_BYTES


def test_frames_are_decoded_lazily(sample: Callable[[str], Path]) -> None:
    frames = iter_video_frames(sample("clip.mp4"), "clip.mp4", fps=3)
    assert next(frames).timestamp_ms == 0
    frames.close()  # the container is closed with the generator


def test_without_pyav(sample: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "av", None)
    with pytest.raises(
        MediaInputError, match=r"^clip\.mp4: sampling video frames needs PyAV \(av\).*\[media\]"
    ):
        iter_video_frames(sample("clip.mp4"), "clip.mp4", fps=1)
