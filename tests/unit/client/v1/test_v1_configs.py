"""The v1 upload configs: defaults, ranges named in errors, the JSON Hume takes (hume-api-v1.md §5, §6)."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_hume.client.errors import HumeValidationError
from airflow_provider_hume.client.v1 import AudioFileConfig, FaceConfig, ImageFileConfig


def test_defaults_are_the_documented_ones() -> None:
    assert AudioFileConfig().to_api() == {"measurement_timer_ms": 3000}
    assert ImageFileConfig().to_api() == {
        "face": {"threshold": 0.9, "min_size": 60, "return_face_state": False}
    }


@pytest.mark.parametrize("timer", [3000, 5000, 10000, 4000.0])
def test_timer_in_range(timer: Any) -> None:
    assert AudioFileConfig(timer).to_api() == {"measurement_timer_ms": int(timer)}


@pytest.mark.parametrize(
    ("timer", "problem"),
    [
        (2999, "must be >= 3000"),
        (10001, "must be between 3000 and 10000"),
        (True, "must be an integer"),
        ("5000", "must be an integer"),
        (3000.5, "must be an integer"),
    ],
)
def test_timer_out_of_range_names_field_and_range(timer: Any, problem: str) -> None:
    with pytest.raises(HumeValidationError, match="measurement_timer_ms") as raised:
        AudioFileConfig(timer)
    assert problem in str(raised.value)


@pytest.mark.parametrize(
    ("kwargs", "field", "problem"),
    [
        ({"threshold": 1.5}, "face.threshold", "between 0 and 1"),
        ({"threshold": -0.1}, "face.threshold", "between 0 and 1"),
        ({"threshold": float("nan")}, "face.threshold", "must be a number"),
        ({"min_size": 0}, "face.min_size", ">= 1"),
        ({"min_size": 2.5}, "face.min_size", "must be an integer"),
        ({"return_face_state": "yes"}, "face.return_face_state", "true or false"),
    ],
)
def test_face_config_errors_name_field_and_range(kwargs: dict[str, Any], field: str, problem: str) -> None:
    with pytest.raises(HumeValidationError) as raised:
        FaceConfig(**kwargs)
    assert field in str(raised.value)
    assert problem in str(raised.value)


def test_image_config_with_face_state() -> None:
    config = ImageFileConfig(FaceConfig(threshold=0, min_size=1, return_face_state=True), face_state="abc")
    assert config.to_api() == {
        "face": {"threshold": 0.0, "min_size": 1, "return_face_state": True},
        "face_state": "abc",
    }


@pytest.mark.parametrize("face_state", ["", 5])
def test_bad_face_state(face_state: Any) -> None:
    with pytest.raises(HumeValidationError, match="face_state"):
        ImageFileConfig(face_state=face_state)


def test_image_config_needs_a_face_config() -> None:
    with pytest.raises(HumeValidationError, match="face must be a FaceConfig"):
        ImageFileConfig(face={"threshold": 0.5})  # type: ignore[arg-type]


def test_from_api_round_trips_and_refuses_unknown_fields() -> None:
    assert AudioFileConfig.from_api({"measurement_timer_ms": 5000}) == AudioFileConfig(5000)
    image = {"face": {"threshold": 0.5, "min_size": 30, "return_face_state": True}, "face_state": "s"}
    assert ImageFileConfig.from_api(image).to_api() == image
    assert ImageFileConfig.from_api({}) == ImageFileConfig()
    with pytest.raises(HumeValidationError, match=r"unknown field 'timer_ms'.*measurement_timer_ms"):
        AudioFileConfig.from_api({"timer_ms": 5000})
    with pytest.raises(HumeValidationError, match=r"config\.face has unknown field 'size'"):
        ImageFileConfig.from_api({"face": {"size": 3}})
    with pytest.raises(HumeValidationError, match="config must be an object"):
        AudioFileConfig.from_api([])  # type: ignore[arg-type]
