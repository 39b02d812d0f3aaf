"""HumeV1Client against the emulator's v1 routes, directly and behind the fault proxy.

The fault proxy proves the upload rule end to end: an upload whose answer is lost after the server measured
it is not sent again, and ``find_upload_runs`` then finds the run it created; GETs behind a failing proxy are
retried; an upload refused at connect time is sent again once the server is up.
"""

from __future__ import annotations

import io
import socket
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from airflow_provider_hume.client.errors import HumeAuthError, HumeNotFoundError
from airflow_provider_hume.client.retry import RetryPolicy
from airflow_provider_hume.client.v1 import (
    AUDIO_RAW,
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
from tests.support.fault_proxy import FaultProxy, drop_mid_body, end_early, fault_proxy, status_after_upstream
from tests.support.samples import image_bytes, wav_bytes
from tests.support.samples_audio import mp3_bytes

__all__ = ["fault_proxy"]

AUDIO_PATH = "/v1/expression/audio/file"
RUNS_PATH = "/v1/expression/run"


def part(name: str, data: bytes, content_type: str = AUDIO_WAV) -> MediaPart:
    return MediaPart(name, len(data), content_type, lambda: io.BytesIO(data))


def client_for(url: str, api_key: str, sleeps: list[float], **kwargs: Any) -> HumeV1Client:
    return HumeV1Client(api_key, url, retry=RetryPolicy(max_retries=3), sleep=sleeps.append, **kwargs)


@pytest.fixture
def client(emulator: Any, sleeps: list[float]) -> Iterator[HumeV1Client]:
    with client_for(emulator.url, emulator.api_key, sleeps) as hume:
        yield hume


def now() -> datetime:
    return datetime.now(timezone.utc)


def test_audio_upload_and_its_run(client: HumeV1Client) -> None:
    started = now() - timedelta(seconds=1)
    audio = wav_bytes(7.0)
    result = client.measure_audio(part("tone.wav", audio), AudioFileConfig(3000))
    assert result.audio_duration_ms == 7000
    assert result.utterances
    assert [m.measurement_id for m in result.measurements] == list(range(len(result.measurements)))
    assert {m.trigger for m in result.measurements} <= {"interval", "speech_ended"}
    run = client.get_run(result.run_id)
    assert (run.status, run.endpoint, run.mode, run.bytes_received) == ("ended", "audio", "file", len(audio))
    assert run.config["measurement_timer_ms"] == 3000
    assert run.metered_seconds == 10.0
    listed = list(client.iter_runs(mode="file", endpoint="audio", started_after=started))
    assert result.run_id in [summary.run_id for summary in listed]
    assert client.list_run_events(result.run_id).events == ()


def test_raw_pcm_upload(client: HumeV1Client) -> None:
    pcm = wav_bytes(2.0)[44:]
    result = client.measure_audio(part("tone.pcm", pcm, AUDIO_RAW))
    assert result.audio_duration_ms == 2000


def test_image_upload_carries_face_state(client: HumeV1Client) -> None:
    jpegs = [image_bytes(320, 240, image_format="JPEG", seed=seed) for seed in range(3)]
    parts = [part(f"frame{i}.jpg", data, IMAGE_JPEG) for i, data in enumerate(jpegs)]
    config = ImageFileConfig(FaceConfig(threshold=0.5, min_size=10, return_face_state=True))
    first = client.measure_images(parts[:2], config)
    assert first.frames_received == 2
    assert [m.frame_id for m in first.measurements] == [0, 1]
    assert first.face_state
    second = client.measure_images(parts[2:], ImageFileConfig(config.face, face_state=first.face_state))
    assert second.frames_received == 1
    run = client.get_run(first.run_id)
    assert (run.endpoint, run.mode) == ("video", "file")


@pytest.mark.parametrize(
    ("data", "code"),
    [(mp3_bytes(1.0), "unsupported_media_type"), (wav_bytes(1.0, rate=8000), "audio_decode_failed")],
    ids=["mp3", "wav-8khz"],
)
def test_media_the_server_refuses(client: HumeV1Client, sleeps: list[float], data: bytes, code: str) -> None:
    with pytest.raises(HumeMediaError) as raised:
        client.measure_audio(part("bad.wav", data))
    assert raised.value.code == code
    assert raised.value.request_id
    assert "media extra" in str(raised.value)
    assert sleeps == []


def test_unknown_run_is_not_found_not_a_missing_api(client: HumeV1Client) -> None:
    with pytest.raises(HumeNotFoundError) as raised:
        client.get_run("00000000-0000-7000-8000-000000000000")
    assert not isinstance(raised.value, HumeNotServingV1Error)
    assert raised.value.code == "not_found"


def test_bad_key(emulator: Any, sleeps: list[float]) -> None:
    with client_for(emulator.url, "not-the-key", sleeps) as client, pytest.raises(HumeAuthError) as raised:
        client.check_connection()
    assert raised.value.code is None
    assert sleeps == []


def test_check_connection(client: HumeV1Client) -> None:
    client.check_connection()


def test_check_connection_on_a_base_url_without_v1(emulator: Any, sleeps: list[float]) -> None:
    base = f"{emulator.url}/elsewhere"
    with client_for(base, emulator.api_key, sleeps) as client, pytest.raises(HumeNotServingV1Error) as raised:
        client.check_connection()
    assert f"The server at {base} does not serve Hume's v1 API (/v1/expression)" in str(raised.value)
    assert sleeps == []


def test_runs_pages_newest_first(client: HumeV1Client) -> None:
    started = now() - timedelta(seconds=1)
    run_ids = [client.measure_audio(part(f"t{i}.wav", wav_bytes(1.0 + i / 10))).run_id for i in range(3)]
    ended = now() + timedelta(seconds=1)
    found = [
        run.run_id
        for run in client.iter_runs(
            page_size=1, endpoint="audio", started_after=started, started_before=ended
        )
        if run.run_id in run_ids
    ]
    assert found == run_ids[::-1]


def test_upload_answered_502_after_the_server_acted_is_not_retried_and_its_run_is_found(
    emulator: Any, fault_proxy: FaultProxy, sleeps: list[float]
) -> None:
    audio = wav_bytes(3.21)
    rule = fault_proxy.inject("POST", AUDIO_PATH, status_after_upstream(502))
    with client_for(fault_proxy.url, emulator.api_key, sleeps) as client:
        with pytest.raises(HumeUploadOutcomeUnknownError) as raised:
            client.measure_audio(part("lost.wav", audio))
        assert rule.hits == 1
        assert fault_proxy.requests.count(("POST", AUDIO_PATH)) == 1
        assert sleeps == []
        error = raised.value
        assert error.media_bytes == len(audio)
        found = client.find_upload_runs(error.endpoint, error.started_after, bytes_received=error.media_bytes)
    assert len(found) == 1
    (run,) = found
    assert (run.status, run.mode, run.endpoint, run.bytes_received) == ("ended", "file", "audio", len(audio))
    assert run.started_at >= error.started_after - timedelta(seconds=1)


def test_upload_whose_answer_is_cut_is_not_retried(
    emulator: Any, fault_proxy: FaultProxy, sleeps: list[float]
) -> None:
    fault_proxy.inject("POST", AUDIO_PATH, drop_mid_body(fraction=0.5))
    client = client_for(fault_proxy.url, emulator.api_key, sleeps)
    with client, pytest.raises(HumeUploadOutcomeUnknownError):
        client.measure_audio(part("cut.wav", wav_bytes(1.5)))
    assert fault_proxy.requests.count(("POST", AUDIO_PATH)) == 1
    assert sleeps == []


@pytest.mark.parametrize(
    "fault",
    [status_after_upstream(502), drop_mid_body(fraction=0.5), end_early(fraction=0.5, keep_length=True)],
    ids=["502", "dropped", "short"],
)
def test_get_behind_a_failing_proxy_is_retried(
    emulator: Any, fault_proxy: FaultProxy, sleeps: list[float], fault: Any
) -> None:
    with client_for(emulator.url, emulator.api_key, []) as direct:
        run_id = direct.measure_audio(part("t.wav", wav_bytes(1.0))).run_id
    path = f"{RUNS_PATH}/{run_id}"
    fault_proxy.inject("GET", path, fault)
    with client_for(fault_proxy.url, emulator.api_key, sleeps) as client:
        assert client.get_run(run_id).run_id == run_id
    assert fault_proxy.requests.count(("GET", path)) == 2
    assert len(sleeps) == 1


class _FixedPortProxy(FaultProxy):
    """A fault proxy on a chosen loopback port (bound when created), to bring a server up mid-test."""

    port = 0

    def server_bind(self) -> None:
        self.server_address = ("127.0.0.1", self.port)
        super().server_bind()


def test_upload_refused_at_connect_is_sent_again_once_the_server_is_up(emulator: Any) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proxies: list[FaultProxy] = []

    def sleep(seconds: float) -> None:
        """Time passes, and the server comes up on the port that refused the connection."""
        _FixedPortProxy.port = port
        proxies.append(_FixedPortProxy(emulator.url).__enter__())

    audio = wav_bytes(1.0)
    try:
        with HumeV1Client(emulator.api_key, f"http://127.0.0.1:{port}", sleep=sleep) as client:
            result = client.measure_audio(part("late.wav", audio))
        (proxy,) = proxies
        assert proxy.requests == [("POST", AUDIO_PATH)]
    finally:
        for proxy in proxies:
            proxy.__exit__(None, None, None)
    with client_for(emulator.url, emulator.api_key, []) as direct:
        assert direct.get_run(result.run_id).bytes_received == len(audio)
