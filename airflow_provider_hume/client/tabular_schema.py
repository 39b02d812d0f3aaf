"""The fixed column layout of flattened predictions: one stable schema per model (hume-api-v0.md §2.7, §3).

Every row holds one prediction object. Columns are the shared context columns, the model's positional
columns, then one column per expression in the model's exact name set (named verbatim, in the documented
alphabetical order), then for ``language`` the sentiment and toxicity columns. A column a prediction does not
carry is null, so two jobs of the same model always produce the same schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

ColumnKind = Literal["string", "int", "float"]

EXPRESSIONS_48: Final[tuple[str, ...]] = (
    "Admiration", "Adoration", "Aesthetic Appreciation", "Amusement", "Anger", "Anxiety", "Awe",
    "Awkwardness", "Boredom", "Calmness", "Concentration", "Confusion", "Contemplation", "Contempt",
    "Contentment", "Craving", "Desire", "Determination", "Disappointment", "Disgust", "Distress", "Doubt",
    "Ecstasy", "Embarrassment", "Empathic Pain", "Entrancement", "Envy", "Excitement", "Fear", "Guilt",
    "Horror", "Interest", "Joy", "Love", "Nostalgia", "Pain", "Pride", "Realization", "Relief", "Romance",
    "Sadness", "Satisfaction", "Shame", "Surprise (negative)", "Surprise (positive)", "Sympathy", "Tiredness",
    "Triumph",
)  # fmt: skip
"""Face, burst, prosody and facemesh (§3.1)."""

EXPRESSIONS_53: Final[tuple[str, ...]] = tuple(
    sorted((*EXPRESSIONS_48, "Annoyance", "Disapproval", "Enthusiasm", "Gratitude", "Sarcasm"))
)
"""Language and NER (§3.2): the 48 plus five, merged alphabetically."""

SENTIMENT_COLUMNS: Final[tuple[str, ...]] = tuple(f"sentiment_{level}" for level in range(1, 10))
TOXICITY_COLUMNS: Final[tuple[str, ...]] = tuple(
    f"toxicity_{name}" for name in ("toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate")
)


@dataclass(frozen=True)
class Column:
    """One output column: its name and value kind (``int`` and ``float`` map to 64-bit types)."""

    name: str
    kind: ColumnKind


COMMON_COLUMNS: Final[tuple[Column, ...]] = tuple(
    Column(name, "string") for name in ("job_id", "source_type", "source", "file", "model", "group_id")
)

_TIME_SPAN = (Column("time_begin", "float"), Column("time_end", "float"))
_POSITION = (Column("position_begin", "int"), Column("position_end", "int"))
_SPEECH = (Column("confidence", "float"), Column("speaker_confidence", "float"))

_POSITIONAL: Final[dict[str, tuple[Column, ...]]] = {
    "face": (
        Column("frame", "int"),
        Column("time", "float"),
        Column("prob", "float"),
        *(Column(f"box_{side}", "float") for side in "xywh"),
    ),
    "burst": _TIME_SPAN,
    "prosody": (Column("text", "string"), *_TIME_SPAN, *_SPEECH),
    "language": (Column("text", "string"), *_POSITION, *_TIME_SPAN, *_SPEECH),
    "ner": (
        Column("entity", "string"),
        *_POSITION,
        Column("entity_confidence", "float"),
        Column("support", "float"),
        Column("uri", "string"),
        Column("link_word", "string"),
        *_TIME_SPAN,
        *_SPEECH,
    ),
    "facemesh": (),
}

_EXPRESSIONS: Final[dict[str, tuple[str, ...]]] = {
    "face": EXPRESSIONS_48,
    "burst": EXPRESSIONS_48,
    "prosody": EXPRESSIONS_48,
    "facemesh": EXPRESSIONS_48,
    "language": EXPRESSIONS_53,
    "ner": EXPRESSIONS_53,
}

TABLE_MODELS: Final[tuple[str, ...]] = ("face", "burst", "prosody", "language", "ner", "facemesh")
"""The models with a table schema, in output order."""


def _columns(model: str) -> tuple[Column, ...]:
    scores = _EXPRESSIONS[model] + (SENTIMENT_COLUMNS + TOXICITY_COLUMNS if model == "language" else ())
    return COMMON_COLUMNS + _POSITIONAL[model] + tuple(Column(name, "float") for name in scores)


MODEL_COLUMNS: Final[dict[str, tuple[Column, ...]]] = {model: _columns(model) for model in TABLE_MODELS}
"""The full, ordered column list of each model's table."""

# Where a prediction's scalar fields land, keyed by their path inside the prediction object.
SCALAR_FIELDS: Final[dict[str, str]] = {
    ".frame": "frame",
    ".time": "time",
    ".prob": "prob",
    ".box.x": "box_x",
    ".box.y": "box_y",
    ".box.w": "box_w",
    ".box.h": "box_h",
    ".time.begin": "time_begin",
    ".time.end": "time_end",
    ".position.begin": "position_begin",
    ".position.end": "position_end",
    ".text": "text",
    ".confidence": "confidence",
    ".speaker_confidence": "speaker_confidence",
    ".entity": "entity",
    ".entity_confidence": "entity_confidence",
    ".support": "support",
    ".uri": "uri",
    ".link_word": "link_word",
}

# Score lists inside a prediction, and the prefix their names get as columns.
SCORE_LISTS: Final[dict[str, str]] = {".emotions": "", ".sentiment": "sentiment_", ".toxicity": "toxicity_"}
