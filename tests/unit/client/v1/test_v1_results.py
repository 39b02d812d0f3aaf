"""Parsing of every documented v1 response shape, extras kept, and errors naming the bad field."""

from __future__ import annotations

import copy
import re
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from airflow_provider_hume.client.errors import HumeError
from airflow_provider_hume.client.v1 import (
    AudioFileResult,
    ImageFileResult,
    Run,
    RunEventsPage,
    RunsPage,
    RunSummary,
    Score,
)
from tests.unit.client.v1 import samples


def test_audio_result_fields() -> None:
    result = AudioFileResult.from_api(samples.audio_response())
    assert result.run_id == samples.RUN_ID
    assert result.request_id == "3f9a1c07e2b84d56a0c7e19b5d2f8a64"
    assert result.audio_duration_ms == 26000
    assert [(u.utterance_id, u.audio_start_ms, u.audio_end_ms) for u in result.utterances] == [(0, 98, 26000)]
    first, last = result.measurements
    assert (first.measurement_id, first.utterance_id, first.audio_start_ms, first.audio_end_ms) == (
        0,
        0,
        98,
        3098,
    )
    assert first.trigger == "interval"
    assert first.expressions == (Score("interest", 0.6231), Score("amusement", 0.4187))
    assert first.voice_attributes[0] == Score("clear", 0.9612)
    assert last.trigger == "speech_ended"
    assert last.expressions == ()
    assert last.voice_attributes == ()


def test_image_result_fields() -> None:
    result = ImageFileResult.from_api(samples.image_response())
    assert result.frames_received == 2
    assert result.face_state == "opaque-state"
    frame, empty = result.measurements
    measured, unmeasured = frame.faces
    assert measured.face_id == 0
    assert measured.bbox == (10.0, 20.0, 110.5, 140.0)
    assert measured.confidence == 0.9871
    assert measured.expressions == (Score("surprise (positive)", 0.7124),)
    assert measured.descriptions == (Score("smile", 0.8419),)
    assert (unmeasured.face_id, unmeasured.expressions, unmeasured.descriptions) == (None, None, None)
    assert empty.frame_id == 1
    assert empty.faces == ()


def test_image_result_without_face_state() -> None:
    body = samples.image_response(face_state=None)
    result = ImageFileResult.from_api(body)
    assert result.face_state is None
    assert result.to_api() == body


def test_run_summary_and_run() -> None:
    summary = RunSummary.from_api(samples.run_summary())
    assert summary.started_at == datetime(2026, 12, 1, 10, 0, 0, 123456, tzinfo=timezone.utc)
    assert summary.ended_at == datetime(2026, 12, 1, 10, 0, 3, tzinfo=timezone.utc)
    assert (summary.status, summary.endpoint, summary.mode) == ("ended", "audio", "file")
    assert (summary.bytes_received, summary.bytes_recorded, summary.metered_seconds) == (832044, None, 26.0)
    run = Run.from_api(samples.run(close_code=1000, close_reason="client_request"))
    assert run.config["schema"] == "v4"
    assert (run.close_code, run.close_reason) == (1000, "client_request")
    assert run.summary() == summary


def test_live_run_has_no_end() -> None:
    summary = RunSummary.from_api(samples.run_summary(status="live", ended_at=None, bytes_received=None))
    assert summary.ended_at is None
    assert summary.bytes_received is None


def test_runs_page_next_cursor_absent_on_last_page() -> None:
    page = RunsPage.from_api({"runs": [samples.run_summary()], "next_cursor": "abc"})
    assert page.next_cursor == "abc"
    assert len(page.runs) == 1
    last = RunsPage.from_api({"runs": []})
    assert last.next_cursor is None
    assert last.runs == ()
    assert last.to_api() == {"runs": []}


def test_events_page() -> None:
    page = RunEventsPage.from_api(samples.events_page())
    first, second = page.events
    assert (first.seq, first.kind, first.detail) == (1, "rate_limited", None)
    assert second.at == datetime(2026, 12, 1, 9, 0, 2, tzinfo=timezone.utc)
    assert second.at.utcoffset() == timedelta(hours=1)
    assert second.detail == {"detail": "odd byte count"}
    assert (page.at_cap, page.capped_kinds, page.gaps, page.next_cursor) == (
        True,
        ("rate_limited",),
        False,
        "c2",
    )


@pytest.mark.parametrize(
    ("cls", "body"),
    [
        (AudioFileResult, samples.audio_response()),
        (ImageFileResult, samples.image_response()),
        (RunSummary, samples.run_summary(started_at="2026-12-01T10:00:00Z")),
        (Run, samples.run(started_at="2026-12-01T10:00:00Z", close_code=1011, close_reason="error")),
        (RunEventsPage, samples.events_page(events=[])),
        (RunsPage, {"runs": [samples.run_summary(started_at="2026-12-01T10:00:00Z")], "next_cursor": "n"}),
    ],
    ids=["audio", "image", "summary", "run", "events", "runs"],
)
def test_to_api_gives_the_body_back(cls: Any, body: dict[str, Any]) -> None:
    assert cls.from_api(copy.deepcopy(body)).to_api() == body


def test_unknown_fields_are_kept_at_every_level() -> None:
    body = samples.audio_response()
    body["new_top"] = {"x": 1}
    body["received"]["frames"] = 7
    body["utterances"][0]["speaker"] = "a"
    body["measurements"][0]["window"] = 10000
    body["measurements"][0]["expressions"][0]["raw"] = 1.5
    result = AudioFileResult.from_api(copy.deepcopy(body))
    assert result.extra == {"new_top": {"x": 1}, "received": {"frames": 7}}
    assert result.to_api() == body
    image = samples.image_response()
    image["measurements"][0]["faces"][0]["landmarks"] = []
    image["measurements"][1]["blurred"] = True
    assert ImageFileResult.from_api(copy.deepcopy(image)).to_api() == image


def test_nanosecond_times_are_read() -> None:
    summary = RunSummary.from_api(samples.run_summary(started_at="2026-12-01T10:00:00.123456789Z"))
    assert summary.started_at.microsecond == 123456


@pytest.mark.parametrize(
    ("cls", "body", "path"),
    [
        (AudioFileResult, {**samples.audio_response(), "run_id": None}, "response.run_id"),
        (
            AudioFileResult,
            {**samples.audio_response(), "received": {}},
            "response.received.audio_duration_ms",
        ),
        (AudioFileResult, {**samples.audio_response(), "utterances": {}}, "response.utterances"),
        (ImageFileResult, {**samples.image_response(), "received": None}, "response.received"),
        (RunSummary, samples.run_summary(started_at="2026-12-01T10:00:00"), "run.started_at"),
        (RunSummary, samples.run_summary(started_at="yesterday"), "run.started_at"),
        (RunSummary, samples.run_summary(metered_seconds=True), "run.metered_seconds"),
        (Run, {**samples.run(), "config": None}, "run.config"),
        (RunEventsPage, samples.events_page(gaps="no"), "page.gaps"),
        (RunEventsPage, samples.events_page(capped_kinds=[1]), "page.capped_kinds[0]"),
        (RunsPage, [], "page"),
    ],
)
def test_malformed_bodies_name_the_field(cls: Any, body: Any, path: str) -> None:
    with pytest.raises(HumeError, match=f"unexpected {re.escape(path)}:"):
        cls.from_api(body)


def test_bad_nested_field_path() -> None:
    body = samples.audio_response()
    body["measurements"][1]["expressions"] = [{"name": "joy", "probability": "high"}]
    with pytest.raises(HumeError, match=r"response\.measurements\[1\]\.expressions\[0\]\.probability"):
        AudioFileResult.from_api(body)
    image = samples.image_response()
    image["measurements"][0]["faces"][0]["bbox"] = [1, 2, 3]
    with pytest.raises(HumeError, match=r"response\.measurements\[0\]\.faces\[0\]\.bbox"):
        ImageFileResult.from_api(image)
