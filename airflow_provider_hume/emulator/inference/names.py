"""Name sets the emulator's models score: expressions (hume-api-v0.md §3), sentiment, toxicity, descriptors.

The 48 expression names and their order are confirmed by Hume's own examples; the language/NER set adds five
names merged alphabetically. FACS, face-description and vocal-burst descriptor lists are not published in
full, so the lists here are plausible samples (marked UNCONFIRMED in the reference).
"""

from __future__ import annotations

from typing import Final

EXPRESSIONS_48: Final[tuple[str, ...]] = (
    "Admiration",
    "Adoration",
    "Aesthetic Appreciation",
    "Amusement",
    "Anger",
    "Anxiety",
    "Awe",
    "Awkwardness",
    "Boredom",
    "Calmness",
    "Concentration",
    "Confusion",
    "Contemplation",
    "Contempt",
    "Contentment",
    "Craving",
    "Desire",
    "Determination",
    "Disappointment",
    "Disgust",
    "Distress",
    "Doubt",
    "Ecstasy",
    "Embarrassment",
    "Empathic Pain",
    "Entrancement",
    "Envy",
    "Excitement",
    "Fear",
    "Guilt",
    "Horror",
    "Interest",
    "Joy",
    "Love",
    "Nostalgia",
    "Pain",
    "Pride",
    "Realization",
    "Relief",
    "Romance",
    "Sadness",
    "Satisfaction",
    "Shame",
    "Surprise (negative)",
    "Surprise (positive)",
    "Sympathy",
    "Tiredness",
    "Triumph",
)

LANGUAGE_ONLY_EXPRESSIONS: Final[tuple[str, ...]] = (
    "Annoyance",
    "Disapproval",
    "Enthusiasm",
    "Gratitude",
    "Sarcasm",
)

EXPRESSIONS_53: Final[tuple[str, ...]] = tuple(sorted(EXPRESSIONS_48 + LANGUAGE_ONLY_EXPRESSIONS))

SENTIMENT: Final[tuple[str, ...]] = tuple(str(level) for level in range(1, 10))

TOXICITY: Final[tuple[str, ...]] = ("toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate")

FACS: Final[tuple[str, ...]] = (
    "AU1 Inner Brow Raise",
    "AU2 Outer Brow Raise",
    "AU4 Brow Lowerer",
    "AU5 Upper Lid Raise",
    "AU6 Cheek Raise",
    "AU7 Lids Tight",
    "AU9 Nose Wrinkle",
    "AU10 Upper Lip Raiser",
    "AU12 Lip Corner Puller",
    "AU14 Dimpler",
    "AU15 Lip Corner Depressor",
    "AU17 Chin Raiser",
    "AU20 Lip Stretch",
    "AU24 Lip Presser",
    "AU25 Lips Part",
    "AU26 Jaw Drop",
    "AU43 Eye Closure",
)

FACE_DESCRIPTIONS: Final[tuple[str, ...]] = (
    "Frown",
    "Glare",
    "Grimace",
    "Hand over eyes",
    "Hand over mouth",
    "Pout",
    "Smile",
    "Smirk",
    "Wink",
)

BURST_DESCRIPTIONS: Final[tuple[str, ...]] = (
    "Ah",
    "Aww",
    "Cough",
    "Cry",
    "Gasp",
    "Grunt",
    "Hmm",
    "Laugh",
    "Mhm",
    "Oh",
    "Sigh",
    "Ugh",
    "Whoa",
)
