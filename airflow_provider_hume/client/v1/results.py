"""The ``v1`` response bodies as frozen dataclasses (hume-api-v1.md §5, §6, §8, §9).

``from_api`` reads a decoded JSON body, checking the documented fields and keeping any field it does not know
in ``extra`` (Hume's models allow extra fields, so new ones may appear); ``to_api`` gives the same JSON back,
extras included, for storing the response as Hume sent it. A body that lacks a documented field or has one of
the wrong type raises :class:`~airflow_provider_hume.client.errors.HumeError` naming the field's path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from airflow_provider_hume.client._fields import shown
from airflow_provider_hume.client.errors import HumeError
from airflow_provider_hume.client.v1._times import format_rfc3339, parse_rfc3339

_T = TypeVar("_T")


def _bad(path: str, expected: str, value: Any) -> HumeError:
    return HumeError(f"Hume's answer has an unexpected {path}: expected {expected}, got {shown(value)}")


def _object(data: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise _bad(path, "an object", data)
    return data


def _int(data: Mapping[str, Any], key: str, path: str, *, optional: bool = False) -> Any:
    value = data.get(key)
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(f"{path}.{key}", "an integer", value)
    return value


def _float(data: Mapping[str, Any], key: str, path: str) -> float:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _bad(f"{path}.{key}", "a number", value)
    return float(value)


def _str(data: Mapping[str, Any], key: str, path: str, *, optional: bool = False) -> Any:
    value = data.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise _bad(f"{path}.{key}", "a string", value)
    return value


def _bool(data: Mapping[str, Any], key: str, path: str) -> bool:
    value = data.get(key)
    if not isinstance(value, bool):
        raise _bad(f"{path}.{key}", "true or false", value)
    return value


def _list(
    data: Mapping[str, Any], key: str, path: str, item: Callable[[Any, str], _T], *, optional: bool = False
) -> Any:
    value = data.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, list):
        raise _bad(f"{path}.{key}", "an array", value)
    return tuple(item(entry, f"{path}.{key}[{index}]") for index, entry in enumerate(value))


def _extra(data: Mapping[str, Any], known: tuple[str, ...]) -> dict[str, Any] | None:
    extra = {key: value for key, value in data.items() if key not in known}
    return extra or None


def _with_extra(body: dict[str, Any], extra: Mapping[str, Any] | None) -> dict[str, Any]:
    return {**extra, **body} if extra else body


def _time(data: Mapping[str, Any], key: str, path: str, *, optional: bool = False) -> Any:
    value = data.get(key)
    if value is None and optional:
        return None
    return parse_rfc3339(value, f"{path}.{key}")


def _time_out(moment: datetime | None) -> str | None:
    return None if moment is None else format_rfc3339(moment)


@dataclass(frozen=True)
class Score:
    """One score: a lower-case ``name`` (new names may appear) and its ``probability`` (0 to 1, 4 dp)."""

    name: str
    probability: float
    extra: Mapping[str, Any] | None = field(default=None, repr=False)

    @classmethod
    def from_api(cls, data: Any, path: str = "score") -> Score:
        data = _object(data, path)
        return cls(
            _str(data, "name", path), _float(data, "probability", path), _extra(data, ("name", "probability"))
        )

    def to_api(self) -> dict[str, Any]:
        return _with_extra({"name": self.name, "probability": self.probability}, self.extra)


def _scores(data: Mapping[str, Any], key: str, path: str, *, optional: bool = False) -> Any:
    return _list(data, key, path, Score.from_api, optional=optional)


def _scores_out(scores: tuple[Score, ...] | None) -> list[dict[str, Any]] | None:
    return None if scores is None else [score.to_api() for score in scores]


_UTTERANCE = ("utterance_id", "audio_start_ms", "audio_end_ms")


@dataclass(frozen=True)
class Utterance:
    """One continuous stretch of speech, in ms from the start of the audio."""

    utterance_id: int
    audio_start_ms: int
    audio_end_ms: int
    extra: Mapping[str, Any] | None = field(default=None, repr=False)

    @classmethod
    def from_api(cls, data: Any, path: str = "utterance") -> Utterance:
        data = _object(data, path)
        start, end = _int(data, "audio_start_ms", path), _int(data, "audio_end_ms", path)
        return cls(_int(data, "utterance_id", path), start, end, _extra(data, _UTTERANCE))

    def to_api(self) -> dict[str, Any]:
        body = {"utterance_id": self.utterance_id, "audio_start_ms": self.audio_start_ms}
        return _with_extra({**body, "audio_end_ms": self.audio_end_ms}, self.extra)


_MEASUREMENT = (*_UTTERANCE, "measurement_id", "trigger", "expressions", "voice_attributes")


@dataclass(frozen=True)
class AudioMeasurement:
    """Scores of a window of an utterance (the last 10 s at most); ``trigger`` is interval or speech_ended."""

    measurement_id: int
    utterance_id: int
    audio_start_ms: int
    audio_end_ms: int
    trigger: str
    expressions: tuple[Score, ...]
    voice_attributes: tuple[Score, ...]
    extra: Mapping[str, Any] | None = field(default=None, repr=False)

    @classmethod
    def from_api(cls, data: Any, path: str = "measurement") -> AudioMeasurement:
        data = _object(data, path)
        return cls(
            measurement_id=_int(data, "measurement_id", path),
            utterance_id=_int(data, "utterance_id", path),
            audio_start_ms=_int(data, "audio_start_ms", path),
            audio_end_ms=_int(data, "audio_end_ms", path),
            trigger=_str(data, "trigger", path),
            expressions=_scores(data, "expressions", path),
            voice_attributes=_scores(data, "voice_attributes", path),
            extra=_extra(data, _MEASUREMENT),
        )

    def to_api(self) -> dict[str, Any]:
        body = {
            "measurement_id": self.measurement_id,
            "utterance_id": self.utterance_id,
            "audio_start_ms": self.audio_start_ms,
            "audio_end_ms": self.audio_end_ms,
            "trigger": self.trigger,
            "expressions": _scores_out(self.expressions),
            "voice_attributes": _scores_out(self.voice_attributes),
        }
        return _with_extra(body, self.extra)


def _received(data: Mapping[str, Any], key: str, path: str) -> tuple[int, dict[str, Any] | None]:
    received = _object(data.get("received"), f"{path}.received")
    return _int(received, key, f"{path}.received"), _extra(received, (key,))


def _received_out(key: str, value: int, extra: Mapping[str, Any] | None) -> dict[str, Any]:
    inner = (extra or {}).get("received")
    return {**(inner if isinstance(inner, Mapping) else {}), key: value}


def _with_received_extra(
    extra: dict[str, Any] | None, received: dict[str, Any] | None
) -> dict[str, Any] | None:
    if received:
        extra = {**(extra or {}), "received": received}
    return extra


_AUDIO_RESULT = ("request_id", "run_id", "received", "utterances", "measurements")


@dataclass(frozen=True)
class AudioFileResult:
    """The answer to an audio upload: every utterance and measurement (nothing can be fetched later)."""

    request_id: str
    run_id: str
    audio_duration_ms: int
    utterances: tuple[Utterance, ...]
    measurements: tuple[AudioMeasurement, ...]
    extra: Mapping[str, Any] | None = field(default=None, repr=False)

    @classmethod
    def from_api(cls, data: Any, path: str = "response") -> AudioFileResult:
        data = _object(data, path)
        duration, received_extra = _received(data, "audio_duration_ms", path)
        return cls(
            request_id=_str(data, "request_id", path),
            run_id=_str(data, "run_id", path),
            audio_duration_ms=duration,
            utterances=_list(data, "utterances", path, Utterance.from_api),
            measurements=_list(data, "measurements", path, AudioMeasurement.from_api),
            extra=_with_received_extra(_extra(data, _AUDIO_RESULT), received_extra),
        )

    def to_api(self) -> dict[str, Any]:
        body = {
            "request_id": self.request_id,
            "run_id": self.run_id,
            "received": _received_out("audio_duration_ms", self.audio_duration_ms, self.extra),
            "utterances": [utterance.to_api() for utterance in self.utterances],
            "measurements": [measurement.to_api() for measurement in self.measurements],
        }
        return _with_extra(body, self.extra)


_FACE = ("face_id", "bbox", "confidence", "expressions", "descriptions")


def _bbox(data: Mapping[str, Any], path: str) -> tuple[float, float, float, float]:
    value = data.get("bbox")
    if (
        not isinstance(value, list)
        or len(value) != 4
        or any(isinstance(item, bool) or not isinstance(item, (int, float)) for item in value)
    ):
        raise _bad(f"{path}.bbox", "[x0, y0, x1, y1]", value)
    return (float(value[0]), float(value[1]), float(value[2]), float(value[3]))


@dataclass(frozen=True)
class Face:
    """A detected face; ``face_id``, ``expressions`` and ``descriptions`` are None when it was not measured.

    ``bbox`` is ``(x0, y0, x1, y1)`` in the image's stored pixels; ``confidence`` is the detection's.
    """

    face_id: int | None
    bbox: tuple[float, float, float, float]
    confidence: float
    expressions: tuple[Score, ...] | None
    descriptions: tuple[Score, ...] | None
    extra: Mapping[str, Any] | None = field(default=None, repr=False)

    @classmethod
    def from_api(cls, data: Any, path: str = "face") -> Face:
        data = _object(data, path)
        return cls(
            face_id=_int(data, "face_id", path, optional=True),
            bbox=_bbox(data, path),
            confidence=_float(data, "confidence", path),
            expressions=_scores(data, "expressions", path, optional=True),
            descriptions=_scores(data, "descriptions", path, optional=True),
            extra=_extra(data, _FACE),
        )

    def to_api(self) -> dict[str, Any]:
        body = {
            "face_id": self.face_id,
            "bbox": list(self.bbox),
            "confidence": self.confidence,
            "expressions": _scores_out(self.expressions),
            "descriptions": _scores_out(self.descriptions),
        }
        return _with_extra(body, self.extra)


@dataclass(frozen=True)
class FrameMeasurement:
    """The faces of one image (``faces`` empty when none was found), measured ones first."""

    frame_id: int
    faces: tuple[Face, ...]
    extra: Mapping[str, Any] | None = field(default=None, repr=False)

    @classmethod
    def from_api(cls, data: Any, path: str = "measurement") -> FrameMeasurement:
        data = _object(data, path)
        return cls(
            _int(data, "frame_id", path),
            _list(data, "faces", path, Face.from_api),
            _extra(data, ("frame_id", "faces")),
        )

    def to_api(self) -> dict[str, Any]:
        body = {"frame_id": self.frame_id, "faces": [face.to_api() for face in self.faces]}
        return _with_extra(body, self.extra)


_IMAGE_RESULT = ("request_id", "run_id", "received", "measurements", "face_state")


@dataclass(frozen=True)
class ImageFileResult:
    """The answer to an image upload: one measurement per image, in the order sent.

    ``face_state`` is set when ``return_face_state`` was: pass it to the next request (within 24 h).
    """

    request_id: str
    run_id: str
    frames_received: int
    measurements: tuple[FrameMeasurement, ...]
    face_state: str | None = None
    extra: Mapping[str, Any] | None = field(default=None, repr=False)

    @classmethod
    def from_api(cls, data: Any, path: str = "response") -> ImageFileResult:
        data = _object(data, path)
        frames, received_extra = _received(data, "frames", path)
        return cls(
            request_id=_str(data, "request_id", path),
            run_id=_str(data, "run_id", path),
            frames_received=frames,
            measurements=_list(data, "measurements", path, FrameMeasurement.from_api),
            face_state=_str(data, "face_state", path, optional=True),
            extra=_with_received_extra(_extra(data, _IMAGE_RESULT), received_extra),
        )

    def to_api(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "request_id": self.request_id,
            "run_id": self.run_id,
            "received": _received_out("frames", self.frames_received, self.extra),
            "measurements": [measurement.to_api() for measurement in self.measurements],
        }
        if self.face_state is not None:
            body["face_state"] = self.face_state
        return _with_extra(body, self.extra)


_SUMMARY = (
    "run_id",
    "user_id",
    "status",
    "endpoint",
    "mode",
    "started_at",
    "ended_at",
    "bytes_received",
    "bytes_recorded",
    "metered_seconds",
)
_RUN = (*_SUMMARY, "close_code", "close_reason", "config")


def _summary_fields(data: Mapping[str, Any], path: str) -> dict[str, Any]:
    return {
        "run_id": _str(data, "run_id", path),
        "user_id": _str(data, "user_id", path),
        "status": _str(data, "status", path),
        "endpoint": _str(data, "endpoint", path),
        "mode": _str(data, "mode", path),
        "started_at": _time(data, "started_at", path),
        "ended_at": _time(data, "ended_at", path, optional=True),
        "bytes_received": _int(data, "bytes_received", path, optional=True),
        "bytes_recorded": _int(data, "bytes_recorded", path, optional=True),
        "metered_seconds": _float(data, "metered_seconds", path),
    }


@dataclass(frozen=True)
class RunSummary:
    """A run as the list gives it: the record of one upload or realtime session (not its results).

    ``status`` is live, ended or errored; ``endpoint`` audio or video; ``mode`` file or realtime;
    ``metered_seconds`` the billable seconds; ``ended_at`` and ``bytes_received`` are None while live.
    """

    run_id: str
    user_id: str
    status: str
    endpoint: str
    mode: str
    started_at: datetime
    ended_at: datetime | None
    bytes_received: int | None
    bytes_recorded: int | None
    metered_seconds: float
    extra: Mapping[str, Any] | None = field(default=None, repr=False)

    @classmethod
    def from_api(cls, data: Any, path: str = "run") -> RunSummary:
        data = _object(data, path)
        return cls(**_summary_fields(data, path), extra=_extra(data, _SUMMARY))

    def _summary_api(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "user_id": self.user_id,
            "status": self.status,
            "endpoint": self.endpoint,
            "mode": self.mode,
            "started_at": format_rfc3339(self.started_at),
            "ended_at": _time_out(self.ended_at),
            "bytes_received": self.bytes_received,
            "bytes_recorded": self.bytes_recorded,
            "metered_seconds": self.metered_seconds,
        }

    def to_api(self) -> dict[str, Any]:
        return _with_extra(self._summary_api(), self.extra)


@dataclass(frozen=True)
class Run:
    """A run in full: the summary fields plus how a realtime session closed and the ``config`` it ran under.

    ``config`` is kept as sent; check its ``schema`` (``v4``) before relying on its layout.
    """

    run_id: str
    user_id: str
    status: str
    endpoint: str
    mode: str
    started_at: datetime
    ended_at: datetime | None
    bytes_received: int | None
    bytes_recorded: int | None
    metered_seconds: float
    close_code: int | None
    close_reason: str | None
    config: Mapping[str, Any]
    extra: Mapping[str, Any] | None = field(default=None, repr=False)

    @classmethod
    def from_api(cls, data: Any, path: str = "run") -> Run:
        data = _object(data, path)
        return cls(
            **_summary_fields(data, path),
            close_code=_int(data, "close_code", path, optional=True),
            close_reason=_str(data, "close_reason", path, optional=True),
            config=dict(_object(data.get("config"), f"{path}.config")),
            extra=_extra(data, _RUN),
        )

    def summary(self) -> RunSummary:
        """The run's list fields."""
        fields = {name: getattr(self, name) for name in _SUMMARY}
        return RunSummary(**fields)

    def to_api(self) -> dict[str, Any]:
        body = {
            **self.summary().to_api(),
            "close_code": self.close_code,
            "close_reason": self.close_reason,
            "config": dict(self.config),
        }
        return _with_extra(body, self.extra)


@dataclass(frozen=True)
class RunEvent:
    """One entry of a realtime run's problem log; ``detail``'s keys depend on ``kind``."""

    seq: int
    at: datetime
    kind: str
    detail: Mapping[str, Any] | None
    extra: Mapping[str, Any] | None = field(default=None, repr=False)

    @classmethod
    def from_api(cls, data: Any, path: str = "event") -> RunEvent:
        data = _object(data, path)
        detail = data.get("detail")
        return cls(
            seq=_int(data, "seq", path),
            at=_time(data, "at", path),
            kind=_str(data, "kind", path),
            detail=None if detail is None else dict(_object(detail, f"{path}.detail")),
            extra=_extra(data, ("seq", "at", "kind", "detail")),
        )

    def to_api(self) -> dict[str, Any]:
        body = {
            "seq": self.seq,
            "at": format_rfc3339(self.at),
            "kind": self.kind,
            "detail": None if self.detail is None else dict(self.detail),
        }
        return _with_extra(body, self.extra)


@dataclass(frozen=True)
class RunsPage:
    """One page of runs, newest first; ``next_cursor`` is None on the last page."""

    runs: tuple[RunSummary, ...]
    next_cursor: str | None
    extra: Mapping[str, Any] | None = field(default=None, repr=False)

    @classmethod
    def from_api(cls, data: Any, path: str = "page") -> RunsPage:
        data = _object(data, path)
        return cls(
            _list(data, "runs", path, RunSummary.from_api),
            _str(data, "next_cursor", path, optional=True),
            _extra(data, ("runs", "next_cursor")),
        )

    def to_api(self) -> dict[str, Any]:
        body: dict[str, Any] = {"runs": [run.to_api() for run in self.runs]}
        if self.next_cursor is not None:
            body["next_cursor"] = self.next_cursor
        return _with_extra(body, self.extra)


_EVENTS_PAGE = ("events", "at_cap", "capped_kinds", "gaps", "next_cursor")


@dataclass(frozen=True)
class RunEventsPage:
    """One page of a run's events in ``seq`` order.

    ``at_cap``/``capped_kinds``: kinds that used up their per-run logging cap; ``gaps``: entries numbered but
    never stored; ``next_cursor`` is None on the last page.
    """

    events: tuple[RunEvent, ...]
    at_cap: bool
    capped_kinds: tuple[str, ...]
    gaps: bool
    next_cursor: str | None
    extra: Mapping[str, Any] | None = field(default=None, repr=False)

    @classmethod
    def from_api(cls, data: Any, path: str = "page") -> RunEventsPage:
        data = _object(data, path)
        return cls(
            events=_list(data, "events", path, RunEvent.from_api),
            at_cap=_bool(data, "at_cap", path),
            capped_kinds=_list(data, "capped_kinds", path, _kind),
            gaps=_bool(data, "gaps", path),
            next_cursor=_str(data, "next_cursor", path, optional=True),
            extra=_extra(data, _EVENTS_PAGE),
        )

    def to_api(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "events": [event.to_api() for event in self.events],
            "at_cap": self.at_cap,
            "capped_kinds": list(self.capped_kinds),
            "gaps": self.gaps,
        }
        if self.next_cursor is not None:
            body["next_cursor"] = self.next_cursor
        return _with_extra(body, self.extra)


def _kind(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise _bad(path, "a string", value)
    return value
