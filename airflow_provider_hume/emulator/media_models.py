"""Predictions of the media models: face (images), prosody and burst (audio), facemesh (landmark files).

Shapes follow hume-api.md §2.7. Values are seeded by the item's digest, the model, the settings that change
the segmentation, and the segment index, so raising ``prob_threshold`` drops faces instead of reshuffling
them. Audio is not transcribed, so prosody predictions carry no ``text`` and their granularity is utterance-
like segments of 1-3 s unless a ``window`` is set.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from airflow_provider_hume.emulator.names import BURST_DESCRIPTIONS, EXPRESSIONS_48, FACE_DESCRIPTIONS, FACS
from airflow_provider_hume.emulator.request import FaceConfig, ProsodyConfig
from airflow_provider_hume.emulator.scores import ms, named_scores, seeded
from airflow_provider_hume.emulator.sources import Item

Prediction = dict[str, Any]


def grouped(predictions: Iterable[tuple[str, Prediction]], metadata: Any = None) -> dict[str, Any]:
    """``{"metadata", "grouped_predictions"}``, grouping ``(id, prediction)`` pairs by first-seen id."""
    groups: dict[str, list[Prediction]] = {}
    for group_id, prediction in predictions:
        groups.setdefault(group_id, []).append(prediction)
    return {
        "metadata": metadata,
        "grouped_predictions": [{"id": key, "predictions": value} for key, value in groups.items()],
    }


def face(item: Item, config: FaceConfig) -> dict[str, Any]:
    """One or two faces per image; faces below ``prob_threshold`` or ``min_face_size`` are omitted."""
    return grouped(
        (f"face_{index}" if config.identify_faces else "unknown", prediction)
        for index, prediction in detected_faces(item, config)
    )


def detected_faces(item: Item, config: FaceConfig) -> list[tuple[int, Prediction]]:
    """``(face index, FacePrediction)`` for every face kept by the config."""
    width, height = item.media.width or 0, item.media.height or 0
    count = 2 if seeded(item.digest, "face", "count").random() < 0.4 else 1
    faces = []
    for index in range(count):
        rng = seeded(item.digest, "face", index)
        prob = 0.99 + 0.01 * rng.random() if index == 0 else 0.9 + 0.1 * rng.random()
        box_w = min(width, height) * (0.25 + 0.25 * rng.random())
        box_h = min(box_w * (1.1 + 0.2 * rng.random()), float(height))
        left, top = rng.random() * (width - box_w), rng.random() * (height - box_h)
        box = {"x": left, "y": top, "w": box_w, "h": box_h}
        if prob < config.prob_threshold or min(box_w, box_h) < config.min_face_size:
            continue
        faces.append(
            (
                index,
                {
                    "frame": 0,
                    "time": 0,
                    "prob": prob,
                    "box": box,
                    "emotions": named_scores(rng, EXPRESSIONS_48),
                    "facs": named_scores(seeded(item.digest, "facs", index), FACS) if config.facs else None,
                    "descriptions": (
                        named_scores(seeded(item.digest, "descriptions", index), FACE_DESCRIPTIONS)
                        if config.descriptions
                        else None
                    ),
                },
            )
        )
    return faces


def prosody(item: Item, config: ProsodyConfig) -> dict[str, Any]:
    """One prediction per utterance-like segment, or per sliding window when ``window`` is set."""
    duration = item.media.duration or 0.0
    if config.window is None:
        spans = _utterances(item.digest, duration)
        settings = "utterance"
    else:
        spans = _windows(duration, config.window.length, config.window.step)
        settings = f"window:{config.window.length}:{config.window.step}"
    pairs = []
    for index, (begin, end) in enumerate(spans):
        rng = seeded(item.digest, "prosody", settings, index)
        speaker = rng.randrange(2)
        prediction = {
            "time": {"begin": ms(begin), "end": ms(end)},
            "confidence": None,
            "speaker_confidence": None,
            "emotions": named_scores(rng, EXPRESSIONS_48),
        }
        pairs.append((f"spk_{speaker}" if config.identify_speakers else "unknown", prediction))
    return grouped(pairs)


def burst(item: Item) -> dict[str, Any]:
    """One vocal burst per started 4 s of audio (none under 0.5 s), each inside its own slot."""
    duration = item.media.duration or 0.0
    count = 0 if duration < 0.5 else int(duration // 4) + 1
    slot = duration / count if count else 0.0
    pairs = []
    for index in range(count):
        rng = seeded(item.digest, "burst", index)
        length = min(0.3 + 1.2 * rng.random(), slot)
        begin = index * slot + rng.random() * (slot - length)
        prediction = {
            "time": {"begin": ms(begin), "end": ms(begin + length)},
            "emotions": named_scores(rng, EXPRESSIONS_48),
            "descriptions": named_scores(rng, BURST_DESCRIPTIONS, power=3.0),
        }
        pairs.append(("unknown", prediction))
    return grouped(pairs)


def facemesh(item: Item) -> dict[str, Any]:
    """One prediction per face of the landmark file."""
    return grouped(
        ("unknown", {"emotions": named_scores(seeded(item.digest, "facemesh", index), EXPRESSIONS_48)})
        for index in range(item.media.faces or 0)
    )


def _utterances(digest: str, duration: float) -> list[tuple[float, float]]:
    spans: list[tuple[float, float]] = []
    begin = 0.0
    while begin < duration:
        end = min(begin + 1.0 + 2.0 * seeded(digest, "utterance", len(spans)).random(), duration)
        spans.append((begin, end))
        begin = end
    return spans


def _windows(duration: float, length: float, step: float) -> list[tuple[float, float]]:
    spans: list[tuple[float, float]] = []
    begin = 0.0
    while duration > 0:
        end = min(begin + length, duration)
        spans.append((begin, end))
        if end >= duration:
            break
        begin = len(spans) * step
    return spans
