"""A stream's summary (hume-api-v1.md §7.1 ``session.closed``): runs, totals, problems, completeness."""

from __future__ import annotations

from airflow_provider_hume.client.v1.realtime.summary import SessionSummary, StreamSummary


def session(run_id: str, reason: str | None, problems: tuple[str, ...] = (), lost: int = 0) -> SessionSummary:
    return SessionSummary(
        run_id=run_id,
        closed_reason=reason,
        close_code=1000,
        received={"frames": 3} if reason else None,
        produced={"measurements": 4} if reason else None,
        frames_sent=4,
        results=3,
        errors={"invalid_image_frame": 1},
        unmeasured_audio_ms=lost,
        problems=problems,
    )


def test_a_reconnected_stream() -> None:
    summary = StreamSummary(
        "audio",
        (session("r1", "server_shutdown", ("up to 400 ms lost",), 400), session("r2", "client_request")),
    )
    assert summary.run_ids == ["r1", "r2"]
    assert (summary.reconnects, summary.results, summary.unmeasured_audio_ms) == (1, 6, 400)
    assert summary.problems == ["run r1: up to 400 ms lost"]
    assert not summary.complete
    body = summary.to_api()
    assert body["run_ids"] == ["r1", "r2"]
    assert body["sessions"][0]["errors"] == {"invalid_image_frame": 1}


def test_complete_needs_a_requested_close_and_no_problem() -> None:
    assert StreamSummary("video", (session("r1", "client_request"),)).complete
    assert not StreamSummary("video", (session("r1", None),)).complete
    assert not StreamSummary("video", ()).complete
