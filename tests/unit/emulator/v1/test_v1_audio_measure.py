"""Voice activity and the measurement rules (hume-api-v1.md §5, §7.1), on PCM made in code."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_hume.emulator.v1.audio_measure import AudioMeasurer
from tests.support.v1_media import documented_flow_pcm, silence, speech_pcm, tone

HANGOVER = 500


def run(pcm: bytes, timer_ms: int = 3000, *, chunk: int | None = None, seed: int = 0) -> list[dict[str, Any]]:
    measurer = AudioMeasurer(timer_ms, seed, hangover_ms=HANGOVER)
    step = chunk or len(pcm) or 1
    messages = []
    for start in range(0, len(pcm), step):
        messages += measurer.feed(pcm[start : start + step])
    return messages + measurer.finish()


def windows(messages: list[dict[str, Any]]) -> list[tuple[int, int, int, str]]:
    return [
        (m["utterance_id"], m["audio_start_ms"], m["audio_end_ms"], m["trigger"])
        for m in messages
        if m["type"] == "measurement.result"
    ]


def test_the_documented_26_second_flow() -> None:
    messages = run(documented_flow_pcm())
    assert messages[0] == {"type": "utterance.start", "utterance_id": 0, "audio_start_ms": 98}
    expected = [(0, max(98, end - 10_000), end, "interval") for end in range(3098, 26_000, 3000)]
    assert windows(messages) == [*expected, (0, 16_000, 26_000, "speech_ended")]
    assert len(expected) == 8
    assert messages[-1] == {
        "type": "utterance.end",
        "utterance_id": 0,
        "audio_start_ms": 98,
        "audio_end_ms": 26_000,
    }
    assert [m["measurement_id"] for m in messages if m["type"] == "measurement.result"] == list(range(9))


@pytest.mark.parametrize("chunk", [1, 3, 3199, 3200, 32_001])
def test_any_split_of_the_stream_gives_the_same_messages(chunk: int) -> None:
    pcm = speech_pcm([("silence", 300), ("tone", 4200), ("silence", 900), ("tone", 1500), ("silence", 50)])
    assert run(pcm, chunk=chunk) == run(pcm)


def test_silence_ends_an_utterance_after_the_hangover_and_a_new_one_starts() -> None:
    pcm = speech_pcm(
        [("silence", 1000), ("tone", 2000), ("silence", 2000), ("tone", 1200), ("silence", 1000)]
    )
    messages = run(pcm)
    assert [m["type"] for m in messages] == [
        "utterance.start", "measurement.result", "utterance.end",
        "utterance.start", "measurement.result", "utterance.end",
    ]  # fmt: skip
    assert windows(messages) == [(0, 1000, 3000, "speech_ended"), (1, 5000, 6200, "speech_ended")]
    ends = [(m["audio_start_ms"], m["audio_end_ms"]) for m in messages if m["type"] == "utterance.end"]
    assert ends == [(1000, 3000), (5000, 6200)]


def test_a_pause_shorter_than_the_hangover_keeps_one_utterance() -> None:
    pcm = speech_pcm([("tone", 1000), ("silence", HANGOVER - 20), ("tone", 1000)])
    assert [m["type"] for m in run(pcm)].count("utterance.start") == 1


def test_an_interval_taken_in_the_closing_silence_ends_after_the_utterance() -> None:
    # speech 0-2800 ms; the 3000 ms interval falls in the 500 ms hangover
    messages = run(speech_pcm([("tone", 2800), ("silence", 1000)]))
    assert windows(messages) == [(0, 0, 3000, "interval")]
    assert messages[-1]["audio_end_ms"] == 2800


def test_speech_ended_comes_when_the_previous_measurement_ended_a_second_or_more_earlier() -> None:
    messages = run(speech_pcm([("tone", 4000), ("silence", 1000)]))
    assert windows(messages) == [(0, 0, 3000, "interval"), (0, 0, 4000, "speech_ended")]


def test_no_speech_ended_within_a_second_of_the_previous_measurement() -> None:
    messages = run(speech_pcm([("tone", 3999), ("silence", 1000)]))
    assert windows(messages) == [(0, 0, 3000, "interval")]


def test_audio_ending_in_speech_ends_the_utterance() -> None:
    messages = run(tone(1500))
    assert windows(messages) == [(0, 0, 1500, "speech_ended")]
    assert messages[-1]["type"] == "utterance.end"


def test_the_window_is_the_last_ten_seconds_and_meets_end_to_end_at_ten_seconds() -> None:
    measured = windows(run(tone(30_500), timer_ms=10_000))
    assert measured == [
        (0, 0, 10_000, "interval"),
        (0, 10_000, 20_000, "interval"),
        (0, 20_000, 30_000, "interval"),
    ]


def test_silence_gives_nothing() -> None:
    measurer = AudioMeasurer()
    assert measurer.feed(silence(5000)) + measurer.finish() == []
    assert (measurer.received_ms, measurer.utterances, measurer.measurements) == (5000, 0, 0)


def test_counters_follow_the_stream() -> None:
    measurer = AudioMeasurer()
    measurer.feed(documented_flow_pcm())
    measurer.finish()
    assert (measurer.received_ms, measurer.utterances, measurer.measurements) == (26_000, 1, 9)


def test_the_same_audio_scores_the_same_and_other_audio_differently() -> None:
    first, again = run(tone(4000)), run(tone(4000))
    assert first == again
    other = run(tone(4000, frequency=330))
    assert [m.get("expressions") for m in first] != [m.get("expressions") for m in other]


def test_quiet_noise_under_the_threshold_is_not_speech() -> None:
    quiet = tone(2000, amplitude=0.005)  # about -49 dBFS RMS, under the -40 dBFS default
    assert run(quiet) == []


def test_a_quiet_voice_over_the_threshold_is_speech() -> None:
    assert windows(run(tone(2000, amplitude=0.03))) == [(0, 0, 2000, "speech_ended")]  # about -33 dBFS RMS


def test_the_threshold_is_a_setting() -> None:
    measurer = AudioMeasurer(threshold_dbfs=-60.0)
    messages = measurer.feed(tone(2000, amplitude=0.005)) + measurer.finish()
    assert windows(messages) == [(0, 0, 2000, "speech_ended")]
