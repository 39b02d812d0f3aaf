"""Score vocabularies and sparse lists (hume-api-v1.md §9)."""

from __future__ import annotations

import pytest

from airflow_provider_hume.emulator.v1.scores import (
    AUDIO_EXPRESSION_SCORES,
    VIDEO_DESCRIPTION_SCORES,
    VIDEO_EXPRESSION_SCORES,
    VOICE_ATTRIBUTE_SCORES,
    ScoreKind,
    seeded_random,
    sparse_scores,
)
from airflow_provider_hume.emulator.v1.vocabulary import (
    AUDIO_EXPRESSIONS,
    DOCUMENTED_AUDIO_EXPRESSIONS,
    DOCUMENTED_VIDEO_DESCRIPTIONS,
    DOCUMENTED_VOICE_ATTRIBUTES,
    VIDEO_DESCRIPTIONS,
    VIDEO_EXPRESSIONS,
    VOICE_ATTRIBUTES,
)

KINDS = [AUDIO_EXPRESSION_SCORES, VOICE_ATTRIBUTE_SCORES, VIDEO_EXPRESSION_SCORES, VIDEO_DESCRIPTION_SCORES]


@pytest.mark.parametrize(
    ("names", "count", "documented"),
    [
        (AUDIO_EXPRESSIONS, 415, DOCUMENTED_AUDIO_EXPRESSIONS),
        (VOICE_ATTRIBUTES, 190, DOCUMENTED_VOICE_ATTRIBUTES),
        (VIDEO_EXPRESSIONS, 48, ("admiration", "surprise (positive)", "realization", "entrancement")),
        (VIDEO_DESCRIPTIONS, 27, DOCUMENTED_VIDEO_DESCRIPTIONS),
    ],
)
def test_vocabularies_have_the_documented_sizes_and_examples(
    names: tuple[str, ...], count: int, documented: tuple[str, ...]
) -> None:
    assert len(names) == len(set(names)) == count
    assert set(documented) <= set(names)
    assert all(name == name.lower() for name in names)


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.name)
def test_lists_are_sorted_cut_and_rounded(kind: ScoreKind) -> None:
    for index in range(300):
        scores = sparse_scores(kind, seeded_random(7, str(index)))
        pairs = [(score["probability"], score["name"]) for score in scores]
        assert pairs == sorted(pairs, key=lambda pair: (-pair[0], pair[1]))
        assert len({name for _, name in pairs}) == len(pairs)
        for probability, name in pairs:
            assert name in kind.vocabulary
            assert round(probability, 4) == probability
            assert kind.low <= probability <= 1


def test_voice_attributes_pass_their_cutoff_and_video_lists_pass_theirs() -> None:
    lists = [sparse_scores(VOICE_ATTRIBUTE_SCORES, seeded_random(1, str(i))) for i in range(200)]
    assert min(score["probability"] for scores in lists for score in scores) >= 0.725
    assert any(not scores for scores in lists)  # a list may be empty
    for kind in (VIDEO_EXPRESSION_SCORES, VIDEO_DESCRIPTION_SCORES):
        lists = [sparse_scores(kind, seeded_random(1, str(i))) for i in range(200)]
        assert min(score["probability"] for scores in lists for score in scores) > 0.1


def test_the_same_seed_and_bytes_give_the_same_list() -> None:
    first = sparse_scores(AUDIO_EXPRESSION_SCORES, seeded_random(3, b"window"))
    assert first == sparse_scores(AUDIO_EXPRESSION_SCORES, seeded_random(3, b"window"))
    others = [sparse_scores(AUDIO_EXPRESSION_SCORES, seeded_random(seed, b"window")) for seed in range(4, 9)]
    assert any(other != first for other in others)


def test_ties_are_ordered_by_name() -> None:
    kind = ScoreKind("tied", tuple(f"name {index:02d}" for index in range(50, 0, -1)), (6, 6), 0.5, 0.5)
    names = [score["name"] for score in sparse_scores(kind, seeded_random(0))]
    assert len(names) > 1
    assert names == sorted(names)
