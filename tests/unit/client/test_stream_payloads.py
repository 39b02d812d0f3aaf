"""Streaming configs and payloads: validation before any network call, with messages naming the fix."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from airflow_provider_hume.client import Models, Ner
from airflow_provider_hume.client.errors import HumeValidationError
from airflow_provider_hume.client.stream_models import StreamModels, coerce_stream_models
from airflow_provider_hume.client.stream_payloads import (
    check_facemesh,
    check_media,
    check_text,
    check_window,
    facemesh_payload,
    media_payload,
    text_payload,
)
from tests.support.media import wav_bytes


def face(landmarks: int = 478) -> list[list[float]]:
    return [[0.1, 0.2, 0.3]] * landmarks


def test_stream_models_round_trip_every_key() -> None:
    api = {
        "face": {
            "facs": {},
            "descriptions": {},
            "identify_faces": True,
            "fps_pred": 3.0,
            "prob_threshold": 0.9,
            "min_face_size": 60.0,
        },
        "language": {"granularity": "passage", "sentiment": {}, "toxicity": {}},
        "prosody": {},
        "burst": {},
        "facemesh": {},
    }
    models = coerce_stream_models(api)
    assert models.to_api() == api
    assert models.enabled == ("face", "burst", "prosody", "language", "facemesh")
    assert models.only(("language",)).to_api() == {"language": api["language"]}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"ner": {}}, "models.ner is not available in Hume's streaming API"),
        (Models(ner=Ner()), "models.ner is not available"),
        ({"face": {"save_faces": True}}, "models.face has unknown key 'save_faces'"),
        ({"language": {"identify_speakers": True}}, "models.language has unknown key 'identify_speakers'"),
        ({"language": {"granularity": "conversational_turn"}}, "models.language.granularity must be one of"),
        ({"prosody": {"granularity": "word"}}, "models.prosody has unknown key 'granularity'"),
        ({"face": {"prob_threshold": 1.5}}, "models.face.prob_threshold must be between 0 and 1"),
        ({"video": {}}, "models has unknown model 'video'"),
        ({}, "models enables no model"),
        ("language", "models must be a StreamModels object or a JSON object"),
    ],
)
def test_bad_stream_models_are_refused(value: Any, message: str) -> None:
    with pytest.raises(HumeValidationError, match=message.replace("(", r"\(")):
        coerce_stream_models(value)


def test_batch_models_convert_when_streamable() -> None:
    models = coerce_stream_models(Models.from_api({"language": {"sentiment": {}}, "burst": {}}))
    assert models.to_api() == {"burst": {}, "language": {"sentiment": {}}}


def test_text_limit_and_blank_text() -> None:
    assert check_text("x" * 10_000) == "x" * 10_000
    with pytest.raises(HumeValidationError, match="10001 characters but Hume accepts at most 10000"):
        check_text("x" * 10_001)
    with pytest.raises(HumeValidationError, match="empty or only whitespace"):
        check_text(" \n")


def test_text_payload_shape_and_model_check() -> None:
    language = StreamModels.from_api({"language": {"granularity": "sentence"}})
    assert text_payload("Hello there.", language) == {
        "data": "Hello there.",
        "models": {"language": {"granularity": "sentence"}},
        "raw_text": True,
    }
    with pytest.raises(
        HumeValidationError,
        match="text payloads run the language model and no other; models enables face, language",
    ):
        text_payload("Hello", StreamModels.from_api({"language": {}, "face": {}}))


def test_audio_limit_is_checked_on_wav_bytes() -> None:
    assert check_media(wav_bytes(5.0))
    with pytest.raises(HumeValidationError, match="lasts 5500 ms but Hume accepts at most 5000 ms"):
        check_media(wav_bytes(5.5))
    with pytest.raises(HumeValidationError, match="empty"):
        check_media(b"")


def test_media_payload_sends_only_media_models() -> None:
    models = StreamModels.from_api({"language": {}, "prosody": {}})
    payload = media_payload(b"\x89PNG....", models, reset_stream=True)
    assert payload == {
        "data": base64.b64encode(b"\x89PNG....").decode(),
        "models": {"prosody": {}},
        "reset_stream": True,
    }
    with pytest.raises(HumeValidationError, match="media payloads need one of the models"):
        media_payload(b"data", StreamModels.from_api({"language": {}}))


def test_facemesh_checks_and_payload() -> None:
    payload = facemesh_payload([face()], StreamModels.from_api({"facemesh": {}}))
    assert json.loads(base64.b64decode(payload["data"])) == [face()]
    assert payload["raw_text"] is False
    with pytest.raises(HumeValidationError, match="No faces"):
        check_facemesh([])
    with pytest.raises(HumeValidationError, match="exactly 478 MediaPipe landmarks"):
        check_facemesh([face(477)])
    with pytest.raises(HumeValidationError, match="landmark 5 must be an"):
        check_facemesh([[*face(5), [1.0, 2.0], *face(472)]])
    with pytest.raises(HumeValidationError, match="101 faces but the limit is 100"):
        check_facemesh([face()] * 101)


def test_stream_window_bounds() -> None:
    assert check_window(None) is None
    assert check_window(500) == 500
    for bad in (499, 10_001, "5000"):
        with pytest.raises(HumeValidationError, match="stream_window_ms"):
            check_window(bad)
