"""Predictions of the text models: language (per word, sentence or passage) and NER.

Text is segmented by ``granularity``: ``word`` = every whitespace-separated token (punctuation included, so
``"Test!"`` stays one word), ``sentence`` and ``utterance`` = sentences ending in ``.``, ``!`` or ``?``,
``conversational_turn`` = the whole passage. Positions are character offsets, end exclusive. Nothing was
transcribed, so ``metadata``, ``time``, ``confidence`` and ``speaker_confidence`` are ``null``. NER tags runs
of capitalised words (minus leading function words and greetings) as entities linked to Wikipedia.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Final

from airflow_provider_hume.emulator.media_models import grouped
from airflow_provider_hume.emulator.names import EXPRESSIONS_53, SENTIMENT, TOXICITY
from airflow_provider_hume.emulator.request import LanguageConfig, NerConfig
from airflow_provider_hume.emulator.scores import distribution, named_scores, seeded

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


def language(digest: str, text: str, config: LanguageConfig) -> dict[str, Any]:
    """One ``LanguagePrediction`` per segment."""
    speaker = "spk_0" if config.identify_speakers else "unknown"
    pairs = []
    for index, (begin, end) in enumerate(segments(text, config.granularity)):
        key = (config.granularity, index)
        rng = seeded(digest, "language", *key)
        prediction = {
            "text": text[begin:end],
            "position": {"begin": begin, "end": end},
            "time": None,
            "confidence": None,
            "speaker_confidence": None,
            "emotions": named_scores(rng, EXPRESSIONS_53),
            "sentiment": distribution(seeded(digest, "sentiment", *key), SENTIMENT)
            if config.sentiment
            else None,
            "toxicity": named_scores(seeded(digest, "toxicity", *key), TOXICITY, power=6.0)
            if config.toxicity
            else None,
        }
        pairs.append((speaker, prediction))
    return grouped(pairs)


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
    """One ``NerPrediction`` per entity."""
    speaker = "spk_0" if config.identify_speakers else "unknown"
    pairs = []
    for index, (begin, end) in enumerate(entities(text)):
        entity = text[begin:end]
        rng = seeded(digest, "ner", index)
        prediction = {
            "entity": entity,
            "position": {"begin": begin, "end": end},
            "entity_confidence": 0.5 + 0.5 * rng.random(),
            "support": round(1.0 + 19.0 * rng.random(), 2),
            "uri": "https://en.wikipedia.org/wiki/" + entity.replace(" ", "_"),
            "link_word": entity.split()[-1],
            "time": None,
            "confidence": None,
            "speaker_confidence": None,
            "emotions": named_scores(rng, EXPRESSIONS_53),
        }
        pairs.append((speaker, prediction))
    return grouped(pairs)
