"""Error messages stay short even when they quote a hostile value.

A message such as ``callback_url must be an http(s) URL (got '...')`` quotes what the client sent, which can
be megabytes long. :func:`shorten` keeps the start (the field and the problem) and the end of a long message
and says how much of the middle it cut, so an error body never grows with the request.
"""

from __future__ import annotations

from typing import Final

MAX_MESSAGE_CHARS: Final = 1000
"""Characters of a message that are kept; the longest the emulator writes itself are under 500."""


def shorten(message: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """``message``, or its first and last ``limit // 2`` characters around a note of what was cut."""
    if len(message) <= limit:
        return message
    half = limit // 2
    return f"{message[:half]}[...{len(message) - 2 * half} characters cut...]{message[-half:]}"
