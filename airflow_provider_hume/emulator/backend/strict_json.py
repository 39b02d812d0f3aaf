"""Strict, bounded JSON parsing for every body the emulator reads: a batch job request (plain, or the ``json``
part of a multipart form), an admin API body, a streaming message.

``json.loads`` alone accepts more than JSON, and a hostile body could make it fail in ways no caller expected
(nesting 1,000 deep raised ``RecursionError``: a ``500``). :func:`load_json` refuses with a
:class:`JsonInvalid` whose message names the problem:

* bytes that are not UTF-8 (RFC 8259 §8.1; a leading UTF-8 byte-order mark is skipped);
* ``NaN``, ``Infinity`` and ``-Infinity``, which Python reads but JSON does not have;
* a number beyond the range of a double (``1e999``, an integer of 310 digits): every JSON client reads numbers
  as doubles (RFC 8259 §6), and Python would make ``inf`` of the first and, of the second, an int that
  ``math.isfinite`` cannot even convert; also a number literal longer than :data:`MAX_NUMBER_CHARS`;
* a lone UTF-16 surrogate (``"\\ud800"``): the text could never be written back as UTF-8;
* arrays and objects nested more than :data:`MAX_DEPTH` levels deep (the outermost one is level 1).

Time and memory stay linear in the size of the document, which callers cap (16 MiB everywhere): the depth is
measured level by level at C speed, and only a document holding a surrogate escape is checked string by
string.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, Final

MAX_DEPTH: Final = 64
"""Deepest nesting accepted. The bodies Hume defined need 4 (``{"models": {"face": {"facs": {}}}}``); 64
leaves room for any client while staying far below the depth at which Python's parser gives up (about
1,000)."""
MAX_NUMBER_CHARS: Final = 400
"""Longer number literals are refused unread: a double needs at most 17 significant digits, and an integer
literal of more than 309 digits is out of its range anyway."""
_SHORT_INT_CHARS: Final = 300
"""Integer literals up to this long are within a double's range (below 1e300): converted without checks."""

_CONTAINERS: Final = frozenset((dict, list))
#: A surrogate escape (``\ud83d``, often half of a valid pair): worth checking the strings. Searched apart
#: from raw surrogates, which only a non-ASCII text can hold: one alternation would be 30 times slower.
_SURROGATE_ESCAPE: Final = re.compile(r"\\u[dD][89a-fA-F]")
_RAW_SURROGATE: Final = re.compile("[\ud800-\udfff]")


class JsonInvalid(ValueError):
    """Not acceptable JSON; the message says why (``nesting deeper than 64 levels``)."""


def load_json(document: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """The value of ``document``, or :class:`JsonInvalid`."""
    if isinstance(document, bytes):
        try:
            text = document.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise JsonInvalid(f"invalid UTF-8 at byte {exc.start}") from None
    else:
        text = document
    try:
        value = json.loads(text, parse_constant=_constant, parse_float=_float, parse_int=_int)
    except JsonInvalid:
        raise
    except RecursionError:
        raise JsonInvalid(_too_deep(max_depth)) from None
    except ValueError as exc:
        raise JsonInvalid(str(exc)) from None
    _check_depth(value, max_depth)
    if _SURROGATE_ESCAPE.search(text) or (not text.isascii() and _RAW_SURROGATE.search(text)):
        _check_surrogates(value)
    return value


def _check_depth(value: Any, max_depth: int) -> None:
    """Walk the containers one level at a time; leaves are skipped in C (``set(map(type, ...))``)."""
    level: list[Any] = [value] if type(value) in _CONTAINERS else []
    depth = 1
    while level:
        below: list[Any] = []
        for node in level:
            children = node.values() if type(node) is dict else node
            kinds = set(map(type, children))
            if kinds.isdisjoint(_CONTAINERS):
                continue
            if depth >= max_depth:
                raise JsonInvalid(_too_deep(max_depth))
            if kinds <= _CONTAINERS:
                below.extend(filter(None, children))  # an empty container has nothing below it
            else:
                below.extend([child for child in children if type(child) in _CONTAINERS and child])
        level = below
        depth += 1


def _check_surrogates(value: Any) -> None:
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise JsonInvalid(f"a string holds a lone surrogate \\u{ord(exc.object[exc.start]):04x}") from None


def _too_deep(max_depth: int) -> str:
    return f"nesting deeper than {max_depth} levels"


def _constant(name: str) -> float:
    raise JsonInvalid(f"{name} is not a JSON value")


def _float(literal: str) -> float:
    _check_length(literal)
    value = float(literal)
    if math.isinf(value):
        raise JsonInvalid(f"number {_number_excerpt(literal)} is out of range")
    return value


def _int(literal: str) -> int:
    if len(literal) > _SHORT_INT_CHARS:
        _check_length(literal)
        if math.isinf(float(literal)):
            raise JsonInvalid(f"number {_number_excerpt(literal)} is out of range")
    return int(literal)


def _check_length(literal: str) -> None:
    if len(literal) > MAX_NUMBER_CHARS:
        raise JsonInvalid(f"number {_number_excerpt(literal)} is longer than {MAX_NUMBER_CHARS} characters")


def _number_excerpt(literal: str) -> str:
    return literal if len(literal) <= 24 else f"{literal[:12]}...{literal[-8:]}"
