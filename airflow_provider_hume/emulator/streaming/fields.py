"""Typed reads of JSON values; every failure is an E0101 naming the field (pydantic-like wording).

``null`` counts as absent everywhere, as for Hume's optional fields.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from airflow_provider_hume.emulator.streaming.messages import invalid


def reject_extra(values: Mapping[str, Any], allowed: Iterable[str], location: str) -> None:
    """E0101 for the first key not in ``allowed``."""
    known = set(allowed)
    for key in values:
        if key not in known:
            raise invalid(_join(location, key), "Extra inputs are not permitted")


def an_object(value: Any, location: str) -> dict[str, Any] | None:
    """A JSON object, or ``None`` when absent."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise invalid(location, "Input should be a valid object")
    return value


def empty_flag(value: Any, location: str) -> bool:
    """An options object with no documented options (``facs``, ``sentiment``...): ``{}`` enables it."""
    options = an_object(value, location)
    if options is None:
        return False
    reject_extra(options, (), location)
    return True


def boolean(value: Any, location: str, default: bool = False) -> bool:
    """A JSON boolean."""
    if value is None:
        return default
    if not isinstance(value, bool):
        raise invalid(location, "Input should be a valid boolean")
    return value


def string(value: Any, location: str) -> str | None:
    """A JSON string, or ``None`` when absent."""
    if value is None or isinstance(value, str):
        return value
    raise invalid(location, "Input should be a valid string")


def number(
    value: Any,
    location: str,
    default: float,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    above: float | None = None,
) -> float:
    """A finite JSON number within the bounds (``above`` is exclusive)."""
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise invalid(location, "Input should be a valid finite number")
    if minimum is not None and value < minimum:
        raise invalid(location, f"Input should be greater than or equal to {minimum:g}")
    if maximum is not None and value > maximum:
        raise invalid(location, f"Input should be less than or equal to {maximum:g}")
    if above is not None and value <= above:
        raise invalid(location, f"Input should be greater than {above:g}")
    return float(value)


def choice(value: Any, location: str, options: tuple[str, ...], default: str) -> str:
    """One of ``options``."""
    if value is None:
        return default
    if value not in options:
        quoted = ", ".join(f"'{option}'" for option in options[:-1])
        raise invalid(location, f"Input should be {quoted} or '{options[-1]}'")
    return str(value)


def _join(location: str, key: str) -> str:
    return f"{location}.{key}" if location else key
