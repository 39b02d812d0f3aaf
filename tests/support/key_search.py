"""Search text for an API key: the whole key, and any piece of it long enough to matter.

A message that cut an echoed key before masking it would show only a prefix of it, which a search for the
whole key (and Airflow's own secret masker) misses; so every ``PIECE``-character window of the key is
looked for too. Each place searched is reduced to text first (:func:`text_of`, :func:`files_text`).
"""

from __future__ import annotations

import contextlib
import json
import os
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The shortest piece of a key that counts as a leak (12 hex characters: 48 bits, never there by chance).
PIECE = 12


@dataclass(frozen=True)
class Traces:
    """What of a key was found in one place: whole copies, and pieces outside them."""

    whole: int = 0
    pieces: int = 0

    @property
    def total(self) -> int:
        return self.whole + self.pieces

    def __add__(self, other: Traces) -> Traces:
        return Traces(self.whole + other.whole, self.pieces + other.pieces)


def key_traces(text: str, secret: str, piece: int = PIECE) -> Traces:
    """Whole copies of ``secret`` in ``text``, and the stretches elsewhere holding a ``piece`` of it."""
    whole: list[tuple[int, int]] = []
    start = text.find(secret)
    while start != -1:
        whole.append((start, start + len(secret)))
        start = text.find(secret, start + 1)
    spans: list[tuple[int, int]] = []
    for offset in range(len(secret) - piece + 1):
        part = secret[offset : offset + piece]
        found = text.find(part)
        while found != -1:
            span = (found, found + piece)
            if not any(begin <= span[0] and span[1] <= end for begin, end in whole):
                spans.append(span)
            found = text.find(part, found + 1)
    stretches = 0
    reach = -1
    for begin, end in sorted(spans):
        if begin >= reach:
            stretches += 1
        reach = max(reach, end)
    return Traces(len(whole), stretches)


def traces_of(text: str, secrets: Iterable[str]) -> Traces:
    """:func:`key_traces` summed over ``secrets``."""
    total = Traces()
    for secret in secrets:
        total += key_traces(text, secret)
    return total


def count_places(places: Mapping[str, str], secrets: Iterable[str]) -> dict[str, Traces]:
    """The traces of ``secrets`` in each named place."""
    secrets = tuple(secrets)
    return {name: traces_of(text, secrets) for name, text in places.items()}


def _bytes_text(data: bytes) -> str:
    """Bytes as searchable text: decompressed first when they are zlib data (compressed DB columns)."""
    with contextlib.suppress(zlib.error):
        data = zlib.decompress(data)
    return data.decode("utf-8", errors="replace")


def text_of(value: Any) -> str:
    """Any value (rows, dicts, bytes) as one searchable string."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return _bytes_text(bytes(value))
    if isinstance(value, str):
        return value

    def default(item: Any) -> Any:
        if isinstance(item, (bytes, bytearray, memoryview)):
            return _bytes_text(bytes(item))
        return repr(item)

    return json.dumps(value, default=default)


def files_text(root: Path) -> str:
    """Every file under ``root`` (paths included, since they are written too), as one string."""
    if not root.exists():
        return ""
    parts: list[str] = []
    for path in sorted(root.rglob("*")):
        parts.append(str(path))
        if path.is_file():
            parts.append(path.read_bytes().decode("utf-8", errors="replace"))
    return "\n".join(parts)


#: Set to a file name to get, per scenario, one JSON line of counts and the text searched in each place.
REPORT_ENV = "HUME_KEY_LEAK_REPORT"


def write_report(lane: str, scenario: str, places: Mapping[str, str], counts: Mapping[str, Traces]) -> None:
    """With :data:`REPORT_ENV` set: per place, whole keys and pieces found and the characters searched."""
    path = os.environ.get(REPORT_ENV)
    if not path:
        return
    line: dict[str, Any] = {"lane": lane, "scenario": scenario}
    for place, traces in counts.items():
        line[place] = [traces.whole, traces.pieces, len(places[place])]
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(line) + "\n")
    dump = Path(path).with_suffix(".places") / "".join(c if c.isalnum() else "_" for c in scenario)
    dump.mkdir(parents=True, exist_ok=True)
    for place, text in places.items():
        (dump / f"{place.replace('/', '+').replace(' ', '_')}.txt").write_text(text)
