"""Field checks shared by the config and request models; every error names the full field path and the fix."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from typing import Any
from urllib.parse import urlsplit

from airflow_provider_hume.client.errors import HumeValidationError

_MAX_REPR = 80


def shown(value: Any) -> str:
    """A short repr of a user value for error messages."""
    text = repr(value)
    return text if len(text) <= _MAX_REPR else f"{text[:_MAX_REPR]}..."


def invalid(path: str, problem: str, value: Any) -> HumeValidationError:
    """``<path> <problem> (got <value>)`` as a validation error."""
    return HumeValidationError(f"{path} {problem} (got {shown(value)})")


def check_bool(value: Any, path: str) -> bool:
    """A real bool: ``"true"``, 1 and friends are refused so templating mistakes surface."""
    if not isinstance(value, bool):
        raise invalid(path, "must be true or false", value)
    return value


def check_number(
    value: Any, path: str, *, minimum: float | None = None, maximum: float | None = None
) -> float:
    """A finite int or float within ``[minimum, maximum]``, returned as float."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise invalid(path, "must be a number", value)
    if minimum is not None and maximum is not None and not minimum <= value <= maximum:
        raise invalid(path, f"must be between {minimum:g} and {maximum:g}", value)
    if minimum is not None and value < minimum:
        raise invalid(path, f"must be >= {minimum:g}", value)
    if maximum is not None and value > maximum:
        raise invalid(path, f"must be <= {maximum:g}", value)
    return float(value)


def check_int(value: Any, path: str, *, minimum: int | None = None) -> int:
    """An integer (an integral float such as ``60.0`` is accepted) not below ``minimum``."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(path, "must be an integer", value)
    if minimum is not None and value < minimum:
        raise invalid(path, f"must be >= {minimum}", value)
    return value


def check_choice(value: Any, path: str, choices: Collection[str]) -> str:
    """One of ``choices``, matched case-insensitively and returned in its canonical spelling."""
    if isinstance(value, str):
        for choice in choices:
            if choice.lower() == value.strip().lower():
                return choice
    raise invalid(path, f"must be one of {', '.join(choices)}", value)


def check_toggle(value: Any, path: str) -> bool:
    """An ``Unconfigurable`` switch: ``{}`` or true enables it, null or false disables it."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, Mapping) and not value:
        return True
    raise invalid(path, "must be {} to enable it or null to disable it (it has no settings)", value)


def check_mapping(value: Any, path: str) -> Mapping[str, Any]:
    """A JSON object."""
    if not isinstance(value, Mapping):
        raise invalid(path, "must be an object", value)
    return value


def check_keys(data: Mapping[str, Any], path: str, allowed: Collection[str], noun: str = "key") -> None:
    """Refuse keys Hume would not understand, listing the allowed ones."""
    for key in data:
        if key not in allowed:
            choices = ", ".join(sorted(allowed)) if allowed else "none, it is not configurable"
            raise HumeValidationError(f"{path} has unknown {noun} {shown(key)}; allowed {noun}s: {choices}")


def check_http_url(value: Any, path: str) -> str:
    """An absolute http(s) URL with a host."""
    if not isinstance(value, str) or not value.strip() or any(c.isspace() for c in value.strip()):
        raise invalid(path, "must be an absolute http(s) URL", value)
    url: str = value.strip()
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise invalid(path, "must be an absolute http(s) URL", url) from exc
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise invalid(path, "must be an absolute http(s) URL", url)
    return url
