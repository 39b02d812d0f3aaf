"""Typed, validated emulator settings: start values from the CLI or a test; faults can change at run time.

``EmulatorSettings`` is fixed for a server's life; its ``faults`` are the start values of the fault injector,
which the admin API can replace (``FaultSettings.from_json``) and ``POST /_emulator/reset`` restores.
Invalid values raise :class:`SettingError`, naming the field, so the CLI and the admin API report it alike.
No HTTP and no third-party import here: the pytest plugin imports this module without the emulator extra.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, Final, Literal

DetailsShape = Literal["current", "mid-2023", "2022"]
DETAILS_SHAPES: Final[tuple[DetailsShape, ...]] = ("current", "mid-2023", "2022")
StreamWarnings = Literal["nested", "top-level"]
STREAM_WARNINGS: Final[tuple[StreamWarnings, ...]] = ("nested", "top-level")
DEFAULT_FAILURE_MESSAGE: Final = "job failed (fault injected by the Hume emulator)"
_ROUTE: Final = re.compile(r"[A-Z]+ /\S*")


class SettingError(ValueError):
    """An invalid setting: ``field`` is its name, ``reason`` what is wrong with the value."""

    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(f"{field_name}: {reason}")
        self.field = field_name
        self.reason = reason


@dataclass(frozen=True)
class FaultSettings:
    """What the emulator breaks on purpose; the defaults break nothing.

    Request faults (``rate_limit``, ``error_rate``, ``latency_ms``, ``drop_rate``) hit only requests whose
    route (``"GET /v0/batch/jobs/{job_id}"``) is in ``routes`` (empty: every route), and only ``times`` more
    requests (``None``: no limit; each request hit by any request fault uses one). Job faults
    (``job_failure_rate``, ``queue_delay_seconds``) apply to jobs created while they are set;
    ``artifacts_pad_bytes`` to every artifacts download.
    """

    rate_limit: float | None = None
    error_rate: float = 0.0
    error_statuses: tuple[int, ...] = (500, 502, 503)
    latency_ms: int = 0
    drop_rate: float = 0.0
    job_failure_rate: float = 0.0
    job_failure_message: str = DEFAULT_FAILURE_MESSAGE
    queue_delay_seconds: float = 0.0
    artifacts_pad_bytes: int = 0
    routes: tuple[str, ...] = ()
    times: int | None = None

    def __post_init__(self) -> None:
        if self.rate_limit is not None and not (math.isfinite(self.rate_limit) and self.rate_limit > 0):
            reason = f"must be a positive number of requests per second, or null (got {self.rate_limit})"
            raise SettingError("rate_limit", reason)
        for name in ("error_rate", "drop_rate", "job_failure_rate"):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise SettingError(name, f"must be a probability between 0 and 1 (got {value})")
        if not self.error_statuses or any(not 500 <= status <= 599 for status in self.error_statuses):
            raise SettingError("error_statuses", f"must be 5xx statuses (got {list(self.error_statuses)})")
        for name in ("latency_ms", "artifacts_pad_bytes", "times", "queue_delay_seconds"):
            value = getattr(self, name)
            if value is not None and not (math.isfinite(value) and value >= 0):
                raise SettingError(name, f"must not be negative (got {value})")
        if not self.job_failure_message:
            raise SettingError("job_failure_message", "must not be empty")
        for route in self.routes:
            if not _ROUTE.fullmatch(route):
                raise SettingError(
                    "routes", f"each must look like 'GET /v0/batch/jobs/{{job_id}}' (got {route!r})"
                )

    def applies_to(self, route: str) -> bool:
        """Whether request faults may hit ``route`` now."""
        return self.times != 0 and (not self.routes or route in self.routes)

    def to_json(self) -> dict[str, Any]:
        """The settings as a JSON object (the admin API's ``faults`` shape)."""
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_json(cls, data: Any, base: FaultSettings | None = None) -> FaultSettings:
        """``base`` (default: all off) with the fields of the JSON object ``data``; unknown keys fail."""
        if not isinstance(data, Mapping):
            raise SettingError("faults", "must be a JSON object")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise SettingError(unknown[0], f"is not a fault setting (known: {', '.join(sorted(known))})")
        return replace(base or cls(), **{name: _coerce(name, value) for name, value in data.items()})


@dataclass(frozen=True)
class EmulatorSettings:
    """Everything an emulator is started with, apart from its API keys."""

    queue_seconds: float = 1.0
    run_seconds: float = 2.0
    seed: int = 0
    job_details_shape: DetailsShape = "current"
    callback_backoff_seconds: float = 1.0
    stream_idle_seconds: float = 60.0
    stream_warnings: StreamWarnings = "nested"
    faults: FaultSettings = field(default_factory=FaultSettings)

    def __post_init__(self) -> None:
        for name in ("queue_seconds", "run_seconds", "callback_backoff_seconds"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise SettingError(name, f"must not be negative (got {value})")
        if not (math.isfinite(self.stream_idle_seconds) and self.stream_idle_seconds > 0):
            raise SettingError("stream_idle_seconds", f"must be positive (got {self.stream_idle_seconds})")
        if self.job_details_shape not in DETAILS_SHAPES:
            raise SettingError("job_details_shape", f"must be one of {', '.join(DETAILS_SHAPES)}")
        if self.stream_warnings not in STREAM_WARNINGS:
            raise SettingError("stream_warnings", f"must be one of {', '.join(STREAM_WARNINGS)}")


_NULLABLE: Final = {"rate_limit", "times"}
_NUMBERS: Final = {"rate_limit", "error_rate", "drop_rate", "job_failure_rate", "queue_delay_seconds"}
_INTEGERS: Final = {"latency_ms", "artifacts_pad_bytes", "times"}


def _coerce(name: str, value: Any) -> Any:
    """Check the JSON type of one fault field and convert it to the dataclass type."""
    if name in _NULLABLE and value is None:
        return None
    if name in _NUMBERS:
        return float(_typed(name, value, (int, float), "a number"))
    if name in _INTEGERS:
        return _typed(name, value, int, "an integer")
    if name == "job_failure_message":
        return _typed(name, value, str, "a string")
    kind, label = (int, "integers") if name == "error_statuses" else (str, "strings")
    items = _typed(name, value, list, f"a list of {label}")
    return tuple(_typed(name, item, kind, f"a list of {label}") for item in items)


def _typed(name: str, value: Any, kind: type | tuple[type, ...], label: str) -> Any:
    if isinstance(value, bool) or not isinstance(value, kind):
        raise SettingError(name, f"must be {label} (got {value!r})")
    return value


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value
