"""HumeV1Client against a scripted loopback server: retries, the upload rule, errors and the key.

Uploads are sent again only when the request provably never reached the server, or the answer is a refusal
before measuring (429, 503 server_busy); every other unclear outcome raises HumeUploadOutcomeUnknownError.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from airflow_provider_hume.client.errors import (
    HumeAuthError,
    HumeConnectionError,
    HumeError,
    HumeServerError,
)
from airflow_provider_hume.client.retry import RetryPolicy
from airflow_provider_hume.client.v1 import (
    AUDIO_WAV,
    IMAGE_JPEG,
    AudioFileConfig,
    FaceConfig,
    HumeMediaError,
    HumeNotServingV1Error,
    HumeUploadOutcomeUnknownError,
    HumeV1Client,
    ImageFileConfig,
    MediaPart,
)
from tests.unit.client.v1 import samples

NOW = 1_764_583_200.0  # 2025-12-01T10:00:00Z
AUDIO = b"RIFF" + bytes(range(256)) * 64


@pytest.fixture
def client(server: Any, api_key: str, sleeps: list[float]) -> Iterator[HumeV1Client]:
    with HumeV1Client(
        api_key, server.url, retry=RetryPolicy(max_retries=3), sleep=sleeps.append, clock=lambda: NOW
    ) as hume:
        yield hume


def audio_part(data: bytes = AUDIO) -> MediaPart:
    return MediaPart("call.wav", len(data), AUDIO_WAV, lambda: io.BytesIO(data))


def query(received: Any) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(received.target).query)


def test_audio_upload_sends_the_streamed_parts(client: HumeV1Client, server: Any, api_key: str) -> None:
    server.reply(200, samples.audio_response())
    result = client.measure_audio(audio_part(), AudioFileConfig(4000))
    assert result.run_id == samples.RUN_ID
    (request,) = server.received
    assert (request.method, urlsplit(request.target).path) == ("POST", "/v1/expression/audio/file")
    assert request.headers["X-Hume-Api-Key"] == api_key
    assert api_key not in request.target
    assert request.headers["Content-Length"] == str(len(request.body))
    file_part, config_part = request.multipart()
    assert (file_part.get_filename(), file_part.get_content_type()) == ("call.wav", AUDIO_WAV)
    assert file_part.get_payload(decode=True) == AUDIO
    assert json.loads(config_part.get_payload(decode=True)) == {"measurement_timer_ms": 4000}
    assert config_part.get_content_type() == "application/json"


def test_image_upload_repeats_the_file_field(client: HumeV1Client, server: Any) -> None:
    server.reply(200, samples.image_response())
    jpegs = [b"\xff\xd8one\xff\xd9", b"\xff\xd8two\xff\xd9"]
    parts = [
        MediaPart(f"{i}.jpg", len(d), IMAGE_JPEG, lambda d=d: io.BytesIO(d)) for i, d in enumerate(jpegs)
    ]
    result = client.measure_images(
        parts, ImageFileConfig(FaceConfig(return_face_state=True), face_state="s0")
    )
    assert result.face_state == "opaque-state"
    (request,) = server.received
    assert urlsplit(request.target).path == "/v1/expression/video/file"
    *files, config = request.multipart()
    assert [f.get_payload(decode=True) for f in files] == jpegs
    assert {f.get_param("name", header="content-disposition") for f in files} == {"file"}
    assert json.loads(config.get_payload(decode=True))["face_state"] == "s0"


@pytest.mark.parametrize(
    "reply",
    [
        {"status": 502, "body": {"message": "Bad Gateway"}},
        {"status": 504, "body": "<html>Gateway Timeout</html>"},
        {"status": 503, "body": "Service Unavailable"},
        {"drop": True},
    ],
    ids=["502", "504", "503-without-code", "dropped"],
)
def test_an_upload_with_an_unknown_outcome_is_not_sent_again(
    client: HumeV1Client, server: Any, sleeps: list[float], reply: dict[str, Any]
) -> None:
    server.reply(**reply)
    server.reply(200, samples.audio_response())
    with pytest.raises(HumeUploadOutcomeUnknownError) as raised:
        client.measure_audio(audio_part())
    assert len(server.received) == 1
    assert sleeps == []
    error = raised.value
    assert error.started_after == datetime.fromtimestamp(NOW, timezone.utc)
    assert (error.endpoint, error.media_bytes) == ("audio", len(AUDIO))
    assert "find_upload_runs('audio'" in str(error)
    assert isinstance(error, HumeConnectionError)


def test_an_upload_read_timeout_has_an_unknown_outcome(
    server: Any, api_key: str, sleeps: list[float]
) -> None:
    server.reply(hang=True)
    client = HumeV1Client(api_key, server.url, upload_timeout=0.3, sleep=sleeps.append)
    with client, pytest.raises(HumeUploadOutcomeUnknownError, match="ReadTimeout"):
        client.measure_audio(audio_part())
    assert len(server.received) == 1


@pytest.mark.parametrize(
    ("status", "body", "headers"),
    [
        (429, {"message": "API rate limit exceeded"}, {"Retry-After": "3"}),
        (503, samples.error_body("server_busy"), {"Retry-After": "3"}),
    ],
    ids=["429", "server_busy"],
)
def test_an_upload_refused_before_measuring_is_sent_again(
    client: HumeV1Client,
    server: Any,
    sleeps: list[float],
    status: int,
    body: dict[str, Any],
    headers: dict[str, str],
) -> None:
    server.reply(status, body, headers)
    server.reply(200, samples.audio_response())
    assert client.measure_audio(audio_part()).run_id == samples.RUN_ID
    assert sleeps == [3.0]
    assert len(server.received) == 2
    for request in server.received:
        assert request.multipart()[0].get_payload(decode=True) == AUDIO


def test_upload_refusals_stop_at_max_retries(client: HumeV1Client, server: Any, sleeps: list[float]) -> None:
    for _ in range(4):
        server.reply(503, samples.error_body("server_busy"))
    with pytest.raises(HumeServerError, match="server_busy") as raised:
        client.measure_audio(audio_part())
    assert raised.value.code == "server_busy"
    assert len(server.received) == 4
    assert len(sleeps) == 3


@pytest.mark.parametrize(
    ("status", "code", "kind"),
    [(500, "internal_error", HumeServerError), (400, "audio_decode_failed", HumeMediaError)],
)
def test_an_upload_failed_by_hume_is_raised_as_mapped(
    client: HumeV1Client, server: Any, sleeps: list[float], status: int, code: str, kind: type[HumeError]
) -> None:
    server.reply(status, samples.error_body(code, request_id="rq-7"))
    with pytest.raises(kind) as raised:
        client.measure_audio(audio_part())
    assert not isinstance(raised.value, HumeUploadOutcomeUnknownError)
    assert (raised.value.code, raised.value.request_id) == (code, "rq-7")
    assert len(server.received) == 1
    assert sleeps == []


def test_an_upload_is_retried_when_the_connection_is_refused(
    closed_port_url: str, api_key: str, sleeps: list[float]
) -> None:
    opened: list[int] = []

    def opener() -> io.BytesIO:
        opened.append(1)
        return io.BytesIO(AUDIO)

    part = MediaPart("call.wav", len(AUDIO), AUDIO_WAV, opener)
    with (
        HumeV1Client(
            api_key, closed_port_url, retry=RetryPolicy(max_retries=2), sleep=sleeps.append
        ) as client,
        pytest.raises(HumeConnectionError, match="after 3 attempt") as raised,
    ):
        client.measure_audio(part)
    assert not isinstance(raised.value, HumeUploadOutcomeUnknownError)
    assert len(sleeps) == 2
    assert len(opened) == 3


def test_a_part_that_fails_to_read_is_not_an_unknown_outcome(
    client: HumeV1Client, server: Any, sleeps: list[float]
) -> None:
    class Broken(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            if self.tell() >= 1000:
                raise OSError("S3 stream reset")
            return super().read(1000 if size is None or size < 0 else min(size, 1000))

    data = b"x" * 100_000
    part = MediaPart("s3.wav", len(data), AUDIO_WAV, lambda: Broken(data))
    server.reply(200, samples.audio_response())
    with pytest.raises(
        HumeError, match=r"Reading the media to upload \(s3.wav\) failed.*S3 stream reset"
    ) as raised:
        client.measure_audio(part)
    assert not isinstance(raised.value, HumeUploadOutcomeUnknownError)
    assert sleeps == []


def test_get_retries_5xx_429_and_drops_with_retry_after(
    client: HumeV1Client, server: Any, sleeps: list[float]
) -> None:
    server.reply(502, "<html>bad gateway</html>")
    server.reply(429, {"message": "API rate limit exceeded"}, {"Retry-After": "2"})
    server.reply(drop=True)
    server.reply(200, {"runs": [samples.run_summary()]})
    page = client.list_runs()
    assert page.runs[0].run_id == samples.RUN_ID
    assert page.next_cursor is None
    assert len(server.received) == 4
    assert len(sleeps) == 3
    assert sleeps[1] == 2.0


def test_get_read_timeout_is_retried(server: Any, api_key: str, sleeps: list[float]) -> None:
    server.reply(hang=True)
    server.reply(200, samples.run())
    with HumeV1Client(api_key, server.url, timeout=0.3, sleep=sleeps.append) as client:
        assert client.get_run(samples.RUN_ID).config["schema"] == "v4"
    assert len(sleeps) == 1


def test_get_gives_up_after_max_retries(client: HumeV1Client, server: Any, sleeps: list[float]) -> None:
    for _ in range(4):
        server.reply(503, samples.error_body("server_busy"))
    with pytest.raises(HumeServerError, match="server_busy"):
        client.get_run("r1")
    assert len(sleeps) == 3


def test_get_connection_refused_is_retried(closed_port_url: str, api_key: str, sleeps: list[float]) -> None:
    with (
        HumeV1Client(
            api_key, closed_port_url, retry=RetryPolicy(max_retries=2), sleep=sleeps.append
        ) as client,
        pytest.raises(HumeConnectionError, match="after 3 attempt"),
    ):
        client.check_connection()
    assert len(sleeps) == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_get_client_errors_are_final(
    client: HumeV1Client, server: Any, sleeps: list[float], status: int
) -> None:
    server.reply(status, samples.error_body("not_found" if status == 404 else "invalid_request"))
    with pytest.raises(HumeError):
        client.get_run("r1")
    assert sleeps == []


def test_iter_runs_follows_next_cursor(client: HumeV1Client, server: Any) -> None:
    first, second, third = (samples.run_summary(run_id=f"r{i}") for i in range(3))
    server.reply(200, {"runs": [first, second], "next_cursor": "c1"})
    server.reply(200, {"runs": [third], "next_cursor": "c2"})
    server.reply(200, {"runs": []})
    runs = list(
        client.iter_runs(page_size=2, mode="file", started_after=datetime(2026, 12, 1, tzinfo=timezone.utc))
    )
    assert [run.run_id for run in runs] == ["r0", "r1", "r2"]
    queries = [query(request) for request in server.received]
    filters = [("page_size", "2"), ("mode", "file"), ("started_after", "2026-12-01T00:00:00Z")]
    assert queries[0] == filters
    assert sorted(queries[1]) == sorted([*filters, ("cursor", "c1")])
    assert sorted(queries[2]) == sorted([*filters, ("cursor", "c2")])


def test_iter_runs_stops_on_a_repeated_cursor(client: HumeV1Client, server: Any) -> None:
    server.reply(200, {"runs": [], "next_cursor": "same"})
    server.reply(200, {"runs": [], "next_cursor": "same"})
    with pytest.raises(HumeError, match="cursor same twice"):
        list(client.iter_runs())


def test_iter_run_events(client: HumeV1Client, server: Any) -> None:
    server.reply(200, samples.events_page())
    server.reply(200, samples.events_page(events=[], next_cursor=None))
    events = list(client.iter_run_events("r 1", page_size=10))
    assert [event.seq for event in events] == [1, 2]
    assert urlsplit(server.received[0].target).path == "/v1/expression/run/r%201/events"
    assert query(server.received[1]) == [("page_size", "10"), ("cursor", "c2")]


def test_check_connection_asks_for_one_run(client: HumeV1Client, server: Any) -> None:
    server.reply(200, {"runs": []})
    client.check_connection()
    (request,) = server.received
    assert (request.method, urlsplit(request.target).path) == ("GET", "/v1/expression/run")
    assert query(request) == [("page_size", "1")]


def test_check_connection_against_a_server_without_v1(client: HumeV1Client, server: Any) -> None:
    server.reply(404, {"detail": "Not Found"})
    with pytest.raises(HumeNotServingV1Error, match=f"The server at {client.base_url} does not serve"):
        client.check_connection()


def test_find_upload_runs_filters_and_matches_bytes(client: HumeV1Client, server: Any) -> None:
    server.reply(
        200,
        {
            "runs": [
                samples.run_summary(run_id="same-size", bytes_received=100),
                samples.run_summary(run_id="other-size", bytes_received=99),
                samples.run_summary(run_id="not-reported", bytes_received=None, status="live"),
            ]
        },
    )
    started = datetime(2026, 12, 1, 10, 0, 5, tzinfo=timezone.utc)
    found = client.find_upload_runs("audio", started, bytes_received=100)
    assert [run.run_id for run in found] == ["same-size", "not-reported"]
    assert query(server.received[0]) == [
        ("page_size", "50"),
        ("mode", "file"),
        ("endpoint", "audio"),
        ("started_after", "2026-12-01T10:00:00Z"),
    ]


def test_redirects_are_refused(client: HumeV1Client, server: Any, api_key: str) -> None:
    server.reply(302, b"", {"Location": f"https://elsewhere.invalid/?k={api_key}"})
    with pytest.raises(HumeError, match="redirects are not followed") as raised:
        client.list_runs()
    assert api_key not in str(raised.value)


@pytest.mark.parametrize("status", [400, 401, 404, 429, 500, 502])
@pytest.mark.parametrize("shape", ["v1", "gateway", "html-cut"])
@pytest.mark.parametrize("call", ["get", "upload"])
def test_an_echoed_key_never_reaches_an_error(
    server: Any, api_key: str, status: int, shape: str, call: str
) -> None:
    body: Any = {
        "v1": samples.error_body("config_invalid", message=f"bad key {api_key}"),
        "gateway": {"message": f"bad key {api_key}"},
        "html-cut": f"<html>{'x' * 495}{api_key}</html>",
    }[shape]
    server.reply(status, body)
    client = HumeV1Client(api_key, server.url, retry=RetryPolicy(max_retries=0))
    with client, pytest.raises(HumeError) as raised:
        client.get_run("r1") if call == "get" else client.measure_audio(audio_part())
    error = raised.value
    for text in (str(error), repr(error), *map(str, error.args), str(error.__cause__)):
        assert api_key not in text
        assert api_key[:16] not in text


def test_a_200_that_is_not_json_on_upload_is_an_unknown_outcome(client: HumeV1Client, server: Any) -> None:
    server.reply(200, b"<html>proxy login</html>")
    with pytest.raises(HumeUploadOutcomeUnknownError, match="not JSON"):
        client.measure_audio(audio_part())


def test_auth_error_is_not_retried(client: HumeV1Client, server: Any, sleeps: list[float]) -> None:
    server.reply(401, {"message": "Invalid API key", "request_id": "r401"})
    with pytest.raises(HumeAuthError) as raised:
        client.measure_audio(audio_part())
    assert raised.value.request_id == "r401"
    assert sleeps == []


def test_the_key_is_never_logged(
    client: HumeV1Client, server: Any, api_key: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server.reply(429, {"message": f"slow down {api_key}"})
    server.reply(502, {"message": f"upstream said {api_key}"})
    server.reply(503, {"message": f"busy {api_key}"})
    server.reply(200, {"runs": []})
    client.list_runs(user_id="u1")
    server.reply(502, {"message": f"bad gateway {api_key}"})
    with pytest.raises(HumeUploadOutcomeUnknownError):
        client.measure_audio(audio_part())
    assert "retrying" in caplog.text
    assert "Hume upload: sending 1 file(s)" in caplog.text
    assert api_key not in caplog.text
