"""The pseudo-transcript of an audio track: what the emulator "hears" when transcription is enabled.

The emulator cannot recognise speech, so it invents a transcript that is a pure function of the audio's
digest and duration (hume-api-v0.md §8): sentences of common English words with an occasional capitalised name
(never two in a row, so NER finds each one), spoken by one or two speakers, with per-word times that run
from a short leading silence towards the end of the audio. Sentences open with a function word, so only the
names look like entities. With ``transcription: null`` nothing is transcribed: prosody has no text, and
language and NER do not run on audio at all.

The units nest: a conversational turn (a run of sentences by one speaker) holds sentences, a sentence holds
utterances (phrases of two to five words separated by short pauses), an utterance holds words. Each sentence
has a confidence (the mean of its words'); ``transcription.confidence_threshold`` drops the sentences below
it, words and all, before any model sees the transcript. Language detection always finds ``en`` unless
``transcription.language`` names the language. Audio too short for one word has no transcript.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Final

from airflow_provider_hume.emulator.backend.request import TranscriptionConfig
from airflow_provider_hume.emulator.inference.scores import seeded

DETECTED_LANGUAGE: Final = "en"
_OPENERS: Final = ("I", "We", "You", "They", "So", "Well", "Yes", "The", "This", "It", "Oh", "And", "But")
_WORDS: Final = (
    "about", "after", "again", "always", "around", "because", "before", "better", "call", "came", "could",
    "day", "every", "feel", "found", "friends", "good", "great", "happy", "here", "home", "just", "know",
    "last", "little", "long", "made", "make", "maybe", "more", "morning", "much", "music", "never", "next",
    "night", "nothing", "people", "place", "really", "right", "same", "see", "something", "still", "story",
    "talk", "thing", "think", "time", "today", "together", "very", "want", "way", "week", "well", "work",
    "world", "year", "felt", "went", "visit", "love", "remember", "tonight", "quite", "sure", "back",
)  # fmt: skip
_NAMES: Final = (
    "Alice", "Berlin", "Chicago", "Einstein", "Hume", "Lisbon", "London", "Madrid", "Maria", "Mozart",
    "Nairobi", "Obama", "Paris", "Picasso", "Sydney", "Tokyo", "Toronto",
)  # fmt: skip
NAME_SHARE: Final = 0.12


@dataclass(frozen=True)
class Word:
    """One transcribed word with its place in the hierarchy (sentence, utterance) and its speaker."""

    text: str
    begin: float
    end: float
    confidence: float
    speaker: int
    speaker_confidence: float
    sentence: int
    utterance: int


@dataclass(frozen=True)
class Segment:
    """A span of text: character offsets into the whole text (end exclusive), and for speech its time."""

    text: str
    begin: int
    end: int
    time: tuple[float, float] | None = None
    confidence: float | None = None
    speaker: int = 0
    speaker_confidence: float | None = None


@dataclass(frozen=True)
class Transcript:
    """The words kept after the confidence threshold; ``confidence`` covers every word heard."""

    words: tuple[Word, ...]
    confidence: float
    language: str

    @cached_property
    def text(self) -> str:
        """The kept words joined by single spaces: what positions index into."""
        return " ".join(word.text for word in self.words)

    def metadata(self) -> dict[str, object]:
        """``TranscriptionMetadata`` (hume-api-v0.md §2.7)."""
        return {"confidence": self.confidence, "detected_language": self.language}

    def segments(self, granularity: str) -> list[Segment]:
        """The transcript cut at ``granularity``: words, utterances, sentences or conversational turns."""
        keys = {
            "word": range(len(self.words)),
            "utterance": [word.utterance for word in self.words],
            "sentence": [word.sentence for word in self.words],
            "conversational_turn": [word.speaker for word in self.words],
        }[granularity]
        segments, first = [], 0
        for index in range(1, len(self.words) + 1):
            if index == len(self.words) or keys[index] != keys[first]:
                segments.append(self._segment(first, index))
                first = index
        return segments

    def span(self, begin: int, end: int) -> Segment:
        """The segment of the words overlapping characters ``[begin, end)``, with exactly that text."""
        first = max(index for index, start in enumerate(self._starts) if start <= begin)
        last = max(index for index, start in enumerate(self._starts) if start < end)
        segment = self._segment(first, last + 1)
        return replace(segment, text=self.text[begin:end], begin=begin, end=end)

    @cached_property
    def _starts(self) -> list[int]:
        starts, offset = [], 0
        for word in self.words:
            starts.append(offset)
            offset += len(word.text) + 1
        return starts

    def _segment(self, first: int, stop: int) -> Segment:
        words = self.words[first:stop]
        begin = self._starts[first]
        text = " ".join(word.text for word in words)
        return Segment(
            text=text,
            begin=begin,
            end=begin + len(text),
            time=(words[0].begin, words[-1].end),
            confidence=_mean(word.confidence for word in words),
            speaker=words[0].speaker,
            speaker_confidence=_mean(word.speaker_confidence for word in words),
        )


def transcribe(digest: str, duration: float, config: TranscriptionConfig) -> Transcript | None:
    """The transcript of audio with this digest and duration, or ``None`` when no word fits in it."""
    heard = _hear(digest, duration)
    if not heard:
        return None
    sentences: dict[int, list[float]] = {}
    for word in heard:
        sentences.setdefault(word.sentence, []).append(word.confidence)
    threshold = config.confidence_threshold
    kept = tuple(word for word in heard if _mean(sentences[word.sentence]) >= threshold)
    return Transcript(kept, _mean(word.confidence for word in heard), config.language or DETECTED_LANGUAGE)


def _hear(digest: str, duration: float) -> list[Word]:
    speakers = 2 if seeded(digest, "transcript", "speakers").random() < 0.6 else 1
    clock = 0.1 + 0.3 * seeded(digest, "transcript", "lead").random()
    words: list[Word] = []
    speaker = utterance = sentence = 0
    while True:
        rng = seeded(digest, "transcript", "sentence", sentence)
        if sentence and speakers == 2 and rng.random() < 0.5:
            speaker = 1 - speaker
        base = 0.3 + 0.7 * rng.random() ** 0.4
        tokens = _sentence(rng)
        phrase_left = rng.randint(2, 5)
        for position, token in enumerate(tokens):
            length = 0.12 + 0.055 * len(token) * (0.8 + 0.4 * rng.random())
            if clock + length > duration:
                return _close_sentence(words)
            confidence = min(0.99, max(0.0, base + 0.1 * (rng.random() - 0.5)))
            spoken = Word(token, clock, clock + length, confidence, speaker, 0.7 + 0.3 * rng.random(),
                          sentence, utterance)  # fmt: skip
            words.append(spoken)
            clock += length
            phrase_left -= 1
            if position == len(tokens) - 1:
                clock += 0.5 + 0.4 * rng.random()
                utterance += 1
            elif phrase_left == 0:
                clock += 0.25 + 0.25 * rng.random()
                utterance += 1
                phrase_left = rng.randint(2, 5)
            else:
                clock += 0.02 + 0.06 * rng.random()
        sentence += 1


def _sentence(rng: random.Random) -> list[str]:
    tokens = [rng.choice(_OPENERS)]
    for _ in range(rng.randint(3, 11)):
        name = rng.random() < NAME_SHARE and tokens[-1] not in _NAMES
        tokens.append(rng.choice(_NAMES) if name else rng.choice(_WORDS))
    tokens[-1] += rng.choice(".....?!")
    return tokens


def _close_sentence(words: list[Word]) -> list[Word]:
    """End a sentence cut short by the end of the audio with a full stop."""
    if words and words[-1].text[-1] not in ".?!":
        words[-1] = replace(words[-1], text=words[-1].text + ".")
    return words


def _mean(values: Iterable[float]) -> float:
    numbers = list(values)
    return round(sum(numbers) / len(numbers), 6)
