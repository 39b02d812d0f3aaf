"""The payload's ``data``: base64 (E0201), media type (E0200), model fit (E0102), limits (E0202-E0207)."""

from __future__ import annotations

import base64
import json
import struct
import zlib
from collections.abc import Callable
from typing import Any

import pytest

from tests.support.samples_mp4 import mp4_bytes

Ask = Callable[..., dict[str, Any]]
AUDIO: dict[str, Any] = {"prosody": {}, "burst": {}}


def mismatch(model: str, media_type: str) -> dict[str, str]:
    return {
        "error": f"Streaming payload configured with model type '{model}', "
        f"which is not supported for the detected file type '{media_type}'.",
        "code": "E0102",
    }


@pytest.mark.parametrize("data", ["not base64!", "abc", "aGVsbG8=x", "@@@@"])
def test_bad_base64_is_e0201(ask: Ask, data: str) -> None:
    reply = ask(data=data, models={"face": {}})
    assert reply["code"] == "E0201"
    assert reply["error"].startswith("Media could not be decoded as a Base64 encoded string.")


def test_base64_may_contain_line_breaks(ask: Ask, media: Any) -> None:
    encoded = base64.encodebytes(media.image()).decode()
    assert "\n" in encoded
    assert "predictions" in ask(data=encoded, models={"face": {}})["face"]


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x00\x01\x02binary\xff\xfe",
        b"PK\x03\x04archive",
        b"\x89PNG\r\n\x1a\nbroken",
        b"\xff\xd8\xffjunk",
    ],
)
def test_unreadable_media_is_e0200(ask: Ask, media: Any, content: bytes) -> None:
    assert ask(data=media.b64(content), models={"face": {}})["code"] == "E0200"


def test_sdk_error_example_prosody_on_png_is_verbatim(
    ask: Ask, media: Any, reference: dict[str, Any]
) -> None:
    assert ask(data=media.b64(media.image()), models={"prosody": {}}) == reference["sdk_error_prosody_on_png"]


@pytest.mark.parametrize(
    ("models", "kind", "expected"),
    [
        ({"face": {}}, "wav", ("face", "audio")),
        ({"language": {}}, "png", ("language", "image")),
        ({"face": {}, "prosody": {}}, "png", ("prosody", "image")),
        ({"facemesh": {}}, "text", ("facemesh", "text")),
        ({"burst": {}}, "landmarks", ("burst", "facemesh")),
        ({"face": {}}, "mp4", ("face", "video")),
    ],
)
def test_model_media_mismatch_is_e0102(
    ask: Ask, media: Any, models: dict[str, Any], kind: str, expected: tuple[str, str]
) -> None:
    content = {
        "wav": media.wav(1.0),
        "png": media.image(),
        "text": b"plain words",
        "landmarks": media.landmarks(1),
        "mp4": mp4_bytes(1.0),
    }[kind]
    assert ask(data=media.b64(content), models=models) == mismatch(*expected)


def test_raw_text_only_suits_language(ask: Ask) -> None:
    assert ask(data="hello", raw_text=True, models={"face": {}}) == mismatch("face", "text")


@pytest.mark.parametrize("content", [b"RIFF\x24\x00\x00\x00WAVEjunk", b"ID3\x00\x00", b"\xff\xfb\x90\x00"])
def test_unreadable_audio_is_e0202(ask: Ask, media: Any, content: bytes) -> None:
    reply = ask(data=media.b64(content), models=AUDIO)
    assert reply == {"error": "No audio signal could be inferred from the media provided.", "code": "E0202"}


def test_empty_wav_is_e0202(ask: Ask, media: Any) -> None:
    assert ask(data=media.b64(media.wav(0.0)), models=AUDIO)["code"] == "E0202"


def test_video_without_sound_does_not_suit_audio_models(ask: Ask, media: Any) -> None:
    reply = ask(data=media.b64(mp4_bytes(1.0, audio_rate=None)), models=AUDIO)
    assert reply == mismatch("prosody", "video")


def test_video_sound_track_feeds_audio_models(ask: Ask, media: Any) -> None:
    reply = ask(data=media.b64(mp4_bytes(2.0)), models=AUDIO)
    assert reply["prosody"]["predictions"][-1]["time"]["end"] == pytest.approx(2.0, abs=0.01)


def test_audio_over_5000_ms_is_e0203(ask: Ask, media: Any) -> None:
    reply = ask(data=media.b64(media.wav(5.5)), models=AUDIO)
    assert reply == {
        "error": "Audio file is too long (5500 ms). The limit is 5000 milliseconds.",
        "code": "E0203",
    }


def test_audio_of_exactly_5000_ms_is_accepted(ask: Ask, media: Any) -> None:
    assert "predictions" in ask(data=media.b64(media.wav(5.0)), models={"prosody": {}})["prosody"]


def test_video_over_5000_ms_is_e0204(ask: Ask, media: Any) -> None:
    reply = ask(data=media.b64(mp4_bytes(6.0)), models=AUDIO)
    assert reply["code"] == "E0204"
    assert reply["error"].endswith("The limit is 5000 milliseconds.")


@pytest.mark.parametrize(("width", "height"), [(3001, 8), (8, 3001)])
def test_image_over_3000_px_is_e0205(ask: Ask, media: Any, width: int, height: int) -> None:
    reply = ask(data=media.b64(media.image(width, height, blank=True)), models={"face": {}})
    assert reply == {
        "error": f"Image file is too large ({width} x {height} pixels). The limit is 3000 x 3000 pixels.",
        "code": "E0205",
    }


def png_header(width: int, height: int) -> bytes:
    """A PNG signature and IHDR claiming a size, with no pixels: enough for a header-only probe."""
    ihdr = b"IHDR" + struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunks = [(ihdr, 13), (b"IDAT", 0)]
    return b"\x89PNG\r\n\x1a\n" + b"".join(
        struct.pack(">I", length) + chunk + struct.pack(">I", zlib.crc32(chunk)) for chunk, length in chunks
    )


def test_image_size_is_checked_from_the_header(ask: Ask, media: Any) -> None:
    reply = ask(data=media.b64(png_header(5000, 4000)), models={"face": {}})
    assert reply["error"] == "Image file is too large (5000 x 4000 pixels). The limit is 3000 x 3000 pixels."


def test_decompression_bomb_is_e0205(ask: Ask, media: Any) -> None:
    reply = ask(data=media.b64(png_header(60_000, 60_000)), models={"face": {}})
    assert reply == {"error": "Image file is too large. The limit is 3000 x 3000 pixels.", "code": "E0205"}


def test_image_of_3000_px_is_accepted(ask: Ask, media: Any) -> None:
    reply = ask(data=media.b64(media.image(3000, 40, blank=True)), models={"face": {}})
    assert reply["face"]["code"] == "W0103"


def test_unsupported_image_format_is_e0200(ask: Ask, media: Any) -> None:
    reply = ask(data=media.b64(media.image(fmt="GIF")), models={"face": {}})
    assert reply == {"error": "Failed to parse data as a valid media file.", "code": "E0200"}


def test_broken_image_is_e0200(ask: Ask, media: Any) -> None:
    reply = ask(data=media.b64(media.image()[:100]), models={"face": {}})
    assert reply == {
        "error": "Failed to parse data as a valid media file: the image is unreadable.",
        "code": "E0200",
    }


def test_jpeg_is_accepted(ask: Ask, media: Any) -> None:
    assert "predictions" in ask(data=media.b64(media.image(fmt="JPEG")), models={"face": {}})["face"]


def test_text_over_10000_characters_is_e0206(ask: Ask) -> None:
    reply = ask(data="a" * 10_001, raw_text=True, models={"language": {}})
    assert reply == {
        "error": "Text is too long (10001 characters). The limit is 10000 characters.",
        "code": "E0206",
    }
    assert "predictions" in ask(data="a" * 10_000, raw_text=True, models={"language": {}})["language"]


def test_base64_text_is_language_input_as_the_2022_sdk_sent_it(ask: Ask, media: Any) -> None:
    reply = ask(data=media.b64(b"Hello there"), models={"language": {}})
    assert [prediction["text"] for prediction in reply["language"]["predictions"]] == ["Hello", "there"]


def test_bracketed_text_is_text_not_landmarks(ask: Ask, media: Any) -> None:
    reply = ask(data=media.b64(b"[laughs] hello"), models={"language": {}})
    assert [prediction["text"] for prediction in reply["language"]["predictions"]] == ["[laughs]", "hello"]


def test_more_than_100_facemeshes_is_e0207(ask: Ask, media: Any) -> None:
    reply = ask(data=media.b64(media.landmarks(101, points=478)), models={"facemesh": {}})
    assert reply == {
        "error": "Too many faces in the facemesh landmarks (101). The limit is 100 faces.",
        "code": "E0207",
    }


@pytest.mark.parametrize(
    "landmarks",
    [[[[0.0, 0.0]] * 478], [[[0.0, 0.0, 0.0]] * 477], [[[0.0, "x", 0.0]] * 478], [[[0.0, True, 0.0]] * 478]],
)
def test_malformed_landmarks_are_e0200(ask: Ask, media: Any, landmarks: Any) -> None:
    reply = ask(data=media.b64(json.dumps(landmarks).encode()), models={"facemesh": {}})
    assert reply["code"] == "E0200"
    assert "478 points of 3 coordinates" in reply["error"]


def test_landmarks_as_plain_json_are_accepted_as_fern_sends_them(ask: Ask, media: Any) -> None:
    plain = media.landmarks(2).decode()
    assert ask(data=plain, models={"facemesh": {}}) == ask(
        data=media.b64(plain.encode()), models={"facemesh": {}}
    )
    assert len(ask(data=plain, models={"facemesh": {}})["facemesh"]["predictions"]) == 2
