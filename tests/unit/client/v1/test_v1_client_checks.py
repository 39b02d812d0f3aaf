"""What the v1 client refuses before any request, its retry decisions, and its repr (no key)."""

from __future__ import annotations

import io
import random
from datetime import datetime

import pytest

from airflow_provider_hume.client.errors import HumeValidationError
from airflow_provider_hume.client.retry import RetryPolicy, RetryTracker
from airflow_provider_hume.client.v1 import (
    AUDIO_RAW,
    AUDIO_WAV,
    DEFAULT_V1_BASE_URL,
    IMAGE_JPEG,
    MAX_IMAGE_BYTES,
    MAX_REQUEST_BYTES,
    AudioFileConfig,
    HumeMediaError,
    HumeV1Client,
    MediaPart,
)
from airflow_provider_hume.client.v1.client import _refused_before_measuring

KEY = "k3y-Sx9fQk2LmN4pR7tV1wY3zA5bC8dE0gH6"
NOW = 1_764_547_200.0


def media(name: str, size: int, content_type: str) -> MediaPart:
    return MediaPart(name, size, content_type, lambda: io.BytesIO(b"\0" * size))


@pytest.fixture
def client() -> HumeV1Client:
    # Any request would reach for a socket, which the unit guard refuses: these checks must come first.
    return HumeV1Client(KEY, "http://hume.invalid")


def test_defaults_and_repr() -> None:
    client = HumeV1Client(f"  {KEY} ")
    assert client.base_url == DEFAULT_V1_BASE_URL == "https://api.cloud.hume.ai"
    assert repr(client) == "HumeV1Client(base_url='https://api.cloud.hume.ai')"
    assert KEY not in repr(client)
    assert client.upload_timeout >= 780


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"api_key": ""}, "API key is empty"),
        ({"api_key": "has space"}, "spaces"),
        ({"base_url": "ftp://x"}, "base_url"),
        ({"base_url": "https://x/?api_key=1"}, "query"),
        ({"upload_timeout": 0}, "upload_timeout"),
        ({"retry": 3}, "retry must be a RetryPolicy"),
    ],
)
def test_constructor_checks(kwargs: dict[str, object], problem: str) -> None:
    arguments: dict[str, object] = {"api_key": KEY, **kwargs}
    with pytest.raises(HumeValidationError, match=problem):
        HumeV1Client(**arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("part", "problem"),
    [
        (media("a.jpg", 10, IMAGE_JPEG), "a.jpg has content type image/jpeg"),
        (media("a.raw", 11, AUDIO_RAW), "a.raw is empty or has an odd number of bytes"),
        (media("a.wav", 0, AUDIO_WAV), "a.wav is empty"),
    ],
)
def test_audio_refused_before_any_request(client: HumeV1Client, part: MediaPart, problem: str) -> None:
    with pytest.raises(HumeMediaError, match=problem):
        client.measure_audio(part)


def test_audio_over_the_request_limit(client: HumeV1Client) -> None:
    part = media("long.wav", MAX_REQUEST_BYTES, AUDIO_WAV)
    with pytest.raises(HumeMediaError, match=r"long.wav would be 25,000,\d+ bytes, over Hume's limit"):
        client.measure_audio(part, AudioFileConfig())


def test_audio_config_type(client: HumeV1Client) -> None:
    with pytest.raises(HumeValidationError, match="config must be an AudioFileConfig"):
        client.measure_audio(media("a.wav", 100, AUDIO_WAV), {"measurement_timer_ms": 3000})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("parts", "problem"),
    [
        ([], "parts must be a non-empty list"),
        ([media("x.wav", 10, AUDIO_WAV)], "x.wav has content type audio/wav; Hume takes JPEG images only"),
        ([media("big.jpg", MAX_IMAGE_BYTES + 1, IMAGE_JPEG)], "big.jpg has 2000001 bytes"),
        ([media("empty.jpg", 0, IMAGE_JPEG)], "empty.jpg has 0 bytes"),
        ([media(f"{i}.jpg", 1_900_000, IMAGE_JPEG) for i in range(14)], "over Hume's limit"),
    ],
)
def test_images_refused_before_any_request(
    client: HumeV1Client, parts: list[MediaPart], problem: str
) -> None:
    with pytest.raises(HumeValidationError, match=problem):
        client.measure_images(parts)


def test_runs_filters_checked_before_any_request(client: HumeV1Client) -> None:
    with pytest.raises(HumeValidationError, match="timezone-aware"):
        client.list_runs(started_after=datetime(2026, 12, 1))
    with pytest.raises(HumeValidationError, match="page_size"):
        client.iter_runs(page_size=500)
    with pytest.raises(HumeValidationError, match="run_id"):
        client.get_run("a/b")
    with pytest.raises(HumeValidationError, match="run_id"):
        client.iter_run_events("")
    with pytest.raises(HumeValidationError, match="started_after"):
        client.find_upload_runs("audio", "2026-12-01")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("status", "code", "refused"),
    [
        (429, None, True),
        (429, "rate_limited", True),
        (503, "server_busy", True),
        (503, None, False),
        (502, None, False),
        (500, "internal_error", False),
        (504, None, False),
        (400, "audio_decode_failed", False),
        (408, None, False),
    ],
)
def test_which_upload_answers_may_be_sent_again(status: int, code: str | None, refused: bool) -> None:
    assert _refused_before_measuring(status, code) is refused


def test_rejections_are_retried_for_uploads_within_the_policy() -> None:
    tracker = RetryTracker(
        RetryPolicy(max_retries=2),
        "POST",
        "/v1/expression/audio/file",
        idempotent=False,
        rng=random.Random(1),
        clock=lambda: NOW,
    )
    assert tracker.after_status(503, {}) is None
    assert tracker.after_rejection(429, {"Retry-After": "4"}) == 4.0
    assert tracker.after_rejection(503, {}) is not None
    assert tracker.after_rejection(503, {}) is None


def test_rejection_retry_respects_the_deadline() -> None:
    tracker = RetryTracker(RetryPolicy(), "POST", "/p", idempotent=False, deadline=NOW + 2, clock=lambda: NOW)
    assert tracker.after_rejection(429, {"Retry-After": "5"}) is None
