"""The ``models`` object (hume-api-v0.md §4.3): options, ranges, unknown keys, batch-only models (E0101)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

Ask = Callable[..., dict[str, Any]]
TEXT = "Mary had a little lamb."


def language(ask: Ask, config: Any) -> dict[str, Any]:
    return ask(data=TEXT, raw_text=True, models={"language": config})


def test_ner_is_not_available_in_streaming(ask: Ask) -> None:
    reply = ask(data=TEXT, raw_text=True, models={"language": {}, "ner": {}})
    assert reply == {"error": "models.ner: The ner model is not available in streaming", "code": "E0101"}


@pytest.mark.parametrize(
    ("models", "error"),
    [
        ({"emotion": {}}, "models.emotion: Extra inputs are not permitted"),
        ({}, "models: At least one model must be configured"),
        ({"face": None}, "models: At least one model must be configured"),
        ({"face": []}, "models.face: Input should be a valid object"),
        ({"face": {"save_faces": True}}, "models.face.save_faces: Extra inputs are not permitted"),
        ({"face": {"facs": {"x": 1}}}, "models.face.facs.x: Extra inputs are not permitted"),
        ({"face": {"facs": True}}, "models.face.facs: Input should be a valid object"),
        ({"face": {"descriptions": {"x": 1}}}, "models.face.descriptions.x: Extra inputs are not permitted"),
        ({"face": {"identify_faces": "yes"}}, "models.face.identify_faces: Input should be a valid boolean"),
        ({"face": {"fps_pred": 0}}, "models.face.fps_pred: Input should be greater than 0"),
        (
            {"face": {"prob_threshold": 1.5}},
            "models.face.prob_threshold: Input should be less than or equal to 1",
        ),
        (
            {"face": {"prob_threshold": -0.1}},
            "models.face.prob_threshold: Input should be greater than or equal to 0",
        ),
        (
            {"face": {"min_face_size": -1}},
            "models.face.min_face_size: Input should be greater than or equal to 0",
        ),
        (
            {"language": {"granularity": "conversational_turn"}},
            "models.language.granularity: Input should be 'word', 'sentence', 'utterance' or 'passage'",
        ),
        (
            {"language": {"identify_speakers": True}},
            "models.language.identify_speakers: Extra inputs are not permitted",
        ),
        (
            {"language": {"sentiment": {"a": 1}}},
            "models.language.sentiment.a: Extra inputs are not permitted",
        ),
        ({"language": {"toxicity": 3}}, "models.language.toxicity: Input should be a valid object"),
        (
            {"prosody": {"granularity": "word"}},
            "models.prosody.granularity: Model configuration is not available in streaming; "
            "pass an empty object {}",
        ),
        (
            {"burst": {"window": {}}},
            "models.burst.window: Model configuration is not available in streaming; pass an empty object {}",
        ),
        (
            {"facemesh": {"x": 1}},
            "models.facemesh.x: Model configuration is not available in streaming; pass an empty object {}",
        ),
    ],
)
def test_invalid_model_config_is_e0101_naming_the_field(ask: Ask, models: Any, error: str) -> None:
    assert ask(data=TEXT, raw_text=True, models=models) == {"error": error, "code": "E0101"}


def test_every_documented_option_is_accepted(ask: Ask, media: Any) -> None:
    face = {
        "facs": {},
        "descriptions": {},
        "identify_faces": True,
        "fps_pred": 3,
        "prob_threshold": 0.5,
        "min_face_size": 10,
    }
    assert "predictions" in ask(data=media.b64(media.image()), models={"face": face})["face"]
    reply = language(ask, {"sentiment": {}, "toxicity": {}, "granularity": "sentence"})
    assert "predictions" in reply["language"]


def test_null_options_take_defaults(ask: Ask) -> None:
    reply = language(ask, {"sentiment": None, "toxicity": None, "granularity": None})
    predictions = reply["language"]["predictions"]
    assert [prediction["text"] for prediction in predictions] == TEXT.split()
    assert all("sentiment" not in prediction for prediction in predictions)


def test_a_null_model_is_not_requested(ask: Ask) -> None:
    reply = ask(data=TEXT, raw_text=True, models={"language": {}, "face": None})
    assert set(reply) == {"language"}
