"""The ``config`` JSON part of the ``v1`` file uploads (hume-api-v1.md §5, §6), checked before any request.

Each error names the field and its range. ``to_api`` gives the JSON Hume takes; ``from_api`` reads the same
shape back (e.g. from an operator's templated argument), refusing unknown fields as Hume does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from airflow_provider_hume.client._fields import (
    check_bool,
    check_int,
    check_keys,
    check_mapping,
    check_number,
    invalid,
)

MIN_TIMER_MS = 3000
MAX_TIMER_MS = 10000


@dataclass(frozen=True)
class AudioFileConfig:
    """Settings of an audio upload: a measurement every ``measurement_timer_ms`` of speech (3000 to 10000)."""

    measurement_timer_ms: int = 3000

    def __post_init__(self) -> None:
        timer = check_int(self.measurement_timer_ms, "measurement_timer_ms", minimum=MIN_TIMER_MS)
        if timer > MAX_TIMER_MS:
            raise invalid("measurement_timer_ms", f"must be between {MIN_TIMER_MS} and {MAX_TIMER_MS}", timer)
        object.__setattr__(self, "measurement_timer_ms", timer)

    def to_api(self) -> dict[str, Any]:
        return {"measurement_timer_ms": self.measurement_timer_ms}

    @classmethod
    def from_api(cls, data: Mapping[str, Any], path: str = "config") -> AudioFileConfig:
        data = check_mapping(data, path)
        check_keys(data, path, ("measurement_timer_ms",), "field")
        return cls(**data)


@dataclass(frozen=True)
class FaceConfig:
    """Face detection: faces under ``threshold`` (0 to 1) confidence or ``min_size`` (>= 1 px) are not listed.

    ``return_face_state`` asks for a ``face_state`` that lets a later request continue the face ids.
    """

    threshold: float = 0.9
    min_size: int = 60
    return_face_state: bool = False

    def __post_init__(self) -> None:
        threshold = check_number(self.threshold, "face.threshold", minimum=0, maximum=1)
        object.__setattr__(self, "threshold", threshold)
        object.__setattr__(self, "min_size", check_int(self.min_size, "face.min_size", minimum=1))
        check_bool(self.return_face_state, "face.return_face_state")

    def to_api(self) -> dict[str, Any]:
        return {
            "threshold": self.threshold,
            "min_size": self.min_size,
            "return_face_state": self.return_face_state,
        }

    @classmethod
    def from_api(cls, data: Mapping[str, Any], path: str = "face") -> FaceConfig:
        data = check_mapping(data, path)
        check_keys(data, path, ("threshold", "min_size", "return_face_state"), "field")
        return cls(**data)


@dataclass(frozen=True)
class ImageFileConfig:
    """Settings of an image upload: face detection, and the ``face_state`` of an earlier response (24 h)."""

    face: FaceConfig = field(default_factory=FaceConfig)
    face_state: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.face, FaceConfig):
            raise invalid("face", "must be a FaceConfig", self.face)
        if self.face_state is not None and (not isinstance(self.face_state, str) or not self.face_state):
            raise invalid(
                "face_state",
                "must be the non-empty face_state of an earlier response, or None",
                self.face_state,
            )

    def to_api(self) -> dict[str, Any]:
        body: dict[str, Any] = {"face": self.face.to_api()}
        if self.face_state is not None:
            body["face_state"] = self.face_state
        return body

    @classmethod
    def from_api(cls, data: Mapping[str, Any], path: str = "config") -> ImageFileConfig:
        data = check_mapping(data, path)
        check_keys(data, path, ("face", "face_state"), "field")
        face = data.get("face")
        return cls(
            face=FaceConfig() if face is None else FaceConfig.from_api(face, f"{path}.face"),
            face_state=data.get("face_state"),
        )
