"""Deterministic pseudo-random numbers: every value is a pure function of the parts that seed it (§8)."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable
from typing import Any


def seeded(*parts: object) -> random.Random:
    """A generator seeded by the SHA-256 of ``parts`` (e.g. digest, model, config, segment index)."""
    key = "\x1f".join(str(part) for part in parts).encode()
    return random.Random(int.from_bytes(hashlib.sha256(key).digest()[:16], "big"))


def named_scores(rng: random.Random, names: Iterable[str], *, power: float = 2.0) -> list[dict[str, Any]]:
    """``[{"name", "score"}]`` with scores in [0, 1]; a higher ``power`` makes high scores rarer."""
    return [{"name": name, "score": rng.random() ** power} for name in names]


def distribution(rng: random.Random, names: Iterable[str]) -> list[dict[str, Any]]:
    """``[{"name", "score"}]`` whose scores sum to 1 (a probability distribution)."""
    labels = list(names)
    weights = [rng.random() + 1e-6 for _ in labels]
    total = sum(weights)
    return [{"name": name, "score": weight / total} for name, weight in zip(labels, weights, strict=True)]


def ms(seconds: float) -> float:
    """Seconds rounded to the millisecond, as times appear in predictions."""
    return round(seconds, 3)
