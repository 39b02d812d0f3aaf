"""The JSON ``config`` part of the two upload routes (hume-api-v1.md §5, §6), checked strictly.

Unknown fields and out-of-range values are ``config_invalid``; a field sent as ``null`` keeps its default
(the SDK may send unset fields that way). The run records the configuration in effect, defaults included.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from airflow_provider_hume.emulator.backend.strict_json import JsonInvalid, load_json
from airflow_provider_hume.emulator.v1.audio_measure import DEFAULT_TIMER_MS
from airflow_provider_hume.emulator.v1.errors import V1Error
from airflow_provider_hume.emulator.v1.faces import DEFAULT_MIN_SIZE, DEFAULT_THRESHOLD

CONFIG_SCHEMA: Final = "v4"
TIMER_RANGE: Final = (3_000, 10_000)
AUDIO_FORMAT: Final = {"type": "audio/pcm", "encoding": "s16le", "sample_rate": 16_000, "channels": 1}
IMAGE_FORMAT: Final = {"type": "image/jpeg"}


@dataclass(frozen=True)
class AudioFileConfig:
    measurement_timer_ms: int = DEFAULT_TIMER_MS

    def run_config(self) -> dict[str, Any]:
        """The run's ``config``."""
        return {
            "schema": CONFIG_SCHEMA,
            "audio": dict(AUDIO_FORMAT),
            "measurement_timer_ms": self.measurement_timer_ms,
        }


@dataclass(frozen=True)
class VideoFileConfig:
    threshold: float = DEFAULT_THRESHOLD
    min_size: int = DEFAULT_MIN_SIZE
    return_face_state: bool = False
    face_state: str | None = None

    def run_config(self) -> dict[str, Any]:
        """The run's ``config``."""
        face = {"threshold": self.threshold, "min_size": self.min_size}
        return {"schema": CONFIG_SCHEMA, "image": dict(IMAGE_FORMAT), "face": face}


def audio_file_config(raw: bytes | None) -> AudioFileConfig:
    """The audio ``config`` part (``None``: not sent)."""
    body = _object(raw)
    _known(body, ("measurement_timer_ms",), "")
    timer = body.get("measurement_timer_ms")
    if timer is None:
        return AudioFileConfig()
    low, high = TIMER_RANGE
    if not _is_int(timer) or not low <= timer <= high:
        raise _invalid(f"measurement_timer_ms must be an integer from {low} to {high} (got {timer!r})")
    return AudioFileConfig(timer)


def video_file_config(raw: bytes | None) -> VideoFileConfig:
    """The video ``config`` part (``None``: not sent)."""
    body = _object(raw)
    _known(body, ("face", "face_state"), "")
    face = _object_value(body.get("face"), "face")
    _known(face, ("threshold", "min_size", "return_face_state"), "face.")
    config = VideoFileConfig()
    threshold = face.get("threshold")
    if threshold is not None:
        if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not 0 <= threshold <= 1:
            raise _invalid(f"face.threshold must be a number from 0 to 1 (got {threshold!r})")
        config = VideoFileConfig(float(threshold))
    min_size = face.get("min_size")
    if min_size is not None:
        if not _is_int(min_size) or min_size < 1:
            raise _invalid(f"face.min_size must be an integer of at least 1 (got {min_size!r})")
        config = VideoFileConfig(config.threshold, min_size)
    return_state = face.get("return_face_state")
    if return_state is not None and not isinstance(return_state, bool):
        raise _invalid(f"face.return_face_state must be true or false (got {return_state!r})")
    state = body.get("face_state")
    if state is not None and not isinstance(state, str):
        raise _invalid("face_state must be the string from an earlier response")
    return VideoFileConfig(config.threshold, config.min_size, bool(return_state), state)


def _object(raw: bytes | None) -> Mapping[str, Any]:
    if raw is None:
        return {}
    try:
        value = load_json(raw)
    except JsonInvalid as exc:
        raise _invalid(f"the config part is not valid JSON: {exc}") from None
    return _object_value(value, "the config part")


def _object_value(value: Any, what: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _invalid(f"{what} must be a JSON object")
    return value


def _known(body: Mapping[str, Any], fields: tuple[str, ...], prefix: str) -> None:
    for name in body:
        if name not in fields:
            expected = ", ".join(f"`{prefix}{field}`" for field in fields)
            raise _invalid(
                f"the config part is not valid: unknown field `{prefix}{name}`, expected {expected}"
            )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _invalid(message: str) -> V1Error:
    return V1Error("config_invalid", message)
