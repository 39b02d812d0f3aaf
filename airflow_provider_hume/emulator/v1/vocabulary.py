"""The four score vocabularies of ``v1`` (hume-api-v1.md §9), at their documented sizes.

Hume documents the counts (415 audio expressions since ``neutral`` was added on 2026-10-20, 190 voice
attributes, 48 video expressions, 27 video descriptions) and a few example names; the full lists are
unpublished (✖). So each list holds the documented examples, then plausible names, then, where still short,
a deterministic filler named ``unpublished <kind> NNN`` so that nobody mistakes it for one of Hume's names:

* video expressions: the 48 ``v0`` face expressions, lowercase; every documented ``v1`` example is among them
  (≈, inferred);
* video descriptions: the 4 documented actions, then 23 guessed facial actions;
* audio expressions: the 10 documented examples, the other ``v0`` expressions, then filler;
* voice attributes: the 6 documented examples, then filler.
"""

from __future__ import annotations

from typing import Final

from airflow_provider_hume.emulator.inference.names import EXPRESSIONS_48

AUDIO_EXPRESSION_COUNT: Final = 415
VOICE_ATTRIBUTE_COUNT: Final = 190
FILLER_PREFIX: Final = "unpublished "
VIDEO_EXPRESSION_COUNT: Final = 48
VIDEO_DESCRIPTION_COUNT: Final = 27

DOCUMENTED_AUDIO_EXPRESSIONS: Final = (
    "interest",
    "amusement",
    "joy",
    "anger",
    "chuckling",
    "pondering",
    "feeling uplifted",
    "abhorrence",
    "admiration",
    "neutral",
)
DOCUMENTED_VOICE_ATTRIBUTES: Final = ("clear", "calm", "monotone", "husky", "fast", "background music")
DOCUMENTED_VIDEO_DESCRIPTIONS: Final = ("smile", "grin", "jaw drop", "wide-eyed")
GUESSED_VIDEO_DESCRIPTIONS: Final = (
    "frown",
    "glare",
    "grimace",
    "pout",
    "smirk",
    "wink",
    "raised eyebrows",
    "furrowed brow",
    "eyes closed",
    "squint",
    "lip press",
    "lip pucker",
    "mouth open",
    "nose wrinkle",
    "cheek raise",
    "lip corner pull",
    "lip corner drop",
    "chin raise",
    "lips part",
    "dimple",
    "upper lid raise",
    "lip bite",
    "tongue out",
)


def _filled(names: tuple[str, ...], count: int, kind: str) -> tuple[str, ...]:
    unique = tuple(dict.fromkeys(names))
    filler = tuple(f"{FILLER_PREFIX}{kind} {index:03d}" for index in range(len(unique) + 1, count + 1))
    return (unique + filler)[:count]


VIDEO_EXPRESSIONS: Final = tuple(name.lower() for name in EXPRESSIONS_48)
VIDEO_DESCRIPTIONS: Final = _filled(
    DOCUMENTED_VIDEO_DESCRIPTIONS + GUESSED_VIDEO_DESCRIPTIONS, VIDEO_DESCRIPTION_COUNT, "description"
)
AUDIO_EXPRESSIONS: Final = _filled(
    DOCUMENTED_AUDIO_EXPRESSIONS + VIDEO_EXPRESSIONS, AUDIO_EXPRESSION_COUNT, "audio expression"
)
VOICE_ATTRIBUTES: Final = _filled(DOCUMENTED_VOICE_ATTRIBUTES, VOICE_ATTRIBUTE_COUNT, "voice attribute")
