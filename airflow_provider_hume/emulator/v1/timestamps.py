"""RFC 3339 times of the runs API (hume-api-v1.md §8): written in UTC to the millisecond, read exactly."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Final

_RFC3339: Final = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?P<fraction>\.\d+)?(?P<zone>[Zz]|[+-]\d{2}:\d{2})"
)
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=timezone.utc)


def format_ms(unix_ms: int) -> str:
    """``2026-12-01T16:12:48.123Z`` for Unix milliseconds."""
    moment = datetime.fromtimestamp(unix_ms / 1000, timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{unix_ms % 1000:03d}Z"


def parse_rfc3339_us(text: str) -> int:
    """Unix microseconds of an RFC 3339 date-time with a zone; ``ValueError`` otherwise.

    Digits past the microsecond are cut off, so a boundary compares exactly with millisecond start times.
    """
    match = _RFC3339.fullmatch(text)
    if match is None:
        raise ValueError(f"{text!r} is not an RFC 3339 date-time such as 2026-12-01T00:00:00Z")
    fraction = match.group("fraction") or ""
    head = text[: match.start("fraction")] if fraction else text[: match.start("zone")]
    zone = match.group("zone").upper().replace("Z", "+00:00")
    moment = datetime.fromisoformat(f"{head.replace('t', 'T').replace(' ', 'T')}{zone}")
    micros = int((fraction[1:] + "000000")[:6]) if fraction else 0
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + micros
