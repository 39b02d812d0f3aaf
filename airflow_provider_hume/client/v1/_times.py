"""RFC 3339 times as Hume's ``v1`` API writes them, read and written without the result models.

Here rather than in :mod:`~airflow_provider_hume.client.v1.results` so that the runs query checks (which the
runs-export operator runs while a DAG file is parsed) do not load every result model with them.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from airflow_provider_hume.client._fields import shown
from airflow_provider_hume.client.errors import HumeError

_RFC3339 = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[Tt ](?P<time>\d{2}:\d{2}:\d{2})(?:\.(?P<fraction>\d+))?"
    r"(?P<offset>[Zz]|[+-]\d{2}:\d{2})"
)


def parse_rfc3339(value: Any, path: str) -> datetime:
    """An RFC 3339 time with an offset (``Z`` or ``+hh:mm``) as an aware datetime; digits past µs dropped.

    Parsed by hand: Python 3.10's ``fromisoformat`` reads neither ``Z`` nor every fraction length.
    """
    match = _RFC3339.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is not None:
        fraction = (match["fraction"] or "")[:6].ljust(6, "0")
        offset = "+00:00" if match["offset"] in ("Z", "z") else match["offset"]
        try:
            return datetime.fromisoformat(f"{match['date']}T{match['time']}.{fraction}{offset}")
        except ValueError:
            pass
    expected = "an RFC 3339 time with an offset"
    raise HumeError(f"Hume's answer has an unexpected {path}: expected {expected}, got {shown(value)}")


def format_rfc3339(moment: datetime) -> str:
    """``moment`` (aware) in UTC as RFC 3339 with ``Z``."""
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
