"""A structural check of a JSON body at the speed of a copy: whole containers, whole strings, nothing after.

Parsing every token (:class:`~airflow_provider_hume.client.verify.JsonCheck`, yajl) costs about 30 s of CPU a
GiB of predictions, several times what the copy itself costs. A body cut short, however, always leaves a
string or a container open, and a body that is not JSON at all (an HTML error page) does not start like one,
so :class:`JsonStructureCheck` follows only quotes and brackets, with ``bytes`` methods that run in C.
"""

from __future__ import annotations

import re
from typing import Final

from airflow_provider_hume.client.verify import MAX_JSON_TOKEN_BYTES, BodyDefect, JsonCheck, pieces

#: The structural check works on pieces of at most this many bytes (fewer, larger steps cost less).
STRUCTURE_FEED_BYTES: Final = 1024 * 1024
#: Arrays and objects nested deeper than this are refused.
MAX_JSON_DEPTH: Final = 1024
_WHITESPACE: Final = b" \t\n\r"
#: An escaped backslash or quote, matched left to right as JSON reads them; replaced by one plain byte.
_ESCAPES: Final = re.compile(rb'\\[\\"]')
_NOT_STRUCTURE: Final = bytes(sorted(set(range(256)) - set(b'"[]{}')))
_OUTERMOST: Final = bytes.maketrans(b"[{", b"(<")
_OUTERMOST_BACK: Final = bytes.maketrans(b"(<", b"[{")
_OUTERMOST_CLOSED: Final = (b"(]", b"<}")


class JsonStructureCheck:
    """One JSON array or object, whole, and only whitespace after it; other bodies get the full check.

    When the first non-whitespace byte is ``[`` or ``{``, the body is followed quote by quote and bracket by
    bracket: each escaped backslash or quote (``\\\\``, ``\\"``, read left to right) becomes a plain byte
    (a backslash ending a piece is carried into the next), everything but ``"[]{}`` is deleted, the brackets
    outside strings are matched, and those still open are carried to the next piece.

    Checked: every ``]`` and ``}`` closes the innermost open ``[`` or ``{``; the body ends outside any string
    with its first container closed, and only whitespace follows it; at most ``max_depth`` containers are
    open where a piece ends (and one piece's brackets match in at most ``max_depth`` rounds); no string that
    spans pieces runs over ``max_token_bytes`` (an escaped quote or backslash counting as one byte). So a
    body cut anywhere, or with a bracket too many or too few, is refused. Not checked: what lies between the
    brackets and quotes (numbers, ``true``/``false``/``null``, commas, colons, keys being strings, escape
    sequences, control characters and UTF-8 in strings), so ``[1,,2]`` or ``{"a" 1}`` pass.

    Any other first byte (a string, number or literal as the whole body, or not JSON at all) hands the body
    to :class:`JsonCheck`, which parses it fully.
    """

    def __init__(self, max_token_bytes: int = MAX_JSON_TOKEN_BYTES, max_depth: int = MAX_JSON_DEPTH) -> None:
        self.max_token_bytes = max_token_bytes
        self.max_depth = max_depth
        self.max_buffered = 0
        self._offset = 0
        self._started = False
        self._full: JsonCheck | None = None
        self._open = b""  # the brackets still open, outermost first
        self._closed = False
        self._in_string = False
        self._string_bytes = 0
        self._carry = b""

    def feed(self, data: bytes) -> None:
        for piece in pieces(data, STRUCTURE_FEED_BYTES):
            start, self._offset = self._offset, self._offset + len(piece)
            if self._full is not None:
                self._feed_full(piece)
            elif self._closed:
                if piece.strip(_WHITESPACE):
                    raise self._invalid(start, "trailing garbage after the JSON value")
            elif self._started or self._start(piece):
                self.max_buffered = max(self.max_buffered, len(piece) + len(self._open))
                self._follow(piece, start)

    def finish(self) -> None:
        if self._full is not None:
            self._full.finish()
        elif not self._started:
            raise BodyDefect(
                "the body is empty, not JSON" if not self._offset else "the body is only whitespace, not JSON"
            )
        elif not self._closed:
            where = ", inside a string" if self._in_string else ""
            raise BodyDefect(
                f"the JSON is incomplete or invalid at its end ({len(self._open):,} arrays or objects still "
                f"open{where})"
            )

    def _start(self, piece: bytes) -> bool:
        """Pick the way to check the body by its first non-whitespace byte; True to follow its structure."""
        head = piece.lstrip(_WHITESPACE)[:1]
        if not head:
            return False
        self._started = True
        if head in (b"[", b"{"):
            return True
        self._full = JsonCheck(self.max_token_bytes)
        self._feed_full(piece)
        return False

    def _feed_full(self, piece: bytes) -> None:
        assert self._full is not None
        self._full.feed(piece)
        self.max_buffered = max(self.max_buffered, self._full.max_buffered)

    def _follow(self, piece: bytes, start: int) -> None:
        """Carry the string and bracket state over ``piece``."""
        data = self._carry + piece if self._carry else piece
        if b"\\" in data:
            data = _ESCAPES.sub(b"_", data)
            self._carry = b"\\" if data.endswith(b"\\") else b""
            data = data[:-1] if self._carry else data
        was_in_string = self._in_string
        structure = data.translate(None, _NOT_STRUCTURE).replace(b'""', b"")
        if b'"' in structure:  # strings with brackets in them
            parts = structure.split(b'"')
            self._in_string = was_in_string != (len(parts) % 2 == 0)
            outside = b"".join(parts[was_in_string::2])
        else:
            outside = b"" if was_in_string else structure
        self._measure_string(data, was_in_string)
        if outside:
            self._match(outside, piece, start)

    def _measure_string(self, data: bytes, was_in_string: bool) -> None:
        """Refuse a string that runs over ``max_token_bytes`` across pieces."""
        if was_in_string:
            end = data.find(b'"')
            self._string_bytes += len(data) if end < 0 else end
            self._bound_string()
            if end < 0:
                return
        if self._in_string:
            self._string_bytes = len(data) - data.rfind(b'"') - 1
            self._bound_string()

    def _bound_string(self) -> None:
        if self._string_bytes > self.max_token_bytes:
            raise BodyDefect(
                f"a single JSON string runs over {self.max_token_bytes:,} bytes near byte {self._offset:,}; "
                "it is refused"
            )

    def _match(self, outside: bytes, piece: bytes, start: int) -> None:
        """Match the brackets outside strings against those still open.

        The outermost bracket is swapped for one that no ``]`` or ``}`` matches, so that its closing one is
        left over (first, since all between must have matched) rather than vanish with it.
        """
        brackets = self._open + outside
        left = self._collapse(brackets[:1].translate(_OUTERMOST) + brackets[1:], start)
        if left[:2] in _OUTERMOST_CLOSED:  # the body's value closed here: it must be the last thing in it
            if (
                self._in_string
                or self._collapse(brackets[1:-1], start)
                or piece.rstrip(_WHITESPACE)[-1:] not in (b"]", b"}")
            ):
                raise self._invalid(start, "trailing garbage after the JSON value")
            self._closed = True
            return
        unmatched = left.lstrip(b"([{<")
        if unmatched:
            at = len(left) - len(unmatched)
            pair = left[at - 1 : at + 1].translate(_OUTERMOST_BACK).decode()
            raise self._invalid(start, f"the brackets do not match: '{pair[1]}' after '{pair[0]}'")
        if len(left) > self.max_depth:
            raise self._too_deep(start)
        self._open = brackets[:1] + left[1:]

    def _collapse(self, brackets: bytes, start: int) -> bytes:
        """``brackets`` without its matching pairs, innermost first, as many rounds as they nest."""
        for _ in range(self.max_depth):
            left = brackets.replace(b"[]", b"").replace(b"{}", b"")
            if len(left) == len(brackets):
                return left
            brackets = left
        raise self._too_deep(start)

    def _too_deep(self, start: int) -> BodyDefect:
        return BodyDefect(
            f"the JSON nests deeper than {self.max_depth:,} arrays and objects within bytes {start:,} to "
            f"{self._offset:,}; it is refused"
        )

    def _invalid(self, start: int, reason: str) -> BodyDefect:
        return BodyDefect(f"the JSON is invalid within bytes {start:,} to {self._offset:,} ({reason})")
