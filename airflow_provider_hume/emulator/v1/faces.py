"""Deterministic face "detection" and measurement of one JPEG (hume-api-v1.md §6, §9).

Where the faces come from:

* a JPEG whose comment segment (COM) starts with ``hume-emulator-faces:`` has exactly the faces its JSON
  lists, each ``[x0, y0, x1, y1, confidence]`` (how tests and demos draw faces on purpose: Pillow writes it
  with ``image.save(..., comment=...)``, see ``tests/support/v1_media.py``);
* any other JPEG has 0 to 3 faces drawn from a generator seeded by an 8x8 grey thumbnail of the image (its
  brightness in 16 levels), so near-identical video frames show the same faces in the same places.

The image is decoded (at a reduced scale) in every case: one that cannot be decoded is
:class:`ImageUndecodable`. Then, as Hume documents: faces under ``threshold`` or with a shorter side under
``min_size`` are not listed; the ``measured`` largest (2 by default) are measured and listed first, largest
first, with a ``face_id`` from the :class:`FaceTracker`; the others follow, most confident first, with
``face_id``, ``expressions`` and ``descriptions`` null, up to 32 faces in all. Scores are seeded by the
image's bytes and the face's box.
"""

from __future__ import annotations

import io
import json
import random
from dataclasses import dataclass
from typing import Any, Final

from PIL import Image

from airflow_provider_hume.emulator.v1.face_tracking import Box, FaceTracker
from airflow_provider_hume.emulator.v1.jpeg import JpegHeader, scan_jpeg
from airflow_provider_hume.emulator.v1.scores import (
    VIDEO_DESCRIPTION_SCORES,
    VIDEO_EXPRESSION_SCORES,
    seeded_random,
    sparse_scores,
)

FACES_COMMENT: Final = b"hume-emulator-faces:"
MAX_LISTED: Final = 32
DEFAULT_THRESHOLD: Final = 0.9
DEFAULT_MIN_SIZE: Final = 60
DEFAULT_MEASURED: Final = 2
_THUMBNAIL: Final = (8, 8)


class ImageUndecodable(ValueError):
    """The JPEG cannot be decoded."""


@dataclass(frozen=True)
class DetectedFace:
    """A face the detector found: its box in stored pixels and its detection confidence."""

    box: Box
    confidence: float

    @property
    def area(self) -> float:
        return (self.box[2] - self.box[0]) * (self.box[3] - self.box[1])

    @property
    def shorter_side(self) -> float:
        return min(self.box[2] - self.box[0], self.box[3] - self.box[1])


def detect_faces(jpeg: bytes, header: JpegHeader, seed: int) -> list[DetectedFace]:
    """Every face in the image, before any filter; :class:`ImageUndecodable` if it cannot be decoded."""
    thumbnail = _thumbnail(jpeg)
    for comment in header.comments:
        if comment.startswith(FACES_COMMENT):
            return _listed_faces(comment[len(FACES_COMMENT) :])
    rng = seeded_random(seed, "faces", thumbnail, f"{header.width}x{header.height}")
    return [
        _random_face(rng, header.width, header.height)
        for _ in range(rng.choices((0, 1, 2, 3), (2, 4, 3, 1))[0])
    ]


def _thumbnail(jpeg: bytes) -> bytes:
    try:
        with Image.open(io.BytesIO(jpeg)) as image:
            image.draft("L", (image.width // 8 or 1, image.height // 8 or 1))
            small = image.convert("L").resize(_THUMBNAIL)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ImageUndecodable(f"the JPEG cannot be decoded: {exc}") from None
    return bytes(value // 16 for value in small.tobytes())


def _listed_faces(text: bytes) -> list[DetectedFace]:
    try:
        listed = json.loads(text)
        return [
            DetectedFace((float(f[0]), float(f[1]), float(f[2]), float(f[3])), float(f[4])) for f in listed
        ]
    except (ValueError, TypeError, IndexError, KeyError):
        return []


def _random_face(rng: random.Random, width: int, height: int) -> DetectedFace:
    side = rng.uniform(0.1, 0.45) * min(width, height)
    face_height = min(height, side * rng.uniform(1.0, 1.3))
    x0 = rng.uniform(0, width - side)
    y0 = rng.uniform(0, height - face_height)
    box = (round(x0, 1), round(y0, 1), round(x0 + side, 1), round(y0 + face_height, 1))
    return DetectedFace(box, round(rng.uniform(0.6, 0.9999), 4))


class FaceMeasurer:
    """Measures images under one face configuration, numbering faces with ``tracker``."""

    def __init__(
        self,
        threshold: float = DEFAULT_THRESHOLD,
        min_size: int = DEFAULT_MIN_SIZE,
        tracker: FaceTracker | None = None,
        *,
        seed: int = 0,
        measured: int = DEFAULT_MEASURED,
    ) -> None:
        self.threshold = threshold
        self.min_size = min_size
        self.tracker = tracker or FaceTracker()
        self.seed = seed
        self.measured = measured

    def measure(self, jpeg: bytes, frame_id: int, header: JpegHeader | None = None) -> dict[str, Any]:
        """``{"frame_id", "faces"}`` for one JPEG (no ``type``); :class:`ImageUndecodable` or
        :class:`~.jpeg.JpegInvalid` if it cannot be read. ``header``: its :func:`scan_jpeg`, when known."""
        header = header or scan_jpeg(jpeg)
        faces = [
            face
            for face in detect_faces(jpeg, header, self.seed)
            if face.confidence >= self.threshold and face.shorter_side >= self.min_size
        ]
        faces.sort(key=lambda face: (-face.area, -face.confidence))
        measured, others = faces[: self.measured], faces[self.measured :]
        others.sort(key=lambda face: -face.confidence)
        ids = self.tracker.assign([face.box for face in measured])
        listed = [self._measured(jpeg, face, face_id) for face, face_id in zip(measured, ids, strict=True)]
        listed += [_unmeasured(face) for face in others[: MAX_LISTED - len(listed)]]
        return {"frame_id": frame_id, "faces": listed}

    def _measured(self, jpeg: bytes, face: DetectedFace, face_id: int) -> dict[str, Any]:
        rng = seeded_random(self.seed, "face", jpeg, repr(face.box))
        return {
            "face_id": face_id,
            "bbox": list(face.box),
            "confidence": face.confidence,
            "expressions": sparse_scores(VIDEO_EXPRESSION_SCORES, rng),
            "descriptions": sparse_scores(VIDEO_DESCRIPTION_SCORES, rng),
        }


def _unmeasured(face: DetectedFace) -> dict[str, Any]:
    return {
        "face_id": None,
        "bbox": list(face.box),
        "confidence": face.confidence,
        "expressions": None,
        "descriptions": None,
    }


__all__ = ["DetectedFace", "FaceMeasurer", "FaceTracker", "ImageUndecodable", "detect_faces"]
