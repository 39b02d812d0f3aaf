"""Request validation: defaults, ranges, enums, unknown keys and limits, with messages naming the field."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_hume.emulator.backend.request import FaceConfig, ModelConfigs, ProsodyConfig, Window
from airflow_provider_hume.emulator.backend.validation import RequestInvalid, parse_job_request


def invalid(body: Any, file_count: int = 0) -> str:
    with pytest.raises(RequestInvalid) as caught:
        parse_job_request(body, file_count=file_count)
    return str(caught.value)


def test_models_omitted_means_all_models_with_defaults() -> None:
    request = parse_job_request({"urls": ["https://example.com/a.png"]})
    assert request.models == ModelConfigs.all_defaults()
    assert request.models.requested() == {"burst", "face", "facemesh", "language", "ner", "prosody"}


def test_null_models_and_null_optionals_mean_not_set() -> None:
    request = parse_job_request(
        {"models": None, "urls": None, "text": ["hi"], "callback_url": None, "notify": None}
    )
    assert request.models == ModelConfigs.all_defaults()
    assert request.urls == ()
    assert request.notify is False


def test_only_requested_models_run_and_null_model_is_not_requested() -> None:
    request = parse_job_request({"models": {"face": {}, "prosody": None}, "text": ["x"]})
    assert request.models.requested() == {"face"}
    assert request.models.face == FaceConfig()


def test_given_values_are_kept() -> None:
    body = {
        "models": {
            "face": {"fps_pred": 0, "prob_threshold": 0.5, "identify_faces": True, "min_face_size": 78,
                     "facs": {}, "descriptions": {}, "save_faces": True},
            "prosody": {"granularity": "word", "window": {"length": 5, "step": 2}, "identify_speakers": True},
        },
        "text": ["x"],
    }  # fmt: skip
    models = parse_job_request(body).models
    assert models.face == FaceConfig(0, 0.5, True, 78, True, True, True)
    assert models.prosody == ProsodyConfig("word", Window(5, 2), True)


def test_window_defaults_fill_missing_fields() -> None:
    models = parse_job_request({"models": {"prosody": {"window": {}}}, "text": ["x"]}).models
    assert models.prosody is not None
    assert models.prosody.window == Window(4.0, 1.0)


@pytest.mark.parametrize(
    ("models", "message"),
    [
        ({"face": {"prob_threshold": 1.5}}, "models.face.prob_threshold must be between 0 and 1 (got 1.5)"),
        ({"face": {"prob_threshold": -0.1}}, "models.face.prob_threshold must be between 0 and 1 (got -0.1)"),
        ({"face": {"prob_threshold": "high"}}, 'models.face.prob_threshold must be a number (got "high")'),
        ({"face": {"fps_pred": -1}}, "models.face.fps_pred must be at least 0 (got -1)"),
        ({"face": {"identify_faces": "yes"}}, 'models.face.identify_faces must be a boolean (got "yes")'),
        ({"face": {"min_face_size": True}}, "models.face.min_face_size must be a number (got true)"),
        ({"face": {"facs": {"x": 1}}}, "unknown field 'models.face.facs.x' in models.face.facs"),
        ({"face": {"facs": []}}, "models.face.facs must be an object (got list)"),
        ({"face": 3}, "models.face must be an object (got number)"),
        (
            {"prosody": {"window": {"length": 0.4}}},
            "models.prosody.window.length must be at least 0.5 (got 0.4)",
        ),
        ({"prosody": {"window": {"step": 0.1}}}, "models.prosody.window.step must be at least 0.5 (got 0.1)"),
        (
            {"prosody": {"granularity": "passage"}},
            "models.prosody.granularity must be one of word, sentence, utterance, conversational_turn "
            '(got "passage")',
        ),
        ({"language": {"granularity": "page"}}, "models.language.granularity must be one of"),
        ({"language": {"language": "en"}}, "unknown field 'models.language.language' in models.language"),
        ({"burst": {"x": 1}}, "unknown field 'models.burst.x' in models.burst"),
        ({"ner": {"identify_speakers": 1}}, "models.ner.identify_speakers must be a boolean (got 1)"),
        ({"emotions": {}}, "unknown model 'models.emotions' (expected one of burst, face, facemesh"),
    ],
)
def test_model_errors_name_the_field(models: dict[str, Any], message: str) -> None:
    assert invalid({"models": models, "text": ["x"]}).startswith(message)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"transcription": {"language": "xx"}, "text": ["x"]},
            "transcription.language must be one of zh, da",
        ),
        (
            {"transcription": {"confidence_threshold": 2}, "text": ["x"]},
            "transcription.confidence_threshold must be between 0 and 1 (got 2)",
        ),
        ({"transcription": {"speakers": 2}, "text": ["x"]}, "unknown field 'transcription.speakers'"),
        ({"text": ["x"], "file": []}, "unknown field 'file'"),
        ({"text": "hello"}, "text must be a list of strings (got string)"),
        ({"text": ["ok", 3]}, "text[1] must be a string (got number)"),
        ({"urls": ["ftp://host/a.wav"]}, "urls[0] must be an http(s) URL (got 'ftp://host/a.wav')"),
        ({"text": ["x"], "callback_url": "nowhere"}, "callback_url must be an http(s) URL"),
        ({"text": ["x"], "notify": "yes"}, 'notify must be a boolean (got "yes")'),
        ({"urls": [f"http://h/{i}" for i in range(101)]}, "urls must have at most 100 items (got 101)"),
        ({"text": ["t"] * 101}, "text must have at most 100 items (got 101)"),
        ({}, "at least one of urls, text or files must be provided"),
        ({"urls": [], "text": []}, "at least one of urls, text or files must be provided"),
        ([1, 2], "request JSON must be an object (got list)"),
    ],
)
def test_request_errors_name_the_field(body: Any, message: str) -> None:
    assert invalid(body).startswith(message)


def test_every_bcp47_tag_of_the_reference_is_accepted() -> None:
    tags = "zh da nl en en-AU en-IN en-NZ en-GB fr fr-CA de hi hi-Latn id it ja ko no pl pt pt-BR pt-PT ru es"
    for tag in [*tags.split(), "es-419", "sv", "ta", "tr", "uk"]:
        request = parse_job_request({"transcription": {"language": tag}, "text": ["x"]})
        assert request.transcription is not None
        assert request.transcription.language == tag


def test_file_count_limits() -> None:
    assert parse_job_request(None, file_count=1).models == ModelConfigs.all_defaults()
    assert parse_job_request({}, file_count=100).urls == ()
    assert invalid({}, file_count=101) == "files must have at most 100 items (got 101)"
