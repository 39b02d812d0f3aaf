"""JobRequest: coercion of loose inputs, validation before any network call, and the JSON body."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_hume.client.errors import HumeValidationError
from airflow_provider_hume.client.job_request import JobRequest
from airflow_provider_hume.client.model_configs import Face, Models, Transcription


def test_empty_request_has_an_empty_body() -> None:
    assert JobRequest().to_api() == {}


def test_build_coerces_single_strings_lists_and_dicts() -> None:
    request = JobRequest.build(
        urls="https://example.com/a.mp4",
        text=["hello", "world"],
        models={"face": {"fps_pred": 1}},
        transcription={"language": "en"},
        callback_url="https://example.com/hook",
        notify=False,
    )
    assert request.urls == ("https://example.com/a.mp4",)
    assert request.text == ("hello", "world")
    assert request.models == Models(face=Face(fps_pred=1.0))
    assert request.transcription == Transcription(language="en")
    assert request.to_api() == {
        "models": {"face": {"fps_pred": 1.0}},
        "transcription": {"language": "en"},
        "urls": ["https://example.com/a.mp4"],
        "text": ["hello", "world"],
        "callback_url": "https://example.com/hook",
        "notify": False,
    }


def test_direct_construction_accepts_lists() -> None:
    request = JobRequest(urls=["http://127.0.0.1:8000/x.wav"], text="one")  # type: ignore[arg-type]
    assert request.urls == ("http://127.0.0.1:8000/x.wav",)
    assert request.text == ("one",)


def test_transcription_false_is_sent_as_null_and_none_is_omitted() -> None:
    assert JobRequest.build(text="x", transcription=False).to_api() == {"text": ["x"], "transcription": None}
    assert "transcription" not in JobRequest.build(text="x").to_api()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"urls": ["ftp://example.com/a.mp4"]},
            "urls[0] must be an absolute http(s) URL (got 'ftp://example.com/a.mp4')",
        ),
        ({"urls": ["https://ok.example/a", "/relative/b.mp4"]}, "urls[1] must be an absolute http(s) URL"),
        ({"urls": ["https://"]}, "urls[0] must be an absolute http(s) URL"),
        ({"urls": ["https://exa mple.com/a"]}, "urls[0] must be an absolute http(s) URL"),
        ({"urls": [42]}, "urls[0] must be a string (got 42)"),
        ({"urls": 42}, "urls must be a string or a list of strings (got 42)"),
        (
            {"urls": [f"https://example.com/{i}" for i in range(101)]},
            "urls has 101 entries but Hume accepts at most 100",
        ),
        ({"text": [""]}, "text[0] must be a non-empty string"),
        ({"text": ["ok", "   "]}, "text[1] must be a non-empty string"),
        ({"text": ["t"] * 101}, "text has 101 entries but Hume accepts at most 100"),
        ({"callback_url": "not a url"}, "callback_url must be an absolute http(s) URL"),
        ({"callback_url": "mailto:me@example.com"}, "callback_url must be an absolute http(s) URL"),
        ({"notify": "yes"}, "notify must be true or false (got 'yes')"),
        ({"models": {}}, "models enables no model"),
        ({"models": {"face": {"bad": 1}}}, "models.face has unknown key 'bad'"),
        ({"transcription": {"language": "klingon"}}, "transcription.language must be one of"),
    ],
)
def test_build_validation(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(HumeValidationError) as info:
        JobRequest.build(**kwargs)
    assert info.value.message.startswith(message)


def test_constructor_rejects_wrong_types() -> None:
    with pytest.raises(HumeValidationError, match=r"^models must be a Models object or None"):
        JobRequest(models={"face": {}})  # type: ignore[arg-type]
    with pytest.raises(HumeValidationError, match=r"^transcription must be a Transcription object"):
        JobRequest(transcription=True)  # type: ignore[arg-type]


def test_hundred_inputs_are_allowed() -> None:
    request = JobRequest.build(urls=[f"https://example.com/{i}.jpg" for i in range(100)], text=["t"] * 100)
    request.validate_inputs(100)


def test_validate_inputs() -> None:
    with pytest.raises(
        HumeValidationError, match=r"^a Hume job needs at least one input: urls, text or files"
    ):
        JobRequest().validate_inputs(0)
    JobRequest().validate_inputs(1)
    JobRequest.build(text="x").validate_inputs()
    with pytest.raises(HumeValidationError, match=r"^files has 101 entries .* archive"):
        JobRequest.build(text="x").validate_inputs(101)


def test_requests_are_frozen_and_comparable() -> None:
    first = JobRequest.build(urls=["https://example.com/a"], models={"burst": {}})
    second = JobRequest.build(urls="https://example.com/a", models={"burst": {}})
    assert first == second
    with pytest.raises(AttributeError):
        first.notify = True  # type: ignore[misc]
