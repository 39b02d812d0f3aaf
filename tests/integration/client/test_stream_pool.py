"""Many inputs over parallel sockets: correlation, long-input chunking with offsets, per-input errors."""

from __future__ import annotations

import shutil
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest

from airflow_provider_hume.client import RetryPolicy
from airflow_provider_hume.client.errors import HumeAuthError, HumeStreamError
from airflow_provider_hume.client.stream import HumeStreamClient
from airflow_provider_hume.client.stream_models import coerce_stream_models
from airflow_provider_hume.client.stream_pool import InputFetchError, InputOutcome, StreamInput, stream_inputs
from tests.integration.client.stream_fake_server import FakeStreamServer

KEY = "Pool0000000000000000000000000000000000000000000k"
MODELS = coerce_stream_models({"language": {}, "prosody": {}})


@pytest.fixture
def server() -> Iterator[FakeStreamServer]:
    with FakeStreamServer(KEY) as fake:
        yield fake


def client(server: FakeStreamServer, key: str = KEY) -> HumeStreamClient:
    return HumeStreamClient(key, server.url, retry_policy=RetryPolicy(max_retries=0))


def write_wav(path: Path, seconds: float, rate: int = 8000) -> Path:
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(b"\x01\x00" * int(seconds * rate))
    return path


async def run(
    server: FakeStreamServer, inputs: list[StreamInput], **kwargs: object
) -> dict[str, dict[str, object]]:
    """Outcomes by input id, with the predictions read out before the results are closed."""
    seen: dict[str, dict[str, object]] = {}

    def collect(outcome: InputOutcome) -> None:
        entry: dict[str, object] = {"index": outcome.index, "error": outcome.error}
        if outcome.result is not None:
            entry["predictions"] = outcome.result.predictions()
            entry["payloads"] = outcome.result.payloads
        seen[outcome.input.id] = entry

    await stream_inputs(client(server), inputs, MODELS, collect, **kwargs)  # type: ignore[arg-type]
    return seen


async def test_parallel_sockets_keep_every_reply_with_its_input(server: FakeStreamServer) -> None:
    server.latency = 0.005
    texts = [" ".join(f"w{i}x{j}" for j in range(i % 7 + 1)) for i in range(60)]
    inputs = [StreamInput(id=f"t{i}", text=text) for i, text in enumerate(texts)]
    outcomes = await run(server, inputs, max_connections=4)
    assert len(outcomes) == 60
    for i, text in enumerate(texts):
        predictions = outcomes[f"t{i}"]["predictions"]
        assert [p["text"] for p in predictions["language"]["predictions"]] == text.split()  # type: ignore[index]
    assert server.max_open_connections == 4
    assert len(server.handshakes) == 4
    assert len({m["payload_id"] for m in server.messages}) == 60


def spans_of(outcome: dict[str, object]) -> list[tuple[float, float]]:
    predictions = outcome["predictions"]["prosody"]["predictions"]  # type: ignore[index]
    return [(p["time"]["begin"], p["time"]["end"]) for p in predictions]


async def test_long_audio_chunks_without_window_context(server: FakeStreamServer, tmp_path: Path) -> None:
    path = write_wav(tmp_path / "call.wav", 12.5)
    outcomes = await run(server, [StreamInput(id="call", path=str(path))], stream_window_ms=2000)
    assert outcomes["call"]["error"] is None
    assert outcomes["call"]["payloads"] == 3
    spans = spans_of(outcomes["call"])
    assert spans[:6] == [(0.0, 1.0), (1.0, 2.0), (2.0, 3.0), (3.0, 4.0), (4.0, 4.16675), (4.16675, 5.16675)]
    assert spans[-1] == (12.3335, 12.5)
    assert [m.get("reset_stream", False) for m in server.messages] == [True, False, False]
    assert all(m["models"] == {"prosody": {}} for m in server.messages)


async def test_long_audio_times_count_from_the_window_start(server: FakeStreamServer, tmp_path: Path) -> None:
    path = write_wav(tmp_path / "call.wav", 12.5)
    outcomes = await run(server, [StreamInput(id="call", path=str(path))])
    spans = spans_of(outcomes["call"])
    # The second chunk (4.16675 s in) is scored after 0.83325 s of the first: its window starts at 3.3335 s,
    # and the span centred in that context is dropped as the first chunk already covered it.
    assert (4.3335, 5.3335) in spans
    assert (3.3335, 4.3335) not in spans
    assert spans == sorted(spans)
    assert spans[0] == (0.0, 1.0)
    assert spans[-1][1] == 12.5
    assert all(m.get("stream_window_ms") is None for m in server.messages)


async def test_long_text_is_split_and_positions_map_to_the_input(server: FakeStreamServer) -> None:
    text = " ".join(f"Sentence number {i} is here." for i in range(1000))
    outcomes = await run(server, [StreamInput(id="long", text=text)])
    assert len(server.messages) == 3
    assert all(len(m["data"]) <= 10_000 for m in server.messages)
    predictions = outcomes["long"]["predictions"]["language"]["predictions"]  # type: ignore[index]
    assert len(predictions) == len(text.split())
    for prediction in predictions:
        assert text[prediction["position"]["begin"] : prediction["position"]["end"]] == prediction["text"]


async def test_one_bad_input_does_not_stop_the_others(server: FakeStreamServer, tmp_path: Path) -> None:
    source = write_wav(tmp_path / "remote.wav", 1.0)

    def fetch(uri: str, local: Path) -> None:
        if uri.endswith("missing.wav"):
            raise KeyError("NoSuchKey")
        shutil.copyfile(source, local)

    inputs = [
        StreamInput(id="ok", text="fine words"),
        StreamInput(id="hume-error", text="!error now"),
        StreamInput(id="blank", text="   "),
        StreamInput(id="no-file", path=str(tmp_path / "nope.wav")),
        StreamInput(id="remote", uri="s3://bucket/remote.wav"),
        StreamInput(id="gone", uri="s3://bucket/missing.wav"),
        StreamInput(id="last", text="also fine"),
    ]
    outcomes = await run(server, inputs, max_connections=2, fetch=fetch)
    errors = {name: outcome["error"] for name, outcome in outcomes.items()}
    assert isinstance(errors["hume-error"], HumeStreamError)
    assert errors["hume-error"].code == "E0101"
    assert "empty" in str(errors["blank"])
    assert isinstance(errors["no-file"], FileNotFoundError)
    assert isinstance(errors["gone"], InputFetchError)
    assert "s3://bucket/missing.wav" in str(errors["gone"])
    assert {name for name, error in errors.items() if error is None} == {"ok", "remote", "last"}
    assert outcomes["remote"]["predictions"]["prosody"]["predictions"]  # type: ignore[index]


async def test_a_bad_key_stops_everything(server: FakeStreamServer) -> None:
    with pytest.raises(HumeAuthError):
        await stream_inputs(
            client(server, "Wrong" + "0" * 43),
            [StreamInput(id=str(i), text="hi") for i in range(5)],
            MODELS,
            lambda outcome: None,
            max_connections=3,
        )


async def test_texts_default_to_the_language_model(server: FakeStreamServer) -> None:
    done: list[InputOutcome] = []
    await stream_inputs(
        client(server),
        [StreamInput(id="t", text="hello")],
        coerce_stream_models({"prosody": {}}),
        done.append,
    )
    assert done[0].error is None
    assert server.messages[0]["models"] == {"language": {}}
