"""The scenario's ``http`` part: uploads, run details and listing, typed errors, injected faults."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

import httpx
from hume_expression_measurement import (
    AudioFileConfig,
    AudioFileResponse,
    ExpressionMeasurementClient,
    ExpressionMeasurementClientEnvironment,
    Run,
    RunEventsPage,
    RunsPage,
    VideoFileConfig,
    VideoFileConfigFace,
    VideoFileResponse,
)
from hume_expression_measurement.core.api_error import ApiError
from hume_expression_measurement.errors import (
    BadRequestError,
    ContentTooLargeError,
    InternalServerError,
    NotFoundError,
    ServiceUnavailableError,
    UnauthorizedError,
    UnsupportedMediaTypeError,
)
from scenario_checks import (
    MIN_BILLED_SECONDS,
    Recorder,
    Report,
    check_scores,
    expect_error,
    guarded,
    http_client,
    revalidate,
    revalidate_last,
    wait_for_run,
)

AUDIO_TIMER_MS = 5000


def check_audio_response(response: AudioFileResponse, duration_ms: int, where: str, report: Report) -> None:
    report.check(
        abs(response.received.audio_duration_ms - duration_ms) <= 1,
        f"{where}: received.audio_duration_ms {response.received.audio_duration_ms} != {duration_ms}",
    )
    report.check(bool(response.utterances), f"{where}: no utterance found in speech-like audio")
    report.check(
        [u.utterance_id for u in response.utterances] == list(range(len(response.utterances))),
        f"{where}: utterance ids do not count from 0",
    )
    report.check(
        [m.measurement_id for m in response.measurements] == list(range(len(response.measurements))),
        f"{where}: measurement ids do not count from 0",
    )
    spans = {u.utterance_id: u for u in response.utterances}
    for utterance in response.utterances:
        report.check(
            any(m.utterance_id == utterance.utterance_id for m in response.measurements),
            f"{where}: utterance {utterance.utterance_id} has no measurement",
        )
    for m in response.measurements:
        label = f"{where} measurement {m.measurement_id}"
        span = spans.get(m.utterance_id)
        if span is None:
            report.problems.append(f"{label}: unknown utterance {m.utterance_id}")
            continue
        report.check(m.audio_end_ms - m.audio_start_ms <= 10_000, f"{label}: window longer than 10 s")
        report.check(m.audio_start_ms >= span.audio_start_ms, f"{label}: starts before its utterance")
        check_scores(m.expressions, f"{label} expressions", report)
        check_scores(m.voice_attributes, f"{label} voice_attributes", report)
        report.check(
            all(score.probability >= 0.725 for score in m.voice_attributes),
            f"{label}: a voice attribute under the 0.725 cutoff",
        )


def check_video_response(response: VideoFileResponse, frames: int, where: str, report: Report) -> list[Any]:
    report.check(response.received.frames == frames, f"{where}: received.frames {response.received.frames}")
    report.check(
        [m.frame_id for m in response.measurements] == list(range(frames)),
        f"{where}: frame ids are not 0..{frames - 1}",
    )
    for measurement in response.measurements:
        label = f"{where} frame {measurement.frame_id}"
        measured = [face for face in measurement.faces if face.face_id is not None]
        report.check(len(measured) <= 2, f"{label}: more than 2 faces measured by default")
        report.check(len(measurement.faces) <= 32, f"{label}: more than 32 faces listed")
        report.check(
            measurement.faces[: len(measured)] == measured, f"{label}: measured faces are not listed first"
        )
        areas = [(f.bbox[2] - f.bbox[0]) * (f.bbox[3] - f.bbox[1]) for f in measured]
        report.check(areas == sorted(areas, reverse=True), f"{label}: measured faces not largest first")
        for face in measurement.faces:
            report.check(len(face.bbox) == 4, f"{label}: bbox is not [x0, y0, x1, y1]")
            report.check(
                (face.expressions is None) == (face.face_id is None) == (face.descriptions is None),
                f"{label}: face_id, expressions and descriptions are not null together",
            )
            if face.expressions is not None and face.descriptions is not None:
                check_scores(face.expressions, f"{label} expressions", report)
                check_scores(face.descriptions, f"{label} descriptions", report)
                report.check(
                    all(score.probability > 0.1 for score in face.expressions)
                    and all(score.probability > 0.1 for score in face.descriptions),
                    f"{label}: a score at or under the 0.1 cutoff",
                )
    return [[face.face_id for face in m.faces if face.face_id is not None] for m in response.measurements]


def check_run(run: Run, expected: dict[str, Any], metered: float, where: str, report: Report) -> None:
    for name, value in expected.items():
        report.check(
            getattr(run, name) == value, f"{where}: {name} {getattr(run, name)!r}, expected {value!r}"
        )
    report.check(
        abs(run.metered_seconds - metered) < 0.01,
        f"{where}: metered_seconds {run.metered_seconds}, expected {metered}",
    )
    report.check(run.ended_at is not None, f"{where}: ended_at is null on an ended run")
    report.check(run.bytes_received is not None, f"{where}: bytes_received is null on an ended run")
    report.check(run.config.schema_ == "v4", f"{where}: config schema {run.config.schema_!r}")


#: run_id -> (endpoint, measurement_timer_ms or None, seconds of media) for each upload of the scenario.
Uploads = dict[str, tuple[str, int | None, float]]


def audio_uploads(
    client: ExpressionMeasurementClient, recorder: Recorder, report: Report, media: Path, ours: Uploads
) -> None:
    wav = media / "speech.wav"
    pcm = media / "speech.pcm"
    duration_ms = (pcm.stat().st_size // 2) * 1000 // 16000
    config = AudioFileConfig(measurement_timer_ms=AUDIO_TIMER_MS)

    with wav.open("rb") as handle:
        from_wav = client.audio.measure(file=("speech.wav", handle, "audio/wav"), config=config)
    revalidate_last(recorder, AudioFileResponse, report)
    check_audio_response(from_wav, duration_ms, "audio/file WAV", report)
    with pcm.open("rb") as handle:
        from_pcm = client.audio.measure(
            file=("speech.pcm", handle, "application/octet-stream"), config=config
        )
    revalidate_last(recorder, AudioFileResponse, report)
    check_audio_response(from_pcm, duration_ms, "audio/file PCM", report)
    report.check(
        [u.model_dump() for u in from_wav.utterances] == [u.model_dump() for u in from_pcm.utterances],
        "audio/file: the same samples as WAV and as raw PCM give different utterances",
    )
    intervals = [m for m in from_wav.measurements if m.trigger == "interval"]
    report.check(
        all(
            (m.audio_end_ms - from_wav.utterances[m.utterance_id].audio_start_ms) % AUDIO_TIMER_MS == 0
            for m in intervals
        ),
        f"audio/file: interval measurements are not every {AUDIO_TIMER_MS} ms of speech",
    )
    report.facts["audio_file"] = {
        "utterances": [[u.audio_start_ms, u.audio_end_ms] for u in from_wav.utterances],
        "measurements": [[m.audio_start_ms, m.audio_end_ms, m.trigger] for m in from_wav.measurements],
    }
    for response in (from_wav, from_pcm):
        report.check(response.run_id not in ours, f"audio/file: run_id {response.run_id} used twice")
        ours[response.run_id] = ("audio", AUDIO_TIMER_MS, duration_ms / 1000)


def image_uploads(
    client: ExpressionMeasurementClient, recorder: Recorder, report: Report, media: Path, ours: Uploads
) -> None:
    jpegs = sorted(media.glob("face_*.jpg"))
    parts: list[Any] = [(path.name, path.read_bytes(), "image/jpeg") for path in jpegs]
    face = VideoFileConfigFace(threshold=0.5, min_size=20, return_face_state=True)
    first = client.video.measure(file=parts, config=VideoFileConfig(face=face))
    revalidate_last(recorder, VideoFileResponse, report)
    first_ids = check_video_response(first, len(parts), "video/file first", report)
    report.check(bool(first.face_state), "video/file: no face_state although return_face_state was set")
    expected = json.loads((media / "faces_listed.json").read_text())
    listed = [[face.face_id is not None for face in m.faces] for m in first.measurements]
    report.check(listed == expected, f"video/file: faces listed (measured?) {listed}, expected {expected}")
    report.check(any(first_ids), "video/file: no face measured in the face images")
    second = client.video.measure(file=parts, config=VideoFileConfig(face=face, face_state=first.face_state))
    revalidate_last(recorder, VideoFileResponse, report)
    second_ids = check_video_response(second, len(parts), "video/file second", report)
    report.check(
        second_ids == first_ids,
        f"video/file: the same images with the face_state got face ids {second_ids}, first {first_ids}",
    )
    plain = client.video.measure(file=parts[:1])
    revalidate_last(recorder, VideoFileResponse, report)
    check_video_response(plain, 1, "video/file default config", report)
    report.check(plain.face_state is None, "video/file: face_state returned without return_face_state")
    report.facts["video_file_face_ids"] = first_ids
    for response, images in ((first, len(parts)), (second, len(parts)), (plain, 1)):
        report.check(response.run_id not in ours, f"video/file: run_id {response.run_id} used twice")
        ours[response.run_id] = ("video", None, images / 3)


def run_details(
    client: ExpressionMeasurementClient, recorder: Recorder, report: Report, ours: Uploads
) -> None:
    for run_id, (endpoint, timer, seconds) in ours.items():
        where = f"runs.get {endpoint} {run_id}"
        try:
            run = wait_for_run(client, run_id)
        except ApiError as error:
            report.problems.append(f"{where}: {type(error).__name__} {error.status_code} {error.body}")
            continue
        revalidate_last(recorder, Run, report)
        expected = {"run_id": run_id, "endpoint": endpoint, "mode": "file", "status": "ended"}
        check_run(run, expected, max(seconds, MIN_BILLED_SECONDS), where, report)
        if timer is not None:
            report.check(
                getattr(run.config, "measurement_timer_ms", None) == timer,
                f"{where}: config timer not {timer}",
            )
        else:
            report.check(getattr(run.config, "face", None) is not None, f"{where}: config has no face")
        events = client.runs.list_events(run_id, page_size=10)
        revalidate_last(recorder, RunEventsPage, report)
        report.check(events.events == [], f"{where}: a file run has events {events.events}")


def run_listing(
    client: ExpressionMeasurementClient,
    recorder: Recorder,
    report: Report,
    ours: Uploads,
    started: dt.datetime,
) -> None:
    listed: list[Any] = []
    cursor = None
    for _ in range(20):
        page = client.runs.list(page_size=2, cursor=cursor, started_after=started)
        revalidate_last(recorder, RunsPage, report)
        report.check(len(page.runs) <= 2, f"runs.list: {len(page.runs)} runs on a page of 2")
        listed += page.runs
        cursor = page.next_cursor
        if cursor is None:
            break
    ids = [run.run_id for run in listed]
    report.check(len(ids) == len(set(ids)), "runs.list: a run repeated across cursor pages")
    report.check(set(ours) <= set(ids), f"runs.list: missing runs {set(ours) - set(ids)}")
    starts = [run.started_at for run in listed]
    report.check(starts == sorted(starts, reverse=True), "runs.list: not newest first")
    report.check(
        "next_cursor" not in json.loads(recorder.last()[3]), "runs.list: next_cursor present on the last page"
    )
    user_id = next((run.user_id for run in listed if run.run_id in ours), None)
    filters: list[dict[str, Any]] = [
        {"endpoint": "audio"},
        {"endpoint": "video", "mode": "file"},
        {"status": "ended", "user_id": user_id},
        {"mode": "realtime"},
    ]
    for query in filters:
        page = client.runs.list(page_size=50, started_after=started, **query)
        revalidate_last(recorder, RunsPage, report)
        for run in page.runs:
            report.check(
                all(getattr(run, name) == value for name, value in query.items()),
                f"runs.list {query}: run {run.run_id} does not match",
            )
        if "endpoint" in query:
            report.check(
                {run_id for run_id, (endpoint, _, _) in ours.items() if endpoint == query["endpoint"]}
                <= {run.run_id for run in page.runs},
                f"runs.list {query}: a matching run is missing",
            )
    newest = max(starts) if starts else started
    before = client.runs.list(started_after=started, started_before=started)
    revalidate_last(recorder, RunsPage, report)
    report.check(before.runs == [], "runs.list: started_before == started_after is not empty")
    after = client.runs.list(started_after=newest)
    revalidate_last(recorder, RunsPage, report)
    report.check(
        any(run.started_at == newest for run in after.runs), "runs.list: started_after is not inclusive"
    )
    report.facts["runs_listed"] = len(ids)


def errors_part(
    client: ExpressionMeasurementClient, base_url: str, recorder: Recorder, report: Report, media: Path
) -> None:
    mp3 = media / "clip.mp3"
    expect_error(
        lambda: client.audio.measure(file=("clip.mp3", mp3.read_bytes(), "audio/mpeg")),
        UnsupportedMediaTypeError,
        "unsupported_media_type",
        recorder,
        "audio/file MP3",
        report,
    )
    wav = (media / "speech.wav").read_bytes()
    expect_error(
        lambda: client.audio.measure(
            file=("s.wav", wav, "audio/wav"), config=AudioFileConfig(measurement_timer_ms=100)
        ),
        BadRequestError,
        "config_invalid",
        recorder,
        "audio/file measurement_timer_ms=100",
        report,
    )
    expect_error(
        lambda: client.audio.measure(file=("odd.pcm", b"\x00\x01\x02", "application/octet-stream")),
        BadRequestError,
        "audio_decode_failed",
        recorder,
        "audio/file odd byte count",
        report,
    )
    png = (media / "not_jpeg.png").read_bytes()
    expect_error(
        lambda: client.video.measure(file=[("x.png", png, "image/jpeg")]),
        UnsupportedMediaTypeError,
        "unsupported_media_type",
        recorder,
        "video/file PNG",
        report,
    )
    expect_error(
        lambda: client.video.measure(
            file=[("f.jpg", (media / "face_0.jpg").read_bytes(), "image/jpeg")],
            config=VideoFileConfig(face=VideoFileConfigFace(threshold=1.5)),
        ),
        BadRequestError,
        "config_invalid",
        recorder,
        "video/file threshold=1.5",
        report,
    )
    expect_error(
        lambda: client.audio.measure(file=("long.pcm", bytes(25_000_002), "application/octet-stream")),
        ContentTooLargeError,
        "audio_too_long",
        recorder,
        "audio/file over 25 MB",
        report,
    )
    huge = (media / "huge.jpg").read_bytes()
    expect_error(
        lambda: client.video.measure(file=[("huge.jpg", huge, "image/jpeg")]),
        ContentTooLargeError,
        "image_too_large",
        recorder,
        "video/file over 8,294,400 px",
        report,
    )
    missing = str(uuid.uuid4())
    expect_error(
        lambda: client.runs.get(missing), NotFoundError, "not_found", recorder, "runs.get unknown", report
    )
    expect_error(
        lambda: client.runs.get("not-a-uuid"),
        NotFoundError,
        "not_found",
        recorder,
        "runs.get non-UUID",
        report,
    )
    expect_error(
        lambda: client.runs.list_events(missing),
        NotFoundError,
        "not_found",
        recorder,
        "list_events unknown",
        report,
    )
    expect_error(
        lambda: client.runs.list(page_size=0),
        BadRequestError,
        "invalid_request",
        recorder,
        "runs.list page_size=0 (≈ invalid_request)",
        report,
    )
    stranger = http_client(base_url, "not-a-valid-key", recorder)
    expect_error(lambda: stranger.runs.list(), UnauthorizedError, None, recorder, "runs.list bad key", report)
    expect_error(
        lambda: stranger.audio.measure(file=("s.wav", wav, "audio/wav")),
        UnauthorizedError,
        None,
        recorder,
        "audio/file bad key",
        report,
    )


def http_main(base_url: str, api_key: str, media: Path, report: Report) -> None:
    recorder = Recorder()
    client = http_client(base_url, api_key, recorder)
    started = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)
    ours: Uploads = {}
    guarded(report, "audio uploads", lambda: audio_uploads(client, recorder, report, media, ours))
    guarded(report, "image uploads", lambda: image_uploads(client, recorder, report, media, ours))
    report.facts["ours"] = sorted(ours)
    guarded(report, "runs.get / list_events", lambda: run_details(client, recorder, report, ours))
    guarded(report, "runs.list", lambda: run_listing(client, recorder, report, ours, started))
    guarded(report, "typed errors", lambda: errors_part(client, base_url, recorder, report, media))
    guarded(report, "failed requests", lambda: failed_runs(client, recorder, report, started))
    guarded(report, "injected faults", lambda: fault_part(base_url, api_key, report))


def fault_part(base_url: str, api_key: str, report: Report) -> None:
    """The emulator's injected faults (its admin API) give bodies the SDK types, and the SDK's retry works."""
    recorder = Recorder()
    client = http_client(base_url, api_key, recorder)
    admin = httpx.Client(base_url=f"{base_url}/_emulator", headers={"X-Hume-Api-Key": api_key}, timeout=10)
    route = {"routes": ["GET /v1/expression/run"]}
    try:
        for status, error_type, code in (
            (500, InternalServerError, "internal_error"),
            (503, ServiceUnavailableError, "server_busy"),
        ):
            admin.put("/faults", json={"error_rate": 1, "error_statuses": [status], "times": 1, **route})
            expect_error(client.runs.list, error_type, code, recorder, f"runs.list injected {status}", report)
        admin.put("/faults", json={"rate_limit": 0.001, **route})
        client.runs.list()
        try:
            client.runs.list()
            report.problems.append("runs.list under rate_limit: the second request was not refused")
        except ApiError as error:
            report.check(error.status_code == 429, f"runs.list under rate_limit: {error.status_code}")
            report.check(bool(error.headers and error.headers.get("retry-after")), "429 without Retry-After")
        admin.put("/faults", json={"error_rate": 1, "error_statuses": [503], "times": 1, **route})
        retrying = ExpressionMeasurementClient(
            api_key=api_key,
            environment=ExpressionMeasurementClientEnvironment(base=base_url, production=base_url),
        )
        answer = retrying.runs.with_raw_response.list().response.text
        revalidate(answer, RunsPage, "runs.list retried", report)
        left = admin.get("/faults").json()["times"]
        report.check(left == 0, f"runs.list retried: the injected 503 was not used ({left} left)")
    finally:
        admin.put("/faults", json={})


def failed_runs(
    client: ExpressionMeasurementClient, recorder: Recorder, report: Report, started: dt.datetime
) -> None:
    """A failed file request is not billed: its run, if it has one, reports 0 (hume-api-v1.md §8)."""
    page = client.runs.list(page_size=50, started_after=started, status="errored", mode="file")
    revalidate_last(recorder, RunsPage, report)
    for run in page.runs:
        report.check(run.metered_seconds == 0, f"errored file run {run.run_id}: billed {run.metered_seconds}")
    report.facts["errored_file_runs"] = sorted(run.endpoint for run in page.runs)
