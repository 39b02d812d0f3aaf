"""The websocket client against a scripted loopback server: send kinds, errors, warnings, reconnects."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from airflow_provider_hume.client import RetryPolicy
from airflow_provider_hume.client.errors import (
    HumeAuthError,
    HumeConnectionError,
    HumeError,
    HumeStreamError,
    HumeValidationError,
)
from airflow_provider_hume.client.stream import HumeStreamClient, stream_url
from tests.integration.client.stream_fake_server import FakeStreamServer
from tests.support.media import wav_bytes as make_wav

KEY = "Sx9fQk2LmN4pR7tV1wY3zA5bC8dE0gH6jK2mP4qS7uW9xZ1a"
PROSODY: dict[str, dict[str, object]] = {"prosody": {}}


def wav_bytes(seconds: float) -> bytes:
    return make_wav(seconds, sample=b"\x01\x00")


@pytest.fixture
def server() -> Iterator[FakeStreamServer]:
    with FakeStreamServer(KEY) as fake:
        yield fake


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def make_client(sleeps: list[float]) -> Callable[..., HumeStreamClient]:
    async def record(delay: float) -> None:
        sleeps.append(delay)

    def make(url: str, key: str = KEY, **kwargs: object) -> HumeStreamClient:
        kwargs.setdefault("retry_policy", RetryPolicy(max_retries=2))
        return HumeStreamClient(key, url, sleep=record, **kwargs)  # type: ignore[arg-type]

    return make


async def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


def test_stream_url_from_base_url() -> None:
    assert stream_url("https://api.hume.ai") == "wss://api.hume.ai/v0/stream/models"
    assert stream_url("http://127.0.0.1:8000/") == "ws://127.0.0.1:8000/v0/stream/models"
    assert stream_url("https://proxy.example/hume") == "wss://proxy.example/hume/v0/stream/models"
    with pytest.raises(HumeValidationError, match="query string"):
        stream_url("https://api.hume.ai/?apikey=x")


async def test_send_text_uses_the_header_and_echoes_payload_id(
    server: FakeStreamServer, make_client: Callable[..., HumeStreamClient]
) -> None:
    async with make_client(server.url).connect() as socket:
        result = await socket.send_text("Hello brave world", {"language": {}}, payload_id="p-1")
    assert result.payload_id == "p-1"
    assert [p["text"] for p in result.predictions["language"]] == ["Hello", "brave", "world"]
    assert server.messages == [
        {"data": "Hello brave world", "models": {"language": {}}, "raw_text": True, "payload_id": "p-1"}
    ]
    handshake = server.handshakes[0]
    assert handshake.path == "/v0/stream/models"
    assert handshake.headers["X-Hume-Api-Key"] == KEY
    assert handshake.headers["User-Agent"].startswith("airflow-provider-hume/")


async def test_every_send_kind(
    server: FakeStreamServer, make_client: Callable[..., HumeStreamClient], tmp_path: Path
) -> None:
    audio = tmp_path / "clip.wav"
    audio.write_bytes(wav_bytes(2.5))
    async with make_client(server.url).connect(PROSODY, stream_window_ms=2000) as socket:
        from_file = await socket.send_file(audio, reset_stream=True)
        from_bytes = await socket.send_bytes(wav_bytes(1.0), PROSODY)
        mesh = await socket.send_facemesh([[[0.5, 0.5, 0.0]] * 478] * 2)
        reset = await socket.reset_stream()
        job_id = await socket.job_details()
        text = await socket.send_text("Default language model")
    spans = [(p["time"]["begin"], p["time"]["end"]) for p in from_file.predictions["prosody"]]
    assert spans == [(0.0, 1.0), (1.0, 2.0), (2.0, 2.5)]
    assert len(from_bytes.predictions["prosody"]) == 2  # its 2 s window starts with 1 s of the file
    assert len(mesh.predictions["facemesh"]) == 2
    assert reset.predictions == {}
    assert re.fullmatch("[0-9a-f]{32}", job_id)
    assert len(text.predictions["language"]) == 3
    sent = server.messages
    assert sent[0]["reset_stream"] is True
    assert sent[0]["stream_window_ms"] == 2000
    assert "reset_stream" not in sent[1]
    assert sent[2]["models"] == {"facemesh": {}}
    assert sent[3] == {"reset_stream": True, "payload_id": sent[3]["payload_id"]}
    assert sent[4] == {"job_details": True, "payload_id": sent[4]["payload_id"]}
    assert len({m["payload_id"] for m in sent}) == len(sent)


async def test_error_carries_the_code_and_the_socket_goes_on(
    server: FakeStreamServer, make_client: Callable[..., HumeStreamClient]
) -> None:
    async with make_client(server.url).connect() as socket:
        with pytest.raises(HumeStreamError) as caught:
            await socket.send_text("!error please")
        assert caught.value.code == "E0101"
        assert (await socket.send_text("still here")).predictions["language"]


@pytest.mark.parametrize("top_level", [False, True])
async def test_warnings_in_both_forms_are_returned_and_logged(
    server: FakeStreamServer,
    make_client: Callable[..., HumeStreamClient],
    caplog: pytest.LogCaptureFixture,
    top_level: bool,
) -> None:
    server.warnings_top_level = top_level
    caplog.set_level(logging.WARNING, logger="airflow_provider_hume")
    async with make_client(server.url).connect() as socket:
        result = await socket.send_text("!warn nothing here")
        audio = await socket.send_bytes(wav_bytes(1.0), {"prosody": {}, "burst": {}})
    assert [(w.code, w.model) for w in result.warnings] == [("W0105", None if top_level else "language")]
    assert [w.code for w in audio.warnings] == ["W0101"]
    assert audio.predictions["prosody"]
    assert "Hume streaming warning W0105" in caplog.text
    assert "Hume streaming warning W0101" in caplog.text


async def test_limits_are_checked_before_sending(
    server: FakeStreamServer, make_client: Callable[..., HumeStreamClient]
) -> None:
    async with make_client(server.url).connect() as socket:
        with pytest.raises(HumeValidationError, match="10001 characters"):
            await socket.send_text("x" * 10_001)
        with pytest.raises(HumeValidationError, match="lasts 6000 ms"):
            await socket.send_bytes(wav_bytes(6.0), PROSODY)
        with pytest.raises(HumeValidationError, match="exactly 478"):
            await socket.send_facemesh([[[0.0, 0.0, 0.0]] * 10])
        with pytest.raises(HumeValidationError, match=r"models\.ner is not available"):
            await socket.send_bytes(b"data", {"ner": {}})
        with pytest.raises(HumeValidationError, match="no models given"):
            await socket.send_bytes(b"data")
    assert server.messages == []


async def test_bad_key_fails_at_once_without_leaking_it(
    server: FakeStreamServer, make_client: Callable[..., HumeStreamClient], sleeps: list[float]
) -> None:
    wrong = "Wrong0000000000000000000000000000000000000000000"
    with pytest.raises(HumeAuthError) as caught:
        async with make_client(server.url, wrong).connect():
            pass
    assert caught.value.status_code == 401
    assert wrong not in str(caught.value)
    assert len(server.handshakes) == 1
    assert sleeps == []


async def test_api_key_never_in_url_or_logs(
    server: FakeStreamServer, make_client: Callable[..., HumeStreamClient], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = make_client(server.url)
    async with client.connect() as socket:
        await socket.send_text("Some text")
    assert KEY not in repr(client)
    assert KEY not in caplog.text
    assert all(KEY not in h.path for h in server.handshakes)


async def test_handshake_503_is_retried_with_backoff(
    server: FakeStreamServer, make_client: Callable[..., HumeStreamClient], sleeps: list[float]
) -> None:
    server.reject.extend([503, 429])
    async with make_client(server.url).connect() as socket:
        assert (await socket.send_text("after retries")).predictions
    assert len(server.handshakes) == 3
    assert len(sleeps) == 2


async def test_unreachable_server_gives_up_after_the_retries(
    make_client: Callable[..., HumeStreamClient], sleeps: list[float]
) -> None:
    with FakeStreamServer(KEY) as gone:
        url = gone.url
    with pytest.raises(HumeConnectionError, match="after 3 attempt"):
        await make_client(url).connect().open()
    assert len(sleeps) == 2


async def test_redirects_are_refused(
    server: FakeStreamServer, make_client: Callable[..., HumeStreamClient]
) -> None:
    with FakeStreamServer(KEY) as elsewhere:
        server.redirect_to = elsewhere.url
        with pytest.raises(HumeError, match="redirects are not followed"):
            await make_client(server.url).connect().open()
        assert elsewhere.handshakes == []


async def test_reconnects_at_once_after_an_idle_close(
    server: FakeStreamServer, make_client: Callable[..., HumeStreamClient], sleeps: list[float]
) -> None:
    server.idle_timeout = 0.2
    async with make_client(server.url).connect() as socket:
        await socket.send_text("first")
        await wait_until(lambda: server.idle_closes == 1 and not socket.is_open)
        assert (await socket.send_text("second")).predictions
        assert socket.connections == 2
    assert len(server.handshakes) == 2
    assert sleeps == []


async def test_connection_lost_mid_request_resends_the_payload(
    server: FakeStreamServer, make_client: Callable[..., HumeStreamClient], sleeps: list[float]
) -> None:
    server.script.append("close")
    async with make_client(server.url).connect() as socket:
        result = await socket.send_text("resend me", payload_id="again")
    assert result.payload_id == "again"
    assert [m["payload_id"] for m in server.messages] == ["again", "again"]
    assert len(sleeps) == 1


async def test_gives_up_when_every_attempt_is_lost(
    server: FakeStreamServer, make_client: Callable[..., HumeStreamClient]
) -> None:
    server.script.extend(["close"] * 3)
    async with make_client(server.url).connect() as socket:
        with pytest.raises(HumeConnectionError, match=r"No reply .* after 3 attempt"):
            await socket.send_text("lost")


async def test_stale_replies_are_dropped_and_silence_times_out(
    server: FakeStreamServer, make_client: Callable[..., HumeStreamClient], sleeps: list[float]
) -> None:
    server.script.extend(["stale", "hang"])
    async with make_client(server.url, timeout=0.3).connect() as socket:
        assert (await socket.send_text("one", payload_id="a")).payload_id == "a"
        assert (await socket.send_text("two", payload_id="b")).payload_id == "b"
    assert [m["payload_id"] for m in server.messages] == ["a", "b", "b"]
    assert socket.connections == 2
    assert len(sleeps) == 1
