"""Typed, validated emulator settings: start values from the CLI or a test; faults can change at run time.

``EmulatorSettings`` is fixed for a server's life; its ``faults`` are the start values of the fault injector,
which the admin API can replace (``FaultSettings.from_json``) and ``POST /_emulator/reset`` restores.
Invalid values raise :class:`SettingError`, naming the field, so the CLI and the admin API report it alike.
No HTTP and no third-party import here: the pytest plugin imports this module without the emulator extra.
"""

from __future__ import annotations

import math
import re
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, Final, Literal, Union, get_args, get_origin, get_type_hints

DetailsShape = Literal["current", "mid-2023", "2022"]
DETAILS_SHAPES: Final[tuple[DetailsShape, ...]] = get_args(DetailsShape)
StreamWarnings = Literal["nested", "top-level"]
STREAM_WARNINGS: Final[tuple[StreamWarnings, ...]] = get_args(StreamWarnings)
DEFAULT_FAILURE_MESSAGE: Final = "job failed (fault injected by the Hume emulator)"
#: How long an idle HTTP/1.1 connection is kept open (uvicorn's default is 5 s). Hume never published its
#: value; 75 s outlasts any poll interval up to a minute, so a client polling every 5-30 s keeps its
#: connection (docs/emulator.md, *Keep-alive*).
DEFAULT_KEEP_ALIVE_SECONDS: Final = 75
#: Field metadata keys: a field's :class:`Flag`, or the ``--help`` group of a nested settings class.
FLAG: Final = "flag"
FLAG_GROUP: Final = "flag_group"
_ROUTE: Final = re.compile(r"[A-Z]+ /\S*")
_SIZE: Final = re.compile(r"(\d+)\s*([KMG]i?B?|B)?", re.IGNORECASE)
_UNITS: Final = {"": 1, "k": 1000, "m": 1000**2, "g": 1000**3, "ki": 1024, "mi": 1024**2, "gi": 1024**3}


class SettingError(ValueError):
    """An invalid setting: ``field`` is its name, ``reason`` what is wrong with the value."""

    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(f"{field_name}: {reason}")
        self.field = field_name
        self.reason = reason


@dataclass(frozen=True)
class Flag:
    """The ``hume-emulator`` flag that sets a field, its help, and how its text becomes the value.

    Without ``parse`` the text is read as the field's type (a ``Literal`` gives the choices); with ``repeat``
    the flag may be given many times and collects a tuple.
    """

    name: str
    help: str
    parse: Callable[[str], Any] | None = None
    repeat: bool = False


def flag(
    name: str, help_text: str, *, parse: Callable[[str], Any] | None = None, repeat: bool = False
) -> dict[str, Flag]:
    """Field metadata naming the flag of a setting (see :class:`Flag`)."""
    return {FLAG: Flag(name, help_text, parse, repeat)}


def parse_size(text: str) -> int:
    """Bytes in ``text``: ``1048576``, ``512KiB``, ``1GiB``, ``10MB`` (decimal); ``ValueError`` otherwise."""
    match = _SIZE.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"expected a size such as 1048576, 512KiB or 1GiB (got {text!r})")
    unit = (match.group(2) or "").lower().removesuffix("b")
    return int(match.group(1)) * _UNITS[unit]


def parse_statuses(text: str) -> tuple[int, ...]:
    """Statuses in ``text``, comma separated (``500,503``); ``ValueError`` otherwise."""
    try:
        return tuple(int(part) for part in text.split(","))
    except ValueError:
        raise ValueError(f"expected comma-separated statuses such as 500,503 (got {text!r})") from None


@dataclass(frozen=True)
class FaultSettings:
    """What the emulator breaks on purpose; the defaults break nothing.

    Request faults (``rate_limit``, ``error_rate``, ``latency_ms``, ``drop_rate``) hit only requests whose
    route (``"GET /v0/batch/jobs/{job_id}"``) is in ``routes`` (empty: every route), and only ``times`` more
    requests (``None``: no limit; each request hit by any request fault uses one). Job faults
    (``job_failure_rate``, ``queue_delay_seconds``) apply to jobs created while they are set;
    ``artifacts_pad_bytes`` and ``predictions_pad_bytes`` to every artifacts and predictions download.
    """

    rate_limit: float | None = field(
        default=None, metadata=flag("--rate-limit", "requests per second per API key, then 429")
    )
    error_rate: float = field(default=0.0, metadata=flag("--error-rate", "probability of a 5xx response"))
    error_statuses: tuple[int, ...] = field(
        default=(500, 502, 503),
        metadata=flag("--error-statuses", "5xx statuses to pick from", parse=parse_statuses),
    )
    latency_ms: int = field(default=0, metadata=flag("--latency-ms", "delay added to each request"))
    drop_rate: float = field(
        default=0.0, metadata=flag("--drop-rate", "probability a predictions/artifacts body is cut short")
    )
    job_failure_rate: float = field(
        default=0.0, metadata=flag("--job-failure-rate", "probability a new job fails")
    )
    job_failure_message: str = field(
        default=DEFAULT_FAILURE_MESSAGE, metadata=flag("--job-failure-message", "its state.message")
    )
    queue_delay_seconds: float = field(
        default=0.0, metadata=flag("--queue-delay", "extra seconds a new job stays QUEUED")
    )
    artifacts_pad_bytes: int = field(
        default=0,
        metadata=flag(
            "--artifacts-pad-bytes", "add a padding.bin of this size to artifacts", parse=parse_size
        ),
    )
    predictions_pad_bytes: int = field(
        default=0,
        metadata=flag(
            "--predictions-pad-bytes",
            "add a padding source of at least this size to predictions",
            parse=parse_size,
        ),
    )
    routes: tuple[str, ...] = field(
        default=(),
        metadata=flag("--fault-route", "limit request faults to 'METHOD /path' (repeatable)", repeat=True),
    )
    times: int | None = field(
        default=None, metadata=flag("--fault-times", "hit at most this many requests with a request fault")
    )

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
        for name in (
            "latency_ms",
            "artifacts_pad_bytes",
            "predictions_pad_bytes",
            "times",
            "queue_delay_seconds",
        ):
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
        hints = get_type_hints(cls)
        changes = {name: _coerce(name, value, hints[name]) for name, value in data.items()}
        return replace(base or cls(), **changes)


@dataclass(frozen=True)
class V1Settings:
    """The ``v1`` room's values (hume-api-v1.md §5-§8); those marked ✖ Hume does not publish: guesses.

    Documented: ``measured_faces`` (2 by default, "contact support to raise it"), ``face_state_ttl_seconds``
    (24 h) and ``live_silence_seconds`` (a live run unheard from for 5 minutes reads ``errored``). The
    realtime sockets' send rates (1 s of audio per second, 3 frames per second) are Hume's; how long a
    silent session lives, the burst each rate allows and the per-kind cap of a run's event log are not
    (hume-api-v1.md §7, §8). ``rate_multiplier`` is a test aid, not a Hume behaviour: it speeds both send
    rates up so that tests can stream faster than real time.
    """

    runs_page_size_max: int = field(
        default=200, metadata=flag("--v1-runs-page-size-max", "largest runs-list page_size (✖ a guess)")
    )
    measured_faces: int = field(
        default=2, metadata=flag("--v1-measured-faces", "faces measured per image, largest first")
    )
    face_state_ttl_seconds: float = field(
        default=86_400.0, metadata=flag("--v1-face-state-ttl", "seconds a face_state stays valid")
    )
    upload_latency_ms: int = field(
        default=0, metadata=flag("--v1-upload-latency-ms", "processing time added to each upload (✖ a guess)")
    )
    vad_threshold_dbfs: float = field(
        default=-40.0, metadata=flag("--v1-vad-threshold-dbfs", "RMS level counted as speech (✖ a guess)")
    )
    vad_hangover_ms: int = field(
        default=500, metadata=flag("--v1-vad-hangover-ms", "silence that ends an utterance (✖ a guess)")
    )
    live_silence_seconds: float = field(
        default=300.0, metadata=flag("--v1-live-silence", "seconds unheard before a live run reads errored")
    )
    run_event_cap: int = field(
        default=100, metadata=flag("--v1-run-event-cap", "events of one kind logged per run (✖ a guess)")
    )
    realtime_idle_seconds: float = field(
        default=60.0,
        metadata=flag("--v1-realtime-idle-seconds", "close a silent realtime session after this (✖ a guess)"),
    )
    audio_burst_seconds: float = field(
        default=2.0,
        metadata=flag("--v1-audio-burst-seconds", "audio the 1 s/s rate lets through at once (✖ a guess)"),
    )
    video_burst_frames: float = field(
        default=2.0,
        metadata=flag("--v1-video-burst-frames", "frames the 3 fps rate lets through at once (✖ a guess)"),
    )
    rate_multiplier: float = field(
        default=1.0,
        metadata=flag("--v1-rate-multiplier", "TEST AID: multiply both realtime send rates by this"),
    )

    def __post_init__(self) -> None:
        for name in ("runs_page_size_max", "measured_faces", "run_event_cap"):
            if getattr(self, name) < 1:
                raise SettingError(name, f"must be at least 1 (got {getattr(self, name)})")
        for name in (
            "face_state_ttl_seconds",
            "live_silence_seconds",
            "realtime_idle_seconds",
            "audio_burst_seconds",
            "rate_multiplier",
        ):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise SettingError(name, f"must be positive (got {value})")
        if self.upload_latency_ms < 0:
            raise SettingError("upload_latency_ms", f"must not be negative (got {self.upload_latency_ms})")
        if not (math.isfinite(self.vad_threshold_dbfs) and -90 <= self.vad_threshold_dbfs <= 0):
            reason = f"must be between -90 and 0 (got {self.vad_threshold_dbfs})"
            raise SettingError("vad_threshold_dbfs", reason)
        if not 10 <= self.vad_hangover_ms <= 2000:
            raise SettingError("vad_hangover_ms", f"must be between 10 and 2000 (got {self.vad_hangover_ms})")
        if not (math.isfinite(self.video_burst_frames) and self.video_burst_frames >= 1):
            raise SettingError("video_burst_frames", f"must be at least 1 (got {self.video_burst_frames})")


@dataclass(frozen=True)
class EmulatorSettings:
    """Everything an emulator is started with, apart from its API keys."""

    queue_seconds: float = field(default=1.0, metadata=flag("--queue-seconds", "time a job stays QUEUED"))
    run_seconds: float = field(default=2.0, metadata=flag("--run-seconds", "time a job stays IN_PROGRESS"))
    seed: int = field(default=0, metadata=flag("--seed", "seed of every random decision"))
    job_details_shape: DetailsShape = field(
        default="current", metadata=flag("--job-details-shape", "job details shape (§2.6)")
    )
    callback_backoff_seconds: float = field(
        default=1.0, metadata=flag("--callback-backoff", "seconds before the 2nd callback try, doubling")
    )
    stream_idle_seconds: float = field(
        default=60.0, metadata=flag("--stream-idle-seconds", "websocket idle timeout")
    )
    stream_warnings: StreamWarnings = field(
        default="nested", metadata=flag("--stream-warnings", "streaming warning form")
    )
    keep_alive_seconds: int = field(
        default=DEFAULT_KEEP_ALIVE_SECONDS,
        metadata=flag("--keep-alive-seconds", "seconds an idle HTTP connection stays open (✖ a guess)"),
    )
    faults: FaultSettings = field(
        default_factory=FaultSettings,
        metadata={FLAG_GROUP: "faults (start values; change them at run time with /_emulator/faults)"},
    )
    v1: V1Settings = field(
        default_factory=V1Settings, metadata={FLAG_GROUP: "v1 API (✖ marks values Hume does not publish)"}
    )

    def __post_init__(self) -> None:
        for name in ("queue_seconds", "run_seconds", "callback_backoff_seconds"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise SettingError(name, f"must not be negative (got {value})")
        if not (math.isfinite(self.stream_idle_seconds) and self.stream_idle_seconds > 0):
            raise SettingError("stream_idle_seconds", f"must be positive (got {self.stream_idle_seconds})")
        if self.keep_alive_seconds < 1:
            raise SettingError("keep_alive_seconds", f"must be at least 1 (got {self.keep_alive_seconds})")
        if self.job_details_shape not in DETAILS_SHAPES:
            raise SettingError("job_details_shape", f"must be one of {', '.join(DETAILS_SHAPES)}")
        if self.stream_warnings not in STREAM_WARNINGS:
            raise SettingError("stream_warnings", f"must be one of {', '.join(STREAM_WARNINGS)}")


def _coerce(name: str, value: Any, hint: Any) -> Any:
    """Check the JSON type of one fault field against its annotation ``hint`` and convert it to that type."""
    options = get_args(hint) if get_origin(hint) in (Union, types.UnionType) else (hint,)
    if value is None and type(None) in options:
        return None
    kind = options[0]
    if kind is float:
        return float(_typed(name, value, (int, float), "a number"))
    if kind is int:
        return _typed(name, value, int, "an integer")
    if kind is str:
        return _typed(name, value, str, "a string")
    item, label = (int, "integers") if get_args(kind)[0] is int else (str, "strings")
    items = _typed(name, value, list, f"a list of {label}")
    return tuple(_typed(name, element, item, f"a list of {label}") for element in items)


def _typed(name: str, value: Any, kind: type | tuple[type, ...], label: str) -> Any:
    if isinstance(value, bool) or not isinstance(value, kind):
        raise SettingError(name, f"must be {label} (got {value!r})")
    return value


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value
