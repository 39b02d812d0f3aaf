"""``face_id`` tracking across images (hume-api-v1.md §6): IDs from 0 in order of first measurement.

A measured face takes the ID of the remembered face its box overlaps most (intersection over union at least
``MIN_OVERLAP``), else the next new one; up to 32 faces are remembered, the least recently seen forgotten
first. The state round-trips through JSON for ``face_state`` tokens (:mod:`.face_state`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

MAX_REMEMBERED: Final = 32
MIN_OVERLAP: Final = 0.3

Box = tuple[float, float, float, float]


def overlap(a: Box, b: Box) -> float:
    """Intersection over union of two ``[x0, y0, x1, y1]`` boxes."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return 0.0
    inter = width * height
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


class FaceTracker:
    """The faces one request or session has measured, most recently seen last."""

    def __init__(self, next_id: int = 0, faces: Sequence[tuple[int, Box]] = ()) -> None:
        self.next_id = next_id
        self._faces: list[tuple[int, Box]] = list(faces)[-MAX_REMEMBERED:]

    def assign(self, boxes: Sequence[Box]) -> list[int]:
        """The IDs of one image's measured faces, largest first."""
        ids: list[int] = []
        for box in boxes:
            candidates = [
                (overlap(box, seen), face_id) for face_id, seen in self._faces if face_id not in ids
            ]
            best = max(candidates, default=(0.0, -1))
            face_id = best[1] if best[0] >= MIN_OVERLAP else self._new_id()
            self._faces = [face for face in self._faces if face[0] != face_id] + [(face_id, box)]
            ids.append(face_id)
        del self._faces[:-MAX_REMEMBERED]
        return ids

    def _new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def to_json(self) -> dict[str, Any]:
        return {"next_id": self.next_id, "faces": [[face_id, *box] for face_id, box in self._faces]}

    @classmethod
    def from_json(cls, data: Any) -> FaceTracker:
        """A tracker from :meth:`to_json`; ``ValueError`` for anything else."""
        try:
            next_id = data["next_id"]
            faces = [
                (int(face[0]), (float(face[1]), float(face[2]), float(face[3]), float(face[4])))
                for face in data["faces"]
            ]
        except (KeyError, TypeError, ValueError, IndexError):
            raise ValueError("not a face tracker state") from None
        if not isinstance(next_id, int) or next_id < 0:
            raise ValueError("not a face tracker state")
        return cls(next_id, faces)
