"""JPEG sizes from the SOF marker, and prepare_image within Hume's 2 MB / 8,294,400 px (hume-api-v1.md §6)."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import pytest
from PIL import Image

from airflow_provider_hume.client.v1.limits import MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS
from airflow_provider_hume.client.v1.media import MediaInputError, jpeg_size, prepare_image
from airflow_provider_hume.client.v1.parts import IMAGE_JPEG, MediaPart
from tests.support import media_samples
from tests.support.samples import image_bytes


def save(image: Image.Image, path: Path, **options: object) -> Path:
    image.save(path, **options)  # type: ignore[arg-type]
    return path


def read(part: MediaPart) -> bytes:
    with part.open() as stream:
        data = stream.read()
    assert len(data) == part.size
    return data


def too_many_pixels(path: Path) -> Path:
    """A smooth 4000x2100 JPEG: 8.4 MP (over the limit) in few bytes."""
    return save(Image.linear_gradient("L").resize((4000, 2100)).convert("RGB"), path, quality=80)


def too_many_bytes(path: Path) -> Path:
    """Noise at top quality: 1000x1000 px but over 2 MB."""
    noise = [Image.effect_noise((1000, 1000), 120 + 10 * i) for i in range(3)]
    return save(Image.merge("RGB", noise), path, quality=100)


@pytest.mark.parametrize(
    ("options", "size"),
    [
        ({}, (640, 480)),
        ({"progressive": True}, (33, 7)),
        ({"exif": Image.Exif()}, (1, 1)),
        ({}, (3840, 2160)),
    ],
)
def test_jpeg_size_reads_the_frame_header(options: dict[str, object], size: tuple[int, int]) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 20, 30)).save(buffer, format="JPEG", **options)
    buffer.seek(0)
    assert jpeg_size(buffer) == size
    assert buffer.tell() < 1000  # nothing past the frame header is read


def test_jpeg_size_skips_fill_bytes_and_app_segments() -> None:
    sof = b"\xff\xc2\x00\x11\x08" + (1080).to_bytes(2, "big") + (1920).to_bytes(2, "big") + bytes(10)
    data = b"\xff\xd8" + b"\xff\xe1\x00\x06Exif" + b"\xff\xff\xff" + sof
    assert jpeg_size(io.BytesIO(data)) == (1920, 1080)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"\x89PNG\r\n", "not a JPEG"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "ends before its frame header"),
        (b"\xff\xd8\xff\xda\x00\x08", "no frame header before its image data"),
        (b"\xff\xd8\xff\xc0\x00\x11\x08\x00", "ends inside its frame header"),
        (b"\xff\xd8\x00", "expected a marker"),
        (b"\xff\xd8\xff\xc0\x00\x11\x08\x00\x00\x01\x00", "size of 256x0"),
    ],
)
def test_jpeg_size_refuses(data: bytes, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        jpeg_size(io.BytesIO(data))


def test_a_jpeg_within_the_limits_is_sent_untouched(tmp_path: Path) -> None:
    path = tmp_path / "face.jpg"
    path.write_bytes(image_bytes(640, 480, image_format="JPEG"))
    part = prepare_image(path, "photos/face.jpg", oversize="reject", convert_non_jpeg=False)
    assert (part.name, part.size, part.content_type) == ("face.jpg", path.stat().st_size, IMAGE_JPEG)
    assert read(part) == path.read_bytes()


def test_the_limits_themselves_pass(tmp_path: Path) -> None:
    path = save(Image.new("RGB", (3840, 2160)), tmp_path / "uhd.jpg")
    assert prepare_image(path, "uhd.jpg", oversize="reject").size == path.stat().st_size


def test_too_many_pixels_are_downscaled_keeping_the_aspect(tmp_path: Path) -> None:
    part = prepare_image(too_many_pixels(tmp_path / "wide.jpg"), "wide.jpg")
    with Image.open(io.BytesIO(read(part))) as image:
        assert image.format == "JPEG"
        width, height = image.size
    assert width * height <= MAX_IMAGE_PIXELS
    assert width * height > 0.99 * MAX_IMAGE_PIXELS
    assert abs(width / height - 4000 / 2100) < 0.001
    assert part.name == "wide.jpg"


def test_too_many_bytes_are_recompressed(tmp_path: Path) -> None:
    path = too_many_bytes(tmp_path / "noise.jpg")
    assert path.stat().st_size > MAX_IMAGE_BYTES
    part = prepare_image(path, "noise.jpg")
    assert part.size <= MAX_IMAGE_BYTES
    assert jpeg_size(io.BytesIO(read(part)))[0] <= 1000


@pytest.mark.parametrize(
    ("make", "figures"),
    [
        (
            too_many_pixels,
            r"and 4000x2100 = 8,400,000 pixels, over Hume's limits of 2,000,000 bytes and 8,294,400",
        ),
        (too_many_bytes, r"is [\d,]+ bytes and 1000x1000 = 1,000,000 pixels, over Hume's limits"),
    ],
)
def test_oversize_reject_names_the_file_its_figures_and_the_limits(
    tmp_path: Path, make: Callable[[Path], Path], figures: str
) -> None:
    with pytest.raises(MediaInputError, match=rf"^big\.jpg: .*{figures}.*oversize='downscale'"):
        prepare_image(make(tmp_path / "big.jpg"), "big.jpg", oversize="reject")


def test_a_png_with_transparency_is_converted(tmp_path: Path) -> None:
    image = Image.new("RGBA", (300, 200), (255, 0, 0, 0))
    image.paste((0, 0, 255, 255), (0, 0, 150, 200))
    part = prepare_image(save(image, tmp_path / "logo.png"), "logo.png")
    assert part.name == "logo.jpg"
    with Image.open(io.BytesIO(read(part))) as converted:
        assert (converted.format, converted.mode, converted.size) == ("JPEG", "RGB", (300, 200))
        left, right = converted.getpixel((10, 10)), converted.getpixel((290, 10))
    assert left[2] > 200
    assert left[0] < 60
    assert min(right) > 240  # transparency becomes white


@pytest.mark.parametrize("file_format", ["WEBP", "GIF", "BMP"])
def test_other_formats_are_converted(tmp_path: Path, file_format: str) -> None:
    path = tmp_path / f"frame.{file_format.lower()}"
    path.write_bytes(image_bytes(64, 48, image_format=file_format))
    part = prepare_image(path, path.name)
    assert jpeg_size(io.BytesIO(read(part))) == (64, 48)


def test_a_non_jpeg_without_conversion_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "face.png"
    path.write_bytes(image_bytes(64, 48))
    with pytest.raises(MediaInputError, match=r"^face\.png: is not a JPEG.*convert_non_jpeg=True"):
        prepare_image(path, "face.png", convert_non_jpeg=False)


def test_random_bytes_are_no_image(tmp_path: Path) -> None:
    path = media_samples.random_bytes(tmp_path / "photo.jpg")
    with pytest.raises(MediaInputError, match=r"^photo\.jpg: cannot be read as an image \(Pillow: "):
        prepare_image(path, "photo.jpg")


def test_a_broken_jpeg_is_named(tmp_path: Path) -> None:
    (tmp_path / "cut.jpg").write_bytes(image_bytes(64, 48, image_format="JPEG")[:10])
    with pytest.raises(MediaInputError, match=r"^cut\.jpg: is not a readable JPEG: JPEG ends"):
        prepare_image(tmp_path / "cut.jpg", "cut.jpg")


def test_without_pillow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    small = tmp_path / "small.jpg"
    small.write_bytes(image_bytes(64, 48, image_format="JPEG"))
    big = too_many_pixels(tmp_path / "big.jpg")
    monkeypatch.setitem(sys.modules, "PIL.Image", None)
    assert prepare_image(small, "small.jpg").size == small.stat().st_size
    with pytest.raises(
        MediaInputError, match=r"^big\.jpg: .*needs Pillow.*pip install 'airflow-provider-hume\["
    ):
        prepare_image(big, "big.jpg")


def test_an_opener_that_cannot_seek(tmp_path: Path) -> None:
    data = image_bytes(64, 48, image_format="JPEG")
    png = image_bytes(64, 48)

    def one_way(payload: bytes) -> Callable[[], BinaryIO]:
        def opener() -> BinaryIO:
            stream = io.BytesIO(payload)
            stream.seekable = lambda: False  # type: ignore[method-assign]
            return stream

        return opener

    part = prepare_image(one_way(data), "s3://bucket/a.jpg")
    assert (part.name, part.size) == ("a.jpg", len(data))
    assert read(part) == data
    converted = prepare_image(one_way(png), "s3://bucket/b.png")
    assert jpeg_size(io.BytesIO(read(converted))) == (64, 48)
