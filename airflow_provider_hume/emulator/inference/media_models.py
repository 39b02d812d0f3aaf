"""Predictions of the media models: face (images, video frames), prosody and burst (audio), facemesh.

Shapes follow hume-api-v0.md §2.7. Values are seeded by the item's digest, the model, the settings that change
the segmentation, and the segment index (the frame for faces), so raising ``prob_threshold`` drops faces
instead of reshuffling them. A video is sampled at ``fps_pred`` frames a second (``time`` = frame / frame
rate); an image is frame 0. Prosody follows the pseudo-transcript (:mod:`transcript`) when transcription is
on, a sliding ``window`` when one is set, and otherwise pause-bounded spans of 1-3 s without text.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable
from typing import Any

from airflow_provider_hume.emulator.backend.request import FaceConfig, ProsodyConfig
from airflow_provider_hume.emulator.inference.names import (
    BURST_DESCRIPTIONS,
    EXPRESSIONS_48,
    FACE_DESCRIPTIONS,
    FACS,
)
from airflow_provider_hume.emulator.inference.scores import ms, named_scores, seeded
from airflow_provider_hume.emulator.inference.transcript import Segment, Transcript
from airflow_provider_hume.emulator.media.sources import Item

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
    """Faces of an image, or of the sampled frames of a video; dropped ones are omitted."""
    return grouped(
        (f"face_{index}" if config.identify_faces else "unknown", prediction)
        for index, prediction in detected_faces(item, config)
    )


def sampled_frames(item: Item, fps_pred: float) -> list[int]:
    """Frame numbers face detection looks at: all for ``fps_pred`` 0, else ``fps_pred`` frames a second."""
    count = item.media.frame_count or 1
    rate = item.media.frame_rate or 0.0
    if item.media.kind != "video" or fps_pred == 0 or fps_pred >= rate:
        return list(range(count))
    step = rate / fps_pred
    frames = (int(index * step + 1e-9) for index in range(math.ceil(count / step)))
    return [frame for frame in frames if frame < count]


def detected_faces(item: Item, config: FaceConfig) -> list[tuple[int, Prediction]]:
    """``(face index, FacePrediction)`` for every face kept by the config, frame by frame.

    An image or video shows one or two faces; each keeps its size and drifts a little from frame to frame.
    """
    width, height = item.media.width or 0, item.media.height or 0
    count = 2 if seeded(item.digest, "face", "count").random() < 0.4 else 1
    rate = item.media.frame_rate or 0.0
    faces = []
    for frame in sampled_frames(item, config.fps_pred):
        for index in range(count):
            shape = seeded(item.digest, "face", index)
            box_w = min(width, height) * (0.25 + 0.25 * shape.random())
            box_h = min(box_w * (1.1 + 0.2 * shape.random()), float(height))
            rng = seeded(item.digest, "face", index, frame)
            prob = 0.99 + 0.01 * rng.random() if index == 0 else 0.9 + 0.1 * rng.random()
            left = _drift(shape.random(), rng.random(), frame) * (width - box_w)
            top = _drift(shape.random(), rng.random(), frame) * (height - box_h)
            if prob < config.prob_threshold or min(box_w, box_h) < config.min_face_size:
                continue
            prediction = {
                "frame": frame,
                "time": ms(frame / rate) if rate else 0,
                "prob": prob,
                "box": {"x": left, "y": top, "w": box_w, "h": box_h},
                "emotions": named_scores(rng, EXPRESSIONS_48),
                "facs": named_scores(seeded(item.digest, "facs", index, frame), FACS)
                if config.facs
                else None,
                "descriptions": (
                    named_scores(seeded(item.digest, "descriptions", index, frame), FACE_DESCRIPTIONS)
                    if config.descriptions
                    else None
                ),
            }
            faces.append((index, prediction))
    return faces


def prosody(
    item: Item,
    config: ProsodyConfig,
    transcript: Transcript | None = None,
    *,
    identify_speakers: bool = False,
) -> dict[str, Any]:
    """Prosody per ``window``, else per transcript segment at ``granularity``, else per pause-bounded span.

    Only transcript segments carry ``text`` and a ``confidence``; without a transcript (transcription
    disabled) ``granularity`` is ignored, as documented.
    """
    identify = identify_speakers or config.identify_speakers
    duration = item.media.duration or 0.0
    metadata = None if transcript is None else transcript.metadata()
    spoken = config.window is None and transcript is not None
    if config.window is not None:
        times = _windows(duration, config.window.length, config.window.step)
        spans = [Segment("", 0, 0, time) for time in times]
        settings = f"window:{config.window.length}:{config.window.step}"
    elif transcript is not None:
        spans = transcript.segments(config.granularity)
        settings = config.granularity
    else:
        spans = [Segment("", 0, 0, time) for time in _utterances(item.digest, duration)]
        settings = "utterance"
    pairs = []
    for index, span in enumerate(spans):
        begin, end = span.time or (0.0, 0.0)
        prediction: Prediction = {"text": span.text} if spoken else {}
        prediction |= {
            "time": {"begin": ms(begin), "end": ms(end)},
            "confidence": span.confidence,
            "speaker_confidence": span.speaker_confidence if identify else None,
            "emotions": named_scores(seeded(item.digest, "prosody", settings, index), EXPRESSIONS_48),
        }
        group = "unknown"
        if identify:
            speaker = span.speaker if spoken else _speaker(transcript, begin, end)
            if speaker is None:
                speaker = seeded(item.digest, "prosody", settings, index, "speaker").randrange(2)
            group = f"spk_{speaker}"
        pairs.append((group, prediction))
    return grouped(pairs, metadata)


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


def _speaker(transcript: Transcript | None, begin: float, end: float) -> int | None:
    """Who speaks longest between ``begin`` and ``end`` (``None``: nobody, or no transcript)."""
    words = () if transcript is None else transcript.words
    talk: dict[int, float] = {}
    for word in words[bisect.bisect_right(words, begin, key=lambda word: word.end) :]:
        if word.begin >= end:
            break
        talk[word.speaker] = talk.get(word.speaker, 0.0) + min(end, word.end) - max(begin, word.begin)
    return max(talk, key=lambda speaker: talk[speaker]) if talk else None


def _drift(base: float, jitter: float, frame: int) -> float:
    """A position in [0, 1] that wanders slowly and smoothly with the frame number."""
    wave = 0.05 * math.sin(frame / 15 + 6.283 * base) + 0.01 * (jitter - 0.5)
    return min(1.0, max(0.0, base + wave))


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
