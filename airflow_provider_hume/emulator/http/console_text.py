"""Small pieces of the console's HTML: status badges, and URLs shown without what may be secret.

A URL on a console page (a source's name, or inside an error message) loses its user info, query string and
fragment, where API keys and presigned signatures travel; ``?…`` marks the cut.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape
from typing import Final
from urllib.parse import urlsplit, urlunsplit

_URL_IN_TEXT: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S+")
_SENTENCE_END: Final = ".,;:!?)]}'\">"


def badge(status: str) -> str:
    """``status`` as a coloured badge (its colour comes from the page's style, by class)."""
    return f'<span class="status {escape(status)}">{escape(status)}</span>'


def shown_url(url: str) -> str:
    """``url`` without user info, query string or fragment (not yet HTML-escaped)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    cut = "?…" if parts.query or parts.fragment else ""
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", "")) + cut


def shown_text(text: str, urls: Iterable[str] = ()) -> str:
    """``text`` with ``urls`` (found verbatim, spaces and all), then any other URL, shown by
    :func:`shown_url` (not yet HTML-escaped).
    """
    for url in filter(None, urls):
        text = text.replace(url, shown_url(url))
    return _URL_IN_TEXT.sub(_shown_match, text)


def _shown_match(match: re.Match[str]) -> str:
    """A URL found in text; punctuation that ends the sentence stays outside it."""
    text = match.group(0)
    url = text.rstrip(_SENTENCE_END)
    return shown_url(url) + text[len(url) :]
