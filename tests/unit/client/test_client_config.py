"""Model configs: validation of every field, error messages naming the path, API JSON round trips."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_hume.client.errors import HumeValidationError
from airflow_provider_hume.client.model_configs import (
    TRANSCRIPTION_LANGUAGES,
    Burst,
    Face,
    Facemesh,
    Language,
    Models,
    Ner,
    Prosody,
    Transcription,
    Window,
    coerce_models,
    coerce_transcription,
)


def test_defaults_send_nothing() -> None:
    for config in (Face(), Burst(), Prosody(), Language(), Ner(), Facemesh(), Transcription(), Models()):
        assert config.to_api() == {}
    assert Window().to_api() == {"length": 4.0, "step": 1.0}


def test_face_to_api_every_field() -> None:
    face = Face(
        fps_pred=3,
        prob_threshold=0.99,
        identify_faces=True,
        min_face_size=60,
        save_faces=False,
        facs=True,
        descriptions=True,
    )
    assert face.to_api() == {
        "fps_pred": 3.0,
        "prob_threshold": 0.99,
        "identify_faces": True,
        "min_face_size": 60,
        "save_faces": False,
        "facs": {},
        "descriptions": {},
    }


def test_toggles_off_are_omitted() -> None:
    assert Face(facs=False, descriptions=False).to_api() == {}
    assert Language(sentiment=False, toxicity=True).to_api() == {"toxicity": {}}


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Face(prob_threshold=1.5), "models.face.prob_threshold must be between 0 and 1 (got 1.5)"),
        (lambda: Face(prob_threshold=-0.1), "models.face.prob_threshold must be between 0 and 1"),
        (lambda: Face(fps_pred=-1), "models.face.fps_pred must be >= 0 (got -1)"),
        (lambda: Face(fps_pred=float("nan")), "models.face.fps_pred must be a number"),
        (lambda: Face(fps_pred="3"), "models.face.fps_pred must be a number (got '3')"),  # type: ignore[arg-type]
        (lambda: Face(min_face_size=-1), "models.face.min_face_size must be >= 0"),
        (lambda: Face(min_face_size=60.5), "models.face.min_face_size must be an integer"),  # type: ignore[arg-type]
        (lambda: Face(identify_faces="yes"), "models.face.identify_faces must be true or false"),  # type: ignore[arg-type]
        (lambda: Face(save_faces=1), "models.face.save_faces must be true or false (got 1)"),  # type: ignore[arg-type]
        (lambda: Face(facs=None), "models.face.facs must be true or false"),  # type: ignore[arg-type]
        (lambda: Face(descriptions={}), "models.face.descriptions must be true or false"),  # type: ignore[arg-type]
        (lambda: Window(length=0.4), "models.prosody.window.length must be >= 0.5 (got 0.4)"),
        (lambda: Window(step=0), "models.prosody.window.step must be >= 0.5"),
        (lambda: Prosody(granularity="passage"), "models.prosody.granularity must be one of word, sentence"),
        (lambda: Prosody(identify_speakers="true"), "models.prosody.identify_speakers must be true or false"),  # type: ignore[arg-type]
        (lambda: Prosody(window={"length": 2}), "models.prosody.window must be a Window or None"),  # type: ignore[arg-type]
        (lambda: Language(granularity="page"), "models.language.granularity must be one of"),
        (lambda: Language(identify_speakers=0), "models.language.identify_speakers must be true or false"),  # type: ignore[arg-type]
        (lambda: Language(sentiment="on"), "models.language.sentiment must be true or false"),  # type: ignore[arg-type]
        (lambda: Language(toxicity=1), "models.language.toxicity must be true or false"),  # type: ignore[arg-type]
        (lambda: Ner(identify_speakers="no"), "models.ner.identify_speakers must be true or false"),  # type: ignore[arg-type]
        (lambda: Transcription(language="xx"), "transcription.language must be one of zh, da"),
        (
            lambda: Transcription(confidence_threshold=2),
            "transcription.confidence_threshold must be between 0",
        ),
        (lambda: Transcription(identify_speakers="x"), "transcription.identify_speakers must be"),  # type: ignore[arg-type]
        (lambda: Models(face=Prosody()), "models.face must be a Face or None"),  # type: ignore[arg-type]
    ],
)
def test_constructor_validation(build: Any, message: str) -> None:
    with pytest.raises(HumeValidationError, match=r"^" + message.replace("(", r"\(").replace(")", r"\)")):
        build()


def test_validation_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="prob_threshold"):
        Face(prob_threshold=3)


def test_bounds_are_inclusive() -> None:
    assert Face(prob_threshold=0, fps_pred=0, min_face_size=0).prob_threshold == 0.0
    assert Face(prob_threshold=1).prob_threshold == 1.0
    assert Window(length=0.5, step=0.5).to_api() == {"length": 0.5, "step": 0.5}
    assert Transcription(confidence_threshold=1).confidence_threshold == 1.0


def test_integral_float_min_face_size_is_an_int() -> None:
    face = Face(min_face_size=60.0)  # type: ignore[arg-type]
    assert face.min_face_size == 60
    assert isinstance(face.min_face_size, int)


def test_all_29_transcription_languages_and_case_folding() -> None:
    assert len(TRANSCRIPTION_LANGUAGES) == 29
    for tag in TRANSCRIPTION_LANGUAGES:
        assert Transcription(language=tag).to_api() == {"language": tag}
    assert Transcription(language="EN-gb").language == "en-GB"
    assert Transcription(language="es-419").language == "es-419"


@pytest.mark.parametrize("granularity", ["word", "sentence", "utterance", "conversational_turn"])
def test_granularities(granularity: str) -> None:
    assert Prosody(granularity=granularity).to_api() == {"granularity": granularity}
    assert Language(granularity=granularity.upper()).granularity == granularity


FULL_MODELS: dict[str, Any] = {
    "face": {
        "fps_pred": 3.0,
        "prob_threshold": 0.99,
        "identify_faces": True,
        "min_face_size": 60,
        "save_faces": False,
        "facs": {},
        "descriptions": {},
    },
    "burst": {},
    "prosody": {
        "granularity": "utterance",
        "identify_speakers": False,
        "window": {"length": 4.0, "step": 1.0},
    },
    "language": {"granularity": "word", "identify_speakers": False, "sentiment": {}, "toxicity": {}},
    "ner": {"identify_speakers": False},
    "facemesh": {},
}


def test_models_round_trip_of_the_documented_full_example() -> None:
    models = Models.from_api(FULL_MODELS)
    assert models.to_api() == FULL_MODELS
    assert models.enabled == ("face", "burst", "prosody", "language", "ner", "facemesh")
    assert Models.from_api(models.to_api()) == models


def test_from_api_accepts_null_and_bool_toggles() -> None:
    face = Face.from_api({"facs": None, "descriptions": True, "fps_pred": None})
    assert face == Face(descriptions=True)
    assert Language.from_api({"sentiment": False, "toxicity": {}}) == Language(toxicity=True)
    assert Prosody.from_api({"window": None}) == Prosody()
    assert Face.from_api(None) == Face()


def test_from_api_echo_with_null_models_and_defaults() -> None:
    """The shape Hume echoes in job details (issue #48): unrequested models are null."""
    echo = {
        "burst": None,
        "face": {
            "descriptions": None,
            "facs": None,
            "fps_pred": 3.0,
            "identify_faces": True,
            "min_face_size": 60,
            "prob_threshold": 0.99,
            "save_faces": False,
        },
        "facemesh": None,
        "language": None,
        "ner": None,
        "prosody": None,
    }
    models = Models.from_api(echo)
    assert models.enabled == ("face",)
    assert models.face == Face(
        fps_pred=3, prob_threshold=0.99, identify_faces=True, min_face_size=60, save_faces=False
    )


def test_window_defaults_fill_missing_keys() -> None:
    prosody = Prosody.from_api({"window": {"step": 2}})
    assert prosody.window == Window(length=4.0, step=2.0)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"face": {"fps": 1}},
            "models.face has unknown key 'fps'; allowed keys: descriptions, facs, fps_pred",
        ),
        (
            {"faces": {}},
            "models has unknown model 'faces'; allowed models: burst, face, facemesh, language, ner",
        ),
        ({"burst": {"x": 1}}, "models.burst has unknown key 'x'; allowed keys: none, it is not configurable"),
        ({"facemesh": {"y": 1}}, "models.facemesh has unknown key 'y'"),
        ({"face": {"prob_threshold": 1.5}}, "models.face.prob_threshold must be between 0 and 1 (got 1.5)"),
        ({"face": {"facs": {"x": 1}}}, "models.face.facs must be {} to enable it or null to disable it"),
        ({"face": {"facs": "yes"}}, "models.face.facs must be {}"),
        ({"face": []}, "models.face must be an object (got [])"),
        ({"prosody": {"window": {"length": 0.1}}}, "models.prosody.window.length must be >= 0.5 (got 0.1)"),
        (
            {"prosody": {"window": {"size": 1}}},
            "models.prosody.window has unknown key 'size'; allowed keys: length",
        ),
        ({"prosody": {"window": 4}}, "models.prosody.window must be an object (got 4)"),
        ({"language": {"language": "en"}}, "models.language has unknown key 'language'"),
        ({"language": {"granularity": "passage"}}, "models.language.granularity must be one of"),
        (
            {"ner": {"identify_speakers": "true"}},
            "models.ner.identify_speakers must be true or false (got 'true')",
        ),
    ],
)
def test_models_from_api_errors_name_the_path(data: dict[str, Any], message: str) -> None:
    with pytest.raises(HumeValidationError) as info:
        Models.from_api(data)
    assert info.value.message.startswith(message)


def test_from_api_uses_the_given_path() -> None:
    with pytest.raises(HumeValidationError, match=r"^request\.models\.face\.fps_pred must be >= 0"):
        Models.from_api({"face": {"fps_pred": -1}}, "request.models")
    with pytest.raises(HumeValidationError, match=r"^config\.face has unknown key"):
        Face.from_api({"nope": 1}, "config.face")


def test_transcription_round_trip() -> None:
    data = {"language": "en", "identify_speakers": True, "confidence_threshold": 0.5}
    assert Transcription.from_api(data).to_api() == data
    with pytest.raises(HumeValidationError, match="transcription has unknown key 'lang'"):
        Transcription.from_api({"lang": "en"})


def test_coerce_models() -> None:
    models = Models(face=Face())
    assert coerce_models(models) is models
    assert coerce_models(None) is None
    assert coerce_models({"burst": {}}) == Models(burst=Burst())
    with pytest.raises(HumeValidationError, match=r"^models must be a Models object, a JSON object or None"):
        coerce_models(["face"])  # type: ignore[arg-type]


def test_coerce_transcription() -> None:
    transcription = Transcription(language="fr")
    assert coerce_transcription(transcription) is transcription
    assert coerce_transcription(None) is None
    assert coerce_transcription(False) is False
    assert coerce_transcription({"language": "de"}) == Transcription(language="de")
    with pytest.raises(HumeValidationError, match=r"^transcription must be"):
        coerce_transcription(True)  # type: ignore[arg-type]
    with pytest.raises(HumeValidationError, match=r"^transcription.confidence_threshold"):
        coerce_transcription({"confidence_threshold": -1})


def test_configs_are_frozen_and_hashable() -> None:
    face = Face(fps_pred=1)
    with pytest.raises(AttributeError):
        face.fps_pred = 2  # type: ignore[misc]
    assert hash(Models(face=face)) == hash(Models(face=Face(fps_pred=1.0)))
