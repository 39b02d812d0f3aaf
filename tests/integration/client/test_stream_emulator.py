"""The websocket client against the emulator's ``/v0/stream/models``: the wire contract end to end."""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import secrets
import time
import wave
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from airflow_provider_hume.client import RetryPolicy
from airflow_provider_hume.client.errors import HumeAuthError, HumeStreamError
from airflow_provider_hume.client.stream import HumeStreamClient
from airflow_provider_hume.client.stream_models import coerce_stream_models
from airflow_provider_hume.client.stream_pool import InputOutcome, StreamInput, stream_inputs
from airflow_provider_hume.emulator.backend.settings import EmulatorSettings
from airflow_provider_hume.emulator.server import EmulatorServer

FACE_PNG = Path(__file__).resolve().parents[3] / "dags" / "data" / "face.png"


def write_wav(path: Path, seconds: float, *, silent: bool = False, rate: int = 16000) -> Path:
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        size = int(seconds * rate) * 2
        writer.writeframes(bytes(size) if silent else os.urandom(size))
    return path


@pytest.fixture(scope="module")
def emulators() -> Iterator[Callable[[str], tuple[str, str]]]:
    """Emulators by warning form (``nested`` / ``top-level``), idling out after 0.3 s; ``(url, key)``."""
    key = secrets.token_hex(24)
    running: dict[str, EmulatorServer] = {}
    settings = {
        "nested": EmulatorSettings(stream_idle_seconds=0.3),
        "top-level": EmulatorSettings(stream_idle_seconds=0.3, stream_warnings="top-level"),
    }

    def get(form: str) -> tuple[str, str]:
        if form not in running:
            running[form] = EmulatorServer([key], settings=settings[form]).__enter__()
        return running[form].url, key

    try:
        yield get
    finally:
        for server in running.values():
            server.stop()


@pytest.fixture
def client(emulators: Callable[[str], tuple[str, str]]) -> HumeStreamClient:
    url, key = emulators("nested")
    return HumeStreamClient(key, url, retry_policy=RetryPolicy(max_retries=1, base_delay=0.01))


async def test_every_send_kind(client: HumeStreamClient, tmp_path: Path) -> None:
    audio = write_wav(tmp_path / "clip.wav", 3.0)
    async with client.connect() as socket:
        text = await socket.send_text("I love it. I hate waiting!", {"language": {"granularity": "sentence"}})
        from_file = await socket.send_file(audio, {"prosody": {}, "burst": {}}, reset_stream=True)
        image = await socket.send_bytes(FACE_PNG.read_bytes(), {"face": {"identify_faces": True}})
        mesh = await socket.send_facemesh([[[0.5, 0.4, 0.1]] * 478] * 2)
        reset = await socket.reset_stream()
        job_id = await socket.job_details()
    assert [p["text"] for p in text.predictions["language"]] == ["I love it.", "I hate waiting!"]
    assert {p["position"]["begin"] for p in text.predictions["language"]} == {0, 11}
    assert from_file.predictions["prosody"][-1]["time"]["end"] == pytest.approx(3.0)
    assert from_file.predictions["burst"]
    assert image.predictions["face"][0]["face_id"].startswith("face_")
    assert len(mesh.predictions["facemesh"]) == 2
    assert reset.predictions == {}
    assert re.fullmatch("[0-9a-f]{32}", job_id)


async def test_hume_errors_keep_their_code(client: HumeStreamClient, tmp_path: Path) -> None:
    async with client.connect() as socket:
        with pytest.raises(HumeStreamError) as mismatch:
            await socket.send_file(write_wav(tmp_path / "a.wav", 1.0), {"face": {}})
        assert mismatch.value.code == "E0102"
        with pytest.raises(HumeStreamError) as too_long:
            await socket.send_payload({"data": "x" * 10_001, "models": {"language": {}}, "raw_text": True})
        assert too_long.value.code.startswith("E02")
        assert (await socket.send_text("Still connected.")).predictions["language"]


@pytest.mark.parametrize(("form", "model"), [("nested", "prosody"), ("top-level", None)])
async def test_warnings_in_both_forms(
    emulators: Callable[[str], tuple[str, str]], tmp_path: Path, form: str, model: str | None
) -> None:
    url, key = emulators(form)
    async with HumeStreamClient(key, url).connect() as socket:
        result = await socket.send_file(write_wav(tmp_path / "quiet.wav", 1.0, silent=True), {"prosody": {}})
    assert [(w.code, w.model) for w in result.warnings] == [("W0105", model)]
    assert result.predictions.get("prosody", []) == []


async def test_reconnects_after_the_idle_close(client: HumeStreamClient) -> None:
    async with client.connect() as socket:
        first = await socket.job_details()
        deadline = time.monotonic() + 5
        while socket.is_open:
            assert time.monotonic() < deadline, "the emulator did not close the idle connection"
            await asyncio.sleep(0.02)
        second = await socket.job_details()
    assert first != second
    assert socket.connections == 2


async def test_wrong_key_is_refused_at_the_handshake(emulators: Callable[[str], tuple[str, str]]) -> None:
    url, _ = emulators("nested")
    with pytest.raises(HumeAuthError, match="HTTP 401"):
        await HumeStreamClient("not-the-key", url).connect().open()


async def test_pool_chunks_long_inputs_and_keeps_replies_with_inputs(
    client: HumeStreamClient, tmp_path: Path
) -> None:
    texts = {f"t{i}": " ".join(f"word{i}n{j}" for j in range(i % 5 + 1)) for i in range(24)}
    long_text = " ".join(f"Wonderfully{'o' * 20}{i}." for i in range(400))  # 13,000 chars, 400 words
    inputs = [StreamInput(id=key, text=text) for key, text in texts.items()]
    inputs += [StreamInput(id="long-text", text=long_text)]
    inputs += [StreamInput(id="long-audio", path=str(write_wav(tmp_path / "call.wav", 12.0)))]
    predictions: dict[str, dict[str, object]] = {}

    def collect(outcome: InputOutcome) -> None:
        assert outcome.error is None, outcome.error
        assert outcome.result is not None
        predictions[outcome.input.id] = outcome.result.predictions()

    models = coerce_stream_models({"language": {}, "prosody": {}})
    await stream_inputs(client, inputs, models, collect, max_connections=4)
    for key, text in texts.items():
        assert [p["text"] for p in predictions[key]["language"]["predictions"]] == text.split()  # type: ignore[index]
    long_predictions = predictions["long-text"]["language"]["predictions"]  # type: ignore[index]
    assert len(long_predictions) == len(long_text.split())
    assert all(
        long_text[p["position"]["begin"] : p["position"]["end"]] == p["text"] for p in long_predictions
    )
    spans = [p["time"] for p in predictions["long-audio"]["prosody"]["predictions"]]  # type: ignore[index]
    assert spans[0]["begin"] == 0.0
    assert spans[-1]["end"] == pytest.approx(12.0)
    assert all(a["begin"] < b["begin"] for a, b in itertools.pairwise(spans)), spans
