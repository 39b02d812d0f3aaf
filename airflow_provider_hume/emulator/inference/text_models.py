"""Predictions of the text models, language and NER, on plain text or on the transcript of audio.

Plain text is segmented by ``granularity``: ``word`` = every whitespace-separated token (punctuation
included, so ``"Test!"`` stays one word), ``sentence`` and ``utterance`` = sentences ending in ``.``, ``!`` or
``?`` (hume-api-v0.md §2.2.3: the same for text), ``conversational_turn`` = the whole passage. Positions are
character offsets, end exclusive. Plain text was not transcribed, so ``metadata``, ``time``, ``confidence``
and ``speaker_confidence`` are ``null`` and ``identify_speakers`` tags everything ``spk_0`` (one writer).
A transcript (:mod:`transcript`) brings times, confidences, speakers and ``metadata``. NER tags runs of
capitalised words (minus leading function words and greetings) as entities linked to Wikipedia.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Final

from airflow_provider_hume.emulator.backend.request import LanguageConfig, NerConfig
from airflow_provider_hume.emulator.inference.media_models import grouped
from airflow_provider_hume.emulator.inference.names import EXPRESSIONS_53, SENTIMENT, TOXICITY
from airflow_provider_hume.emulator.inference.scores import distribution, ms, named_scores, seeded
from airflow_provider_hume.emulator.inference.transcript import Segment

_WORD: Final = re.compile(r"\S+")
_SENTENCE: Final = re.compile(r"[^\s.!?][^.!?]*(?:[.!?]+|$)")
_CAPITALISED_RUN: Final = re.compile(r"\b[A-Z][\w'-]*(?:[ \t]+[A-Z][\w'-]*)*")
_NOT_ENTITIES: Final = frozenset(
    (
        "A", "An", "And", "At", "But", "Bye", "Everyone", "For", "Goodbye", "He", "Hello", "Her", "Hey",
        "Hi", "His", "I", "If", "In", "It", "My", "No", "Nobody", "Not", "Of", "Oh", "Ok", "Okay", "On",
        "Or", "Our", "Please", "She", "So", "Thanks", "That", "The", "Their", "There", "These", "They",
        "This", "To", "Today", "Tomorrow", "We", "Well", "What", "When", "Where", "Who", "Why", "Yes",
        "Yesterday", "You", "Your",
    )
)  # fmt: skip


def segments(text: str, granularity: str) -> list[tuple[int, int]]:
    """``(begin, end)`` character spans of ``text`` at ``granularity``."""
    if granularity == "word":
        return [match.span() for match in _WORD.finditer(text)]
    if granularity == "conversational_turn":
        stripped = text.strip()
        if not stripped:
            return []
        begin = text.index(stripped)
        return [(begin, begin + len(stripped))]
    return [
        (found.start(), found.start() + len(found.group().rstrip())) for found in _SENTENCE.finditer(text)
    ]


def text_segments(text: str, granularity: str) -> list[Segment]:
    """The segments of plain ``text`` at ``granularity``: no time, confidence or speaker."""
    return [Segment(text[begin:end], begin, end) for begin, end in segments(text, granularity)]


def language(digest: str, text: str, config: LanguageConfig) -> dict[str, Any]:
    """One ``LanguagePrediction`` per segment of plain ``text``."""
    return language_predictions(digest, text_segments(text, config.granularity), config)


def language_predictions(
    digest: str,
    spans: list[Segment],
    config: LanguageConfig,
    *,
    identify_speakers: bool = False,
    metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One ``LanguagePrediction`` per segment (of plain text, or of a transcript with times)."""
    identify = identify_speakers or config.identify_speakers
    pairs = []
    for index, span in enumerate(spans):
        key = (config.granularity, index)
        prediction = {
            "text": span.text,
            "position": {"begin": span.begin, "end": span.end},
            **_speech_fields(span, identify),
            "emotions": named_scores(seeded(digest, "language", *key), EXPRESSIONS_53),
            "sentiment": distribution(seeded(digest, "sentiment", *key), SENTIMENT)
            if config.sentiment
            else None,
            "toxicity": named_scores(seeded(digest, "toxicity", *key), TOXICITY, power=6.0)
            if config.toxicity
            else None,
        }
        pairs.append((_group_id(span, identify), prediction))
    return grouped(pairs, metadata)


def entities(text: str) -> Iterator[tuple[int, int]]:
    """Spans of capitalised-word runs, leading function words dropped."""
    for run in _CAPITALISED_RUN.finditer(text):
        offset = run.start()
        words = [(offset + word.start(), offset + word.end()) for word in _WORD.finditer(run.group())]
        while words and text[words[0][0] : words[0][1]] in _NOT_ENTITIES:
            words.pop(0)
        if words and (len(words) > 1 or words[0][1] - words[0][0] > 1):
            yield words[0][0], words[-1][1]


def ner(digest: str, text: str, config: NerConfig) -> dict[str, Any]:
    """One ``NerPrediction`` per entity of plain ``text``."""
    found = [Segment(text[begin:end], begin, end) for begin, end in entities(text)]
    return ner_predictions(digest, found, config)


def ner_predictions(
    digest: str,
    found: list[Segment],
    config: NerConfig,
    *,
    identify_speakers: bool = False,
    metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One ``NerPrediction`` per entity span, linked to Wikipedia by its words."""
    identify = identify_speakers or config.identify_speakers
    pairs = []
    for index, span in enumerate(found):
        rng = seeded(digest, "ner", index)
        prediction = {
            "entity": span.text,
            "position": {"begin": span.begin, "end": span.end},
            "entity_confidence": 0.5 + 0.5 * rng.random(),
            "support": round(1.0 + 19.0 * rng.random(), 2),
            "uri": "https://en.wikipedia.org/wiki/" + span.text.replace(" ", "_"),
            "link_word": span.text.split()[-1],
            **_speech_fields(span, identify),
            "emotions": named_scores(rng, EXPRESSIONS_53),
        }
        pairs.append((_group_id(span, identify), prediction))
    return grouped(pairs, metadata)


def _speech_fields(span: Segment, identify: bool) -> dict[str, Any]:
    """``time``, ``confidence`` and ``speaker_confidence``: ``null`` for plain text."""
    return {
        "time": None if span.time is None else {"begin": ms(span.time[0]), "end": ms(span.time[1])},
        "confidence": span.confidence,
        "speaker_confidence": span.speaker_confidence if identify else None,
    }


def _group_id(span: Segment, identify: bool) -> str:
    return f"spk_{span.speaker}" if identify else "unknown"
