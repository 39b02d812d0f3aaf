"""Streaming predictions per model (hume-api-v0.md §4.4), deterministic per §8.

Every value is a pure function of the media digest (for audio: the window key), the model and the segment
or face index; settings only filter (thresholds) or add lists (facs, sentiment...), never reshuffle.
An empty list means the model detected nothing, which becomes a warning.

* face: 1 or 2 faces per image, none in a blank (single-colour) image or one with a side under
  :data:`MIN_FACE_IMAGE_SIDE` px; ``frame`` 0, ``time`` null; ``face_id`` is ``face_<slot>`` (slot = the
  face's index in the frame, so ids are stable over the session and unaffected by ``reset_stream``) with
  ``identify_faces``, else ``unknown``.
* prosody: utterance-like spans of 1-3 s covering the window; none if the window is silent.
* burst: one burst per started 4 s of window; none if the window is silent or under 0.5 s.
* language: one prediction per word, sentence (``sentence``/``utterance``) or the whole ``passage``.
* facemesh: one prediction per face of the landmarks.
"""

from __future__ import annotations

import re
from typing import Final

from airflow_provider_hume.emulator.inference.names import (
    EXPRESSIONS_48,
    EXPRESSIONS_53,
    FACE_DESCRIPTIONS,
    FACS,
    SENTIMENT,
    TOXICITY,
)
from airflow_provider_hume.emulator.inference.scores import distribution, ms, named_scores, seeded
from airflow_provider_hume.emulator.streaming.config import (
    FaceSettings,
    LanguageSettings,
    ModelName,
    StreamModels,
)
from airflow_provider_hume.emulator.streaming.messages import Prediction
from airflow_provider_hume.emulator.streaming.probe import StreamMedia
from airflow_provider_hume.emulator.streaming.window import WindowView

MIN_FACE_IMAGE_SIDE: Final = 32
MIN_BURST_WINDOW_S: Final = 0.5
_WORD: Final = re.compile(r"\S+")
_SENTENCE: Final = re.compile(r"[^\s.!?][^.!?]*(?:[.!?]+|$)")


def predictions(
    name: ModelName, media: StreamMedia, models: StreamModels, window: WindowView | None
) -> list[Prediction]:
    """The predictions of model ``name``; ``window`` is required for the audio models."""
    if name == "face":
        return face(media, models.face)
    if name == "language":
        return language(media, models.language)
    if name == "facemesh":
        return facemesh(media)
    if window is None:
        raise ValueError(f"the {name} model needs an audio window")
    return prosody(window) if name == "prosody" else burst(window)


def face(media: StreamMedia, settings: FaceSettings) -> list[Prediction]:
    """Faces kept by ``prob_threshold`` and ``min_face_size``."""
    width, height = media.width, media.height
    if media.blank or min(width, height) < MIN_FACE_IMAGE_SIDE:
        return []
    count = 2 if seeded(media.digest, "stream-face", "count").random() < 0.4 else 1
    found = []
    for slot in range(count):
        rng = seeded(media.digest, "stream-face", slot)
        prob = 0.99 + 0.01 * rng.random() if slot == 0 else 0.9 + 0.1 * rng.random()
        box_w = min(width, height) * (0.25 + 0.25 * rng.random())
        box_h = min(box_w * (1.1 + 0.2 * rng.random()), float(height))
        box = {
            "x": rng.random() * (width - box_w),
            "y": rng.random() * (height - box_h),
            "w": box_w,
            "h": box_h,
        }
        if prob < settings.prob_threshold or min(box_w, box_h) < settings.min_face_size:
            continue
        prediction: Prediction = {
            "frame": 0,
            "time": None,
            "bbox": box,
            "prob": prob,
            "face_id": f"face_{slot}" if settings.identify_faces else "unknown",
            "emotions": named_scores(rng, EXPRESSIONS_48),
        }
        if settings.facs:
            prediction["facs"] = named_scores(seeded(media.digest, "stream-facs", slot), FACS)
        if settings.descriptions:
            prediction["descriptions"] = named_scores(
                seeded(media.digest, "stream-descriptions", slot), FACE_DESCRIPTIONS
            )
        found.append(prediction)
    return found


def language(media: StreamMedia, settings: LanguageSettings) -> list[Prediction]:
    """One prediction per segment of the text at ``granularity``."""
    found = []
    for index, (begin, end) in enumerate(segments(media.text, settings.granularity)):
        key = (media.digest, settings.granularity, index)
        prediction: Prediction = {
            "text": media.text[begin:end],
            "position": {"begin": begin, "end": end},
            "emotions": named_scores(seeded(*key, "stream-language"), EXPRESSIONS_53),
        }
        if settings.sentiment:
            prediction["sentiment"] = distribution(seeded(*key, "stream-sentiment"), SENTIMENT)
        if settings.toxicity:
            prediction["toxicity"] = named_scores(seeded(*key, "stream-toxicity"), TOXICITY, power=6.0)
        found.append(prediction)
    return found


def segments(text: str, granularity: str) -> list[tuple[int, int]]:
    """``(begin, end)`` character spans (end exclusive) of words, sentences or the stripped passage."""
    if granularity == "word":
        return [match.span() for match in _WORD.finditer(text)]
    if granularity == "passage":
        begin = len(text) - len(text.lstrip())
        stripped = text.strip()
        return [(begin, begin + len(stripped))] if stripped else []
    return [
        (found.start(), found.start() + len(found.group().rstrip())) for found in _SENTENCE.finditer(text)
    ]


def facemesh(media: StreamMedia) -> list[Prediction]:
    """One prediction per face of the landmarks."""
    return [
        {"emotions": named_scores(seeded(media.digest, "stream-facemesh", index), EXPRESSIONS_48)}
        for index in range(media.faces)
    ]


def prosody(window: WindowView) -> list[Prediction]:
    """Utterance-like spans covering the window, times in seconds from the window's start."""
    if window.silent:
        return []
    duration = window.duration_ms / 1000
    found: list[Prediction] = []
    begin = 0.0
    while begin < duration:
        rng = seeded(window.key, "stream-prosody", len(found))
        end = min(begin + 1.0 + 2.0 * rng.random(), duration)
        found.append(
            {"time": {"begin": ms(begin), "end": ms(end)}, "emotions": named_scores(rng, EXPRESSIONS_48)}
        )
        begin = end
    return found


def burst(window: WindowView) -> list[Prediction]:
    """One burst per started 4 s of window, each inside its own slot."""
    duration = window.duration_ms / 1000
    if window.silent or duration < MIN_BURST_WINDOW_S:
        return []
    count = int(duration // 4) + 1
    slot = duration / count
    found: list[Prediction] = []
    for index in range(count):
        rng = seeded(window.key, "stream-burst", index)
        length = min(0.3 + 1.2 * rng.random(), slot)
        begin = index * slot + rng.random() * (slot - length)
        found.append(
            {
                "time": {"begin": ms(begin), "end": ms(begin + length)},
                "emotions": named_scores(rng, EXPRESSIONS_48),
            }
        )
    return found
