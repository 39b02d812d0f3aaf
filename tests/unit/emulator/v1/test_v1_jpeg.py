"""JPEG checks before measuring (hume-api-v1.md §6): magic bytes, SOF size, the byte and pixel limits."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from airflow_provider_hume.emulator.v1.errors import V1Error
from airflow_provider_hume.emulator.v1.images import check_image
from airflow_provider_hume.emulator.v1.jpeg import MAX_IMAGE_BYTES, JpegInvalid, scan_jpeg
from tests.support.v1_media import jpeg, jpeg_header_only


def code_of(data: bytes, size: int | None = None) -> str:
    with pytest.raises(V1Error) as raised:
        check_image(data, len(data) if size is None else size, "image 0")
    return raised.value.code


@pytest.mark.parametrize(("width", "height"), [(640, 480), (1, 1), (3840, 2160)])
def test_the_size_comes_from_the_sof_header(width: int, height: int) -> None:
    header = scan_jpeg(jpeg(width, height))
    assert (header.width, header.height) == (width, height)


def test_a_progressive_jpeg_has_its_size_too() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (321, 123)).save(buffer, "JPEG", progressive=True)
    header = scan_jpeg(buffer.getvalue())
    assert (header.width, header.height) == (321, 123)


def test_the_pixel_limit_is_inclusive() -> None:
    assert check_image(jpeg_header_only(3840, 2160), 100, "image 0").pixels == 8_294_400
    assert code_of(jpeg_header_only(3841, 2160)) == "image_too_large"


def test_the_byte_limit_is_inclusive() -> None:
    data = jpeg(8, 8)
    assert check_image(data, MAX_IMAGE_BYTES, "image 0").width == 8
    assert code_of(data, MAX_IMAGE_BYTES + 1) == "image_too_large"


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n" + bytes(50), b"GIF89a" + bytes(20), b"", b"\xff\xd8"])
def test_not_a_jpeg_is_unsupported_media(data: bytes) -> None:
    assert code_of(data) == "unsupported_media_type"


@pytest.mark.parametrize("cut", [4, 30, 150])
def test_a_header_cut_short_cannot_be_decoded(cut: int) -> None:
    data = jpeg(64, 64)[:cut]
    with pytest.raises(JpegInvalid):
        scan_jpeg(data)
    assert code_of(data) == "image_decode_failed"


def test_comments_are_read() -> None:
    header = scan_jpeg(jpeg(faces=[(1, 2, 3, 4, 0.5)]))
    assert header.comments == (b"hume-emulator-faces:[[1, 2, 3, 4, 0.5]]",)
