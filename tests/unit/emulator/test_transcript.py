"""The pseudo-transcript: deterministic, nested units, consistent positions, times and confidences."""

from __future__ import annotations

import itertools

import pytest

from airflow_provider_hume.emulator.backend.request import TranscriptionConfig
from airflow_provider_hume.emulator.inference.text_models import entities
from airflow_provider_hume.emulator.inference.transcript import Transcript, transcribe

GRANULARITIES = ("word", "utterance", "sentence", "conversational_turn")


def heard(digest: str = "a" * 32, seconds: float = 60.0, **config: object) -> Transcript:
    transcript = transcribe(digest, seconds, TranscriptionConfig(**config))  # type: ignore[arg-type]
    assert transcript is not None
    return transcript


def test_same_audio_same_transcript_other_audio_other_transcript() -> None:
    assert heard() == heard()
    assert heard().text != heard("b" * 32).text
    assert heard(seconds=30).words == heard(seconds=60).words[: len(heard(seconds=30).words)]


def test_words_fill_the_audio_in_order() -> None:
    transcript = heard(seconds=20.0)
    words = transcript.words
    assert 0.1 <= words[0].begin <= 0.4
    assert all(a.end <= b.begin for a, b in itertools.pairwise(words))
    assert all(word.begin < word.end for word in words)
    assert words[-1].end <= 20.0
    assert words[-1].text[-1] in ".?!"
    assert transcript.language == "en"


@pytest.mark.parametrize("granularity", GRANULARITIES)
def test_segments_index_the_text(granularity: str) -> None:
    transcript = heard()
    segments = transcript.segments(granularity)
    assert " ".join(segment.text for segment in segments) == transcript.text
    for segment in segments:
        assert transcript.text[segment.begin : segment.end] == segment.text
        assert segment.time is not None
        assert 0 <= segment.time[0] < segment.time[1] <= 60.0
        assert segment.confidence is not None
        assert 0 <= segment.confidence <= 1


def test_units_nest_word_utterance_sentence_turn() -> None:
    transcript = heard(seconds=120.0)
    counts = [len(transcript.segments(granularity)) for granularity in GRANULARITIES]
    assert counts[0] > counts[1] > counts[2] > counts[3] >= 1
    sentences = transcript.segments("sentence")
    assert all(segment.text[-1] in ".?!" for segment in sentences)
    for utterance in transcript.segments("utterance"):
        assert any(s.begin <= utterance.begin and utterance.end <= s.end for s in sentences)


def test_a_turn_ends_when_the_speaker_changes() -> None:
    speakers = {digest: {word.speaker for word in heard(digest).words} for digest in "abcdefgh"}
    assert sorted(map(sorted, speakers.values()))[0] == [0]
    assert [0, 1] in map(sorted, speakers.values())
    for digest in speakers:
        turns = heard(digest).segments("conversational_turn")
        assert all(a.speaker != b.speaker for a, b in itertools.pairwise(turns))
        assert len(turns) == 1 or speakers[digest] == {0, 1}


def test_confidence_threshold_drops_whole_sentences() -> None:
    everything = heard(confidence_threshold=0.0)
    strict = heard(confidence_threshold=0.8)
    assert heard(confidence_threshold=1.0).words == ()
    assert 0 < len(strict.words) < len(everything.words)
    kept = strict.segments("sentence")
    assert all(segment.confidence is not None and segment.confidence >= 0.8 for segment in kept)
    assert {s.text for s in kept} <= {s.text for s in everything.segments("sentence")}
    assert strict.confidence == everything.confidence


def test_language_tag_is_reported_as_detected() -> None:
    assert heard(language="fr").language == "fr"
    assert heard(language="fr").words == heard().words


def test_names_are_the_only_entities() -> None:
    transcript = heard(seconds=300.0)
    found = [transcript.text[begin:end] for begin, end in entities(transcript.text)]
    assert found
    assert all(" " not in entity for entity in found)
    span = transcript.span(*next(iter(entities(transcript.text))))
    assert span.time is not None
    assert span.text == found[0]


def test_audio_too_short_for_a_word_has_no_transcript() -> None:
    assert transcribe("a" * 32, 0.2, TranscriptionConfig()) is None
