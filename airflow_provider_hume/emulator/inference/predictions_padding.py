"""A padding source at the end of the predictions, for testing large downloads (fault
``predictions_pad_bytes``).

The source stands for a long video uploaded as ``padding.mp4``: one face, one prediction per frame with the
48 expression scores, as a real long video gives. It is valid predictions JSON, so clients parse, check and
flatten it like any other; it is not counted in the job's details. Scores are deterministic (they depend only
on the emulator's seed and the frame) and the JSON is produced one chunk at a time while the response is
sent, so memory stays flat whatever the size.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Final

from airflow_provider_hume.emulator.inference.names import EXPRESSIONS_48
from airflow_provider_hume.emulator.inference.scores import named_scores, seeded

PADDING_FILE: Final = "padding.mp4"
CHUNK_BYTES: Final = 256 * 1024
#: Distinct score sets the frames cycle through: enough to look varied, few enough to render once.
SCORE_SETS: Final = 64
FRAME_RATE: Final = 30
_HEAD: Final = (
    '{"source":{"type":"file","filename":"%s","content_type":"video/mp4","md5sum":"%032x"},'
    '"results":{"predictions":[{"file":"%s","models":{"face":{"metadata":null,'
    '"grouped_predictions":[{"id":"unknown","predictions":['
)
_FRAME: Final = (
    '{"frame":%d,"time":%.3f,"prob":0.99,"box":{"x":120.5,"y":64.25,"w":180.0,"h":212.0},'
    '"emotions":%s,"facs":null,"descriptions":null}'
)
_TAIL: Final = ']}]}}}],"errors":[]}}'


def padding_source(size: int, seed: int) -> Iterator[bytes]:
    """One predictions element (a JSON object) of at least ``size`` bytes, in chunks of about ``CHUNK_BYTES``.

    Frames are added until the element reaches ``size``, so it is at most one frame (about 1.7 KB) longer.
    """
    rng = seeded("predictions-padding", seed)
    scores = [json.dumps(named_scores(rng, EXPRESSIONS_48), separators=(",", ":")) for _ in range(SCORE_SETS)]
    head = _HEAD % (PADDING_FILE, rng.getrandbits(128), PADDING_FILE)
    parts = [head]
    pending = sent = len(head)
    frame = 0
    while sent < size - len(_TAIL):
        text = _FRAME % (frame, frame / FRAME_RATE, scores[frame % SCORE_SETS])
        if frame:
            text = "," + text
        parts.append(text)
        pending += len(text)
        sent += len(text)
        frame += 1
        if pending >= CHUNK_BYTES:
            yield "".join(parts).encode()
            parts, pending = [], 0
    parts.append(_TAIL)
    yield "".join(parts).encode()
