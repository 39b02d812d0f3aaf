"""Deterministic sparse score lists (hume-api-v1.md §9), seeded by the media they stand for.

A list holds a few names drawn from its vocabulary (mostly from the published and plausible names, now and
then a filler one: :mod:`.vocabulary`), each with a probability that passes the list's cutoff
(audio expressions: a per-expression threshold, here any probability from 0.15; voice attributes ≥ 0.725;
video expressions and descriptions > 0.1), rounded to 4 decimals and sorted by descending probability, ties
by name. The same seed, kind and bytes always give the same list.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from typing import Any, Final

from airflow_provider_hume.emulator.v1.vocabulary import (
    AUDIO_EXPRESSIONS,
    FILLER_PREFIX,
    VIDEO_DESCRIPTIONS,
    VIDEO_EXPRESSIONS,
    VOICE_ATTRIBUTES,
)

#: The share of draws made from the non-filler names.
NAMED_SHARE: Final = 0.9


@dataclass(frozen=True)
class ScoreKind:
    """One score list: its vocabulary, how many names it lists and the probability range it draws from."""

    name: str
    vocabulary: tuple[str, ...]
    count: tuple[int, int]
    low: float
    high: float


AUDIO_EXPRESSION_SCORES: Final = ScoreKind("audio expressions", AUDIO_EXPRESSIONS, (1, 8), 0.15, 0.95)
VOICE_ATTRIBUTE_SCORES: Final = ScoreKind("voice attributes", VOICE_ATTRIBUTES, (0, 5), 0.725, 0.99)
VIDEO_EXPRESSION_SCORES: Final = ScoreKind("video expressions", VIDEO_EXPRESSIONS, (1, 10), 0.1001, 0.95)
VIDEO_DESCRIPTION_SCORES: Final = ScoreKind("video descriptions", VIDEO_DESCRIPTIONS, (0, 5), 0.1001, 0.95)


def seeded_random(seed: int, *parts: bytes | str) -> random.Random:
    """A generator seeded by ``seed`` and the SHA-256 of ``parts``."""
    digest = hashlib.sha256(str(seed).encode())
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return random.Random(digest.digest())


def sparse_scores(kind: ScoreKind, rng: random.Random) -> list[dict[str, Any]]:
    """A sorted list of ``{"name", "probability"}`` for ``kind``, drawn from ``rng``."""
    named = [name for name in kind.vocabulary if not name.startswith(FILLER_PREFIX)]
    names: dict[str, None] = {}
    for _ in range(rng.randint(*kind.count)):
        pool = named if rng.random() < NAMED_SHARE else kind.vocabulary
        names[rng.choice(pool)] = None
    scores = [(round(rng.uniform(kind.low, kind.high), 4), name) for name in names]
    scores.sort(key=lambda score: (-score[0], score[1]))
    return [{"name": name, "probability": probability} for probability, name in scores]
