"""The audio sliding window (hume-api-v0.md §4.8): context from earlier payloads, ``reset_stream``, bounds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from airflow_provider_hume.emulator.streaming.window import MAX_CHUNKS, AudioChunk, AudioWindow, WindowSpan

Ask = Callable[..., dict[str, Any]]
PROSODY: dict[str, Any] = {"prosody": {}}


def chunk(name: str, duration_ms: float = 500.0, *, silent: bool = False) -> AudioChunk:
    return AudioChunk(name, duration_ms, silent)


def window_end(reply: dict[str, Any]) -> float:
    end: float = reply["prosody"]["predictions"][-1]["time"]["end"]
    return end


def test_doc_example_600_ms_window_takes_the_last_100_ms_of_the_first_payload() -> None:
    window = AudioWindow()
    window.advance(chunk("first"), 600)
    view = window.advance(chunk("second"), 600)
    assert view.spans == (WindowSpan(chunk("first"), 400.0), WindowSpan(chunk("second")))
    assert view.duration_ms == 600


def test_doc_example_1000_ms_window_takes_both_payloads() -> None:
    window = AudioWindow()
    window.advance(chunk("first"), 1000)
    view = window.advance(chunk("second"), 1000)
    assert [span.skip_ms for span in view.spans] == [0.0, 0.0]
    assert view.duration_ms == 1000


def test_a_payload_longer_than_the_window_is_processed_whole() -> None:
    window = AudioWindow()
    window.advance(chunk("first"), 500)
    view = window.advance(chunk("long", 2000), 500)
    assert view.spans == (WindowSpan(chunk("long", 2000)),)


def test_retains_only_the_trailing_window() -> None:
    window = AudioWindow()
    for index in range(10):
        window.advance(chunk(str(index)), 1200)
    assert window.retained_ms == 1200
    view = window.advance(chunk("last"), 10_000)
    assert [span.skip_ms for span in view.spans] == [300.0, 0.0, 0.0, 0.0]
    window.reset()
    assert window.retained_ms == 0


def test_chunk_count_is_capped() -> None:
    window = AudioWindow()
    for index in range(MAX_CHUNKS + 50):
        window.advance(chunk(str(index), 1), 10_000)
    assert window.retained_ms == MAX_CHUNKS


def test_silence_and_key_cover_the_whole_window() -> None:
    window = AudioWindow()
    window.advance(chunk("speech"), 5000)
    view = window.advance(chunk("quiet", silent=True), 5000)
    assert not view.silent
    other = AudioWindow().advance(chunk("quiet", silent=True), 5000)
    assert other.silent
    assert other.key != view.key


def test_predictions_cover_the_window(ask: Ask, media: Any) -> None:
    second = media.b64(media.wav(1.0))
    assert window_end(ask(data=media.b64(media.wav(1.0, rate=16000)), models=PROSODY)) == 1.0
    assert window_end(ask(data=second, models=PROSODY)) == 2.0
    assert window_end(ask(data=second, models=PROSODY, stream_window_ms=1500)) == 1.5
    assert window_end(ask(data=second, models=PROSODY, stream_window_ms=10_000)) == 2.5


def test_reset_stream_clears_the_context(ask: Ask, media: Any) -> None:
    wav = media.b64(media.wav(1.0))
    alone = ask(data=wav, models=PROSODY)
    assert window_end(ask(data=wav, models=PROSODY)) == 2.0
    assert ask(data=wav, models=PROSODY, reset_stream=True) == alone
    assert window_end(ask(data=wav, models=PROSODY)) == 2.0
    assert ask(reset_stream=True, payload_id="r") == {"payload_id": "r"}
    assert ask(data=wav, models=PROSODY) == alone


def test_non_audio_payloads_leave_the_window_alone(ask: Ask, media: Any) -> None:
    wav = media.b64(media.wav(1.0))
    ask(data=wav, models=PROSODY)
    ask(data=media.b64(media.image()), models={"face": {}}, stream_window_ms=500)
    ask(data="words", raw_text=True, models={"language": {}})
    assert window_end(ask(data=wav, models=PROSODY)) == 2.0


def test_failed_audio_payloads_do_not_enter_the_window(ask: Ask, media: Any) -> None:
    wav = media.b64(media.wav(1.0))
    ask(data=wav, models=PROSODY)
    assert ask(data=media.b64(media.wav(5.5)), models=PROSODY)["code"] == "E0203"
    assert window_end(ask(data=wav, models=PROSODY)) == 2.0


def test_window_context_also_feeds_bursts(ask: Ask, media: Any) -> None:
    short = media.b64(media.wav(0.3))
    assert ask(data=short, models={"burst": {}})["burst"]["code"] == "W0101"
    assert "predictions" in ask(data=short, models={"burst": {}})["burst"]
    assert ask(data=short, models={"burst": {}}, reset_stream=True)["burst"]["code"] == "W0101"
