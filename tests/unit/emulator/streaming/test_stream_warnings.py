"""Warnings when a model detects nothing (hume-api-v0.md §4.4c, §4.6, §8): nested by default, or top-level."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

Ask = Callable[..., dict[str, Any]]
NO_FACE = {"warning": "No faces could be detected in the streamed media.", "code": "W0103"}
NO_BURST = {"warning": "No vocal bursts could be detected in the streamed media.", "code": "W0101"}
NO_FACEMESH = {"warning": "No facemeshes could be detected in the streamed media.", "code": "W0102"}
NO_LANGUAGE = {"warning": "No emotional language could be detected in the streamed text.", "code": "W0104"}
NO_SPEECH = {"warning": "No speech could be detected in the streamed media.", "code": "W0105"}


@pytest.mark.parametrize(
    "image", [{"blank": True}, {"width": 31, "height": 400}, {"width": 20, "height": 20, "blank": True}]
)
def test_blank_or_tiny_image_has_no_face(ask: Ask, media: Any, image: dict[str, Any]) -> None:
    reply = ask(data=media.b64(media.image(**image)), models={"face": {"min_face_size": 0}}, payload_id="f")
    assert reply == {"payload_id": "f", "face": NO_FACE}


@pytest.mark.parametrize("width", [1, 2])
def test_silent_audio_has_no_speech_and_no_burst(ask: Ask, media: Any, width: int) -> None:
    reply = ask(data=media.b64(media.wav(1.0, silent=True, width=width)), models={"prosody": {}, "burst": {}})
    assert reply == {"prosody": NO_SPEECH, "burst": NO_BURST}


@pytest.mark.parametrize("width", [1, 2, 3, 4])
def test_audible_audio_of_any_sample_width_has_speech(ask: Ask, media: Any, width: int) -> None:
    reply = ask(data=media.b64(media.wav(1.0, width=width)), models={"prosody": {}})
    assert reply["prosody"]["predictions"]


def test_short_audio_has_speech_but_no_burst(ask: Ask, media: Any) -> None:
    reply = ask(data=media.b64(media.wav(0.4)), models={"prosody": {}, "burst": {}})
    assert reply["prosody"]["predictions"]
    assert reply["burst"] == NO_BURST


@pytest.mark.parametrize("text", ["", " ", "\n", " \t\n "])
def test_empty_text_has_no_language(ask: Ask, text: str) -> None:
    assert ask(data=text, raw_text=True, models={"language": {}}) == {"language": NO_LANGUAGE}


def test_no_landmarks_have_no_facemesh(ask: Ask, media: Any) -> None:
    assert ask(data=media.b64(b"[]"), models={"facemesh": {}}) == {"facemesh": NO_FACEMESH}


def test_warnings_carry_payload_id_and_job_details(ask: Ask, media: Any) -> None:
    reply = ask(
        data=media.b64(media.image(blank=True)), models={"face": {}}, payload_id="p", job_details=True
    )
    assert reply["payload_id"] == "p"
    assert len(reply["job_details"]["job_id"]) == 32
    assert reply["face"] == NO_FACE


def test_top_level_warning_form(ask_top_level: Ask, media: Any, reference: dict[str, Any]) -> None:
    reply = ask_top_level(data=media.b64(media.image(blank=True)), models={"face": {}}, payload_id="7")
    assert reply == {"payload_id": "7", **NO_FACE}
    assert set(reply) <= set(reference["schema_properties"]["StreamWarningMessage"])


def test_top_level_form_reports_the_first_model_when_none_detected_anything(
    ask_top_level: Ask, media: Any
) -> None:
    silent = media.b64(media.wav(1.0, silent=True))
    assert ask_top_level(data=silent, models={"burst": {}, "prosody": {}}) == NO_BURST
    assert ask_top_level(data=silent, models={"prosody": {}, "burst": {}}) == NO_SPEECH


def test_top_level_form_keeps_predictions_when_some_model_detected_something(
    ask_top_level: Ask, media: Any
) -> None:
    reply = ask_top_level(data=media.b64(media.wav(0.4)), models={"prosody": {}, "burst": {}})
    assert reply["prosody"]["predictions"]
    assert reply["burst"] == {"predictions": []}


def test_top_level_form_with_job_details(ask_top_level: Ask) -> None:
    reply = ask_top_level(data=" ", raw_text=True, models={"language": {}}, job_details=True)
    assert reply["code"] == "W0104"
    assert len(reply["job_details"]["job_id"]) == 32
