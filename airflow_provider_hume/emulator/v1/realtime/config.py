"""Session configurations (hume-api-v1.md §7.1): the defaults and ``session.update``, checked strictly.

``session.update`` replaces the whole configuration: a field it omits goes back to its default. The audio
format and the image format accept only the one supported value. Anything wrong raises :class:`ConfigInvalid`
with a message naming the field, which the session turns into a session-ending ``config_invalid``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

AUDIO_FORMAT: Final = {"type": "audio/pcm", "encoding": "s16le", "sample_rate": 16000, "channels": 1}
IMAGE_FORMAT: Final = {"type": "image/jpeg"}
DEFAULT_TIMER_MS: Final = 3000
TIMER_RANGE: Final = (3000, 10000)
DEFAULT_THRESHOLD: Final = 0.9
DEFAULT_MIN_SIZE: Final = 60


class ConfigInvalid(ValueError):
    """A ``session.update`` that cannot be applied; the message says why."""


def default_audio_config() -> dict[str, Any]:
    """The configuration of a new audio session (as in ``session.created`` without ``type``)."""
    return {"audio": dict(AUDIO_FORMAT), "measurement_timer_ms": DEFAULT_TIMER_MS}


def default_video_config() -> dict[str, Any]:
    """The configuration of a new video session."""
    return {
        "image": dict(IMAGE_FORMAT),
        "face": {"threshold": DEFAULT_THRESHOLD, "min_size": DEFAULT_MIN_SIZE},
    }


def audio_update(message: Mapping[str, Any]) -> dict[str, Any]:
    """The configuration an audio ``session.update`` asks for (omitted fields at their defaults)."""
    _known(message, ("type", "audio", "measurement_timer_ms"), "session.update")
    config = default_audio_config()
    if message.get("audio") is not None:
        _format(message["audio"], AUDIO_FORMAT, "audio")
    timer = message.get("measurement_timer_ms")
    if timer is not None:
        low, high = TIMER_RANGE
        if not _is_int(timer) or not low <= timer <= high:
            raise ConfigInvalid(
                f"measurement_timer_ms: must be an integer from {low} to {high} (got {timer!r})"
            )
        config["measurement_timer_ms"] = timer
    return config


def video_update(message: Mapping[str, Any]) -> dict[str, Any]:
    """The configuration a video ``session.update`` asks for (omitted fields at their defaults)."""
    _known(message, ("type", "image", "face"), "session.update")
    config = default_video_config()
    if message.get("image") is not None:
        _format(message["image"], IMAGE_FORMAT, "image")
    face = message.get("face")
    if face is not None:
        if not isinstance(face, Mapping):
            raise ConfigInvalid(f"face: must be an object (got {face!r})")
        _known(face, ("threshold", "min_size"), "face")
        threshold = face.get("threshold")
        if threshold is not None:
            if not _is_number(threshold) or not 0 <= threshold <= 1:
                raise ConfigInvalid(f"face.threshold: must be a number from 0 to 1 (got {threshold!r})")
            config["face"]["threshold"] = round(float(threshold), 4)
        min_size = face.get("min_size")
        if min_size is not None:
            if not _is_int(min_size) or min_size < 1:
                raise ConfigInvalid(f"face.min_size: must be an integer of at least 1 (got {min_size!r})")
            config["face"]["min_size"] = min_size
    return config


def _format(value: Any, supported: Mapping[str, Any], name: str) -> None:
    if not isinstance(value, Mapping):
        raise ConfigInvalid(f"{name}: must be an object (got {value!r})")
    _known(value, tuple(supported), name)
    for key, given in value.items():
        if given is not None and (given != supported[key] or isinstance(given, bool)):
            raise ConfigInvalid(f"{name}.{key}: only {supported[key]!r} is supported (got {given!r})")


def _known(value: Mapping[str, Any], fields: tuple[str, ...], where: str) -> None:
    unknown = sorted(str(key) for key in value if key not in fields)
    if unknown:
        raise ConfigInvalid(f"{where}: unknown field `{unknown[0]}`, expected one of {', '.join(fields)}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
