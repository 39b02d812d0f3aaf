"""``JsonStructureCheck``: whole JSON containers pass however they are cut into pieces; any cut body, any
unmatched bracket and anything after the value is refused; bodies that are not a container get the full
parse."""

from __future__ import annotations

import io
import itertools
import json
import random
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from airflow_provider_hume.client.json_structure import (
    MAX_JSON_DEPTH,
    STRUCTURE_FEED_BYTES,
    JsonStructureCheck,
)
from airflow_provider_hume.client.verify import BodyDefect, HumeBodyError, VerifiedBody

BODY = "predictions of Hume job job-7"
#: Characters the structure is made of or hides behind: brackets, quotes, escapes, and text around them.
TRICKY = ['"', "\\", "[", "]", "{", "}", "\\\\", '\\"', "a", " ", ",", ":", "\n", "\x01", "é", "😀", "\u2028"]


def _value(rng: random.Random, depth: int) -> Any:
    kind = rng.randrange(8 if depth < 5 else 4)
    if kind == 0:
        return "".join(rng.choice(TRICKY) for _ in range(rng.randrange(6)))
    if kind == 1:
        return rng.choice([0, -1.5e-7, 12345678901234567890, 0.033])
    if kind == 2:
        return rng.choice([True, False, None])
    if kind == 3:
        return "\\" * rng.randrange(1, 6) + rng.choice(['"', "]", "", "a"])  # runs of backslashes
    if kind < 6:
        return [_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {_value(rng, 5) if rng.random() < 0.3 else "k": _value(rng, depth + 1) for _ in range(3)}


def _documents(count: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    docs = []
    for _ in range(count):
        top = _value(rng, 1)
        top = top if isinstance(top, (list, dict)) else [top]
        ascii_only, indent = rng.random() < 0.5, rng.choice([None, 1])
        docs.append(json.dumps(top, ensure_ascii=ascii_only, indent=indent).encode())
    return docs


DOCUMENTS = _documents(60, seed=7)


def feed(body: bytes, cuts: Sequence[int] = (), check: JsonStructureCheck | None = None) -> None:
    """Feed ``body`` in the pieces ``cuts`` makes of it, then finish: raises BodyDefect if refused."""
    check = check or JsonStructureCheck()
    bounds = [0, *cuts, len(body)]
    for start, end in itertools.pairwise(bounds):
        check.feed(body[start:end])
    check.finish()


def refused(body: bytes, cuts: Sequence[int] = ()) -> str:
    with pytest.raises(BodyDefect) as info:
        feed(body, cuts)
    return str(info.value)


def test_the_generated_documents_hold_every_tricky_case() -> None:
    together = b"".join(DOCUMENTS)
    for needle in [b'\\"', b"\\\\", b'\\\\\\"', b'\\\\"', b'"]', b'["', b"\\u", "é".encode(), b"\n "]:
        assert needle in together


@pytest.mark.parametrize("doc", DOCUMENTS, ids=range(len(DOCUMENTS)))
def test_a_valid_document_passes_cut_in_two_at_every_byte(doc: bytes) -> None:
    for cut in range(len(doc) + 1):
        feed(doc, [cut])


@pytest.mark.parametrize("doc", DOCUMENTS[:20], ids=range(20))
def test_a_valid_document_passes_byte_by_byte_and_in_random_pieces(doc: bytes) -> None:
    feed(doc, range(1, len(doc)))
    rng = random.Random(doc)
    for _ in range(20):
        feed(doc, sorted(rng.sample(range(len(doc) + 1), min(len(doc), rng.randrange(1, 8)))))


@pytest.mark.parametrize("doc", DOCUMENTS, ids=range(len(DOCUMENTS)))
def test_every_strict_prefix_of_a_document_is_refused(doc: bytes) -> None:
    for end in range(len(doc)):
        cut = doc[:end]
        refused(cut, [end // 2])
        refused(cut, range(1, end) if end < 64 else [])


def test_a_cut_body_says_what_was_left_open() -> None:
    assert refused(b"") == "the body is empty, not JSON"
    assert refused(b" \n ") == "the body is only whitespace, not JSON"
    assert refused(b'[{"a": [1') == (
        "the JSON is incomplete or invalid at its end (3 arrays or objects still open)"
    )
    assert refused(b'[{"a": "x]', [4]) == (
        "the JSON is incomplete or invalid at its end (2 arrays or objects still open, inside a string)"
    )


@pytest.mark.parametrize("runs", range(1, 7))
def test_backslashes_at_a_piece_end_escape_across_it(runs: int) -> None:
    """Runs of backslashes, escaping each other or the quote after them, cut at every point of the run."""
    doc = json.dumps(["\\" * runs + '"]', "\\" * runs, {"\\" * runs: "]"}]).encode()
    for cut in range(len(doc) + 1):
        feed(doc, [cut])
        feed(doc, [cut, min(cut + 1, len(doc))])
    odd = b'["' + b"\\" * (2 * runs - 1) + b'"]'  # the quote is escaped: the string goes on
    assert "inside a string" in refused(odd, [len(odd) - 3])


def test_a_piece_holding_only_part_of_a_long_string_keeps_its_state() -> None:
    text = "[x] {y} " * 40_000  # brackets in a string over many pieces
    doc = json.dumps([text, [text], {"k": text}]).encode()
    feed(doc, range(1000, len(doc), 65_537))
    refused(doc[:-3], range(1000, len(doc) - 3, 65_537))


def _reference(body: bytes) -> bool | None:
    """What the check accepts, byte by byte: None when the body does not start with ``[`` or ``{``.

    A backslash escapes a following backslash or quote, wherever it is (only strings hold any in JSON).
    """
    text = body.lstrip(b" \t\n\r")
    if text[:1] not in (b"[", b"{"):
        return None
    stack: list[int] = []
    in_string = done = False
    i = 0
    while i < len(text):
        byte = text[i]
        if done and byte not in b" \t\n\r":
            return False
        if byte == ord("\\"):
            if i + 1 == len(text):
                return False
            i += 2 if text[i + 1] in b'\\"' else 1
            continue
        if byte == ord('"'):
            in_string = not in_string
        elif not in_string and byte in b"[{":
            stack.append(byte + 2)  # ord("]") - ord("[") == ord("}") - ord("{") == 2
        elif not in_string and byte in b"]}":
            if not stack or stack.pop() != byte:
                return False
            done = not stack
        i += 1
    return done and not in_string


def _mutants(count: int, seed: int) -> Iterator[tuple[bytes, list[int]]]:
    rng = random.Random(seed)
    for _ in range(count):
        doc = bytearray(rng.choice(DOCUMENTS))
        for _ in range(rng.randrange(1, 4)):
            at, byte = rng.randrange(len(doc) + 1), rng.choice(b'[]{}"\\ x,')
            choice = rng.randrange(3)
            if choice == 0:
                doc.insert(at, byte)
            elif at < len(doc):
                doc[at : at + 1] = bytes([byte]) if choice == 1 else b""
        body = bytes(doc) + rng.choice([b"", b" ", b"]", b" [1]", b"x"])
        yield body, sorted(rng.sample(range(len(body) + 1), min(len(body), rng.randrange(0, 6))))


def test_damaged_documents_are_judged_as_the_byte_by_byte_reference_judges_them() -> None:
    """Brackets, quotes and backslashes inserted, replaced or deleted at random; random pieces."""
    judged = {True: 0, False: 0}
    for body, cuts in _mutants(6000, seed=11):
        expected = _reference(body)
        if expected is None:
            continue
        try:
            feed(body, cuts)
            accepted = True
        except BodyDefect:
            accepted = False
        assert accepted == expected, (body, cuts)
        judged[expected] += 1
    assert min(judged.values()) > 500  # both verdicts well exercised


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"[1, 2}", r"within bytes 0 to 6 \(the brackets do not match: '}' after '\['\)"),
        (b'{"a": [1}', r"\(the brackets do not match: '}' after '\['\)"),
        (b'{"a": 1]', r"\(the brackets do not match: '\]' after '{'\)"),
        (b"[[]]]", r"\(trailing garbage after the JSON value\)"),
        (b"[1, 2] [3]", r"within bytes 0 to 10 \(trailing garbage after the JSON value\)"),
        (b"{}{}", r"\(trailing garbage after the JSON value\)"),
        (b"[1, 2]x", r"\(trailing garbage after the JSON value\)"),
        (b'[1] "x"', r"\(trailing garbage after the JSON value\)"),
        (b'[1] "]', r"\(trailing garbage after the JSON value\)"),
        (b"[1]\\", r"\(trailing garbage after the JSON value\)"),
    ],
)
def test_unmatched_brackets_and_bytes_after_the_value_are_refused(body: bytes, reason: str) -> None:
    for cut in range(len(body) + 1):
        with pytest.raises(BodyDefect, match=reason if cut in (0, len(body)) else None):
            feed(body, [cut])


def test_whitespace_after_the_value_passes_in_pieces_of_its_own() -> None:
    feed(b"[1]", [])
    feed(b" \n[1] \r\n\t", [1, 4, 6])
    feed(b"[1]" + b" " * (STRUCTURE_FEED_BYTES + 10))
    with pytest.raises(BodyDefect, match=r"within bytes 5 to 7 \(trailing garbage after the JSON value\)"):
        feed(b"[1]  \n1", [5])


def test_what_is_not_checked_inside_the_brackets() -> None:
    """Tokens between brackets and quotes are not parsed (the tabular formats' parser does)."""
    for body in [b"[1,,2]", b'{"a" 1}', b"[nul, 01, tru]", b'{[1]: "x"}', b'["\\x"]']:
        feed(body)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<html><body>502 Bad Gateway</body></html>", r"the JSON is invalid within bytes 0 to 41 \(lexical"),
        (b"Internal Server Error", "the JSON is invalid within bytes 0 to 21"),
        (b'"text', "the JSON is incomplete or invalid at its end"),
        (b"12 13", "trailing garbage"),
        (b"nul", "the JSON is incomplete or invalid at its end"),
    ],
)
def test_a_body_not_starting_as_a_container_gets_the_full_parse(body: bytes, reason: str) -> None:
    for cut in range(len(body) + 1):
        with pytest.raises(BodyDefect, match=reason if cut == len(body) else None):
            feed(body, [cut])


@pytest.mark.parametrize("body", [b'"text"', b"0", b" -1.5e3 ", b"true", b"null", b'"[{"'])
def test_a_lone_string_number_or_literal_passes(body: bytes) -> None:
    for cut in range(len(body) + 1):
        feed(body, [cut])


def test_a_string_longer_than_the_token_bound_is_refused() -> None:
    limit = 100_000
    doc = json.dumps(["a" * (limit + 1)]).encode()
    check = JsonStructureCheck(max_token_bytes=limit)
    with pytest.raises(BodyDefect, match=r"a single JSON string runs over 100,000 bytes near byte 100,005;"):
        feed(doc, range(20_000, len(doc), 20_000), check)
    assert check.max_buffered <= 20_000 + 1
    two = json.dumps(["a" * limit, "b" * limit]).encode()
    feed(two, range(1, len(two), 30_000), JsonStructureCheck(limit))


@pytest.mark.parametrize("escaped", ["\\", '"', "é"])
def test_an_escaped_quote_or_backslash_counts_as_one_byte_of_a_string(escaped: str) -> None:
    doc = json.dumps(["a", escaped * 100_000, "b"]).encode()
    cuts = range(1, len(doc), 30_001)
    counted = 100_000 if escaped != "é" else 600_000  # ensure_ascii: each "é" is "\u00e9"
    feed(doc, cuts, JsonStructureCheck(max_token_bytes=counted))
    with pytest.raises(BodyDefect, match=f"a single JSON string runs over {counted - 1:,} bytes"):
        feed(doc, cuts, JsonStructureCheck(max_token_bytes=counted - 1))


@pytest.mark.parametrize("pieces", ["whole", "bytes"])
def test_nesting_deeper_than_the_bound_is_refused(pieces: str) -> None:
    deepest = b"[" * (MAX_JSON_DEPTH - 1) + b"{}" + b"]" * (MAX_JSON_DEPTH - 1)
    too_deep = b"{" + deepest + b"}"
    cuts = range(1, len(too_deep)) if pieces == "bytes" else []
    feed(deepest, cuts[: len(deepest) - 1])
    with pytest.raises(BodyDefect, match=r"the JSON nests deeper than 1,024 arrays and objects within bytes"):
        feed(too_deep, cuts)


def test_a_cut_body_raises_through_verified_body_before_eof() -> None:
    doc = max(DOCUMENTS, key=len)
    stream = io.BufferedReader(VerifiedBody(io.BytesIO(doc[:-1]), JsonStructureCheck(), body=BODY), 7)
    with pytest.raises(HumeBodyError, match="the JSON is incomplete or invalid at its end"):
        list(iter(lambda: stream.read(7), b""))
    whole = io.BufferedReader(VerifiedBody(io.BytesIO(doc), JsonStructureCheck(), body=BODY))
    assert whole.read() == doc


def test_memory_stays_one_piece_on_a_large_body() -> None:
    frame = json.dumps({"frame": 1, "emotions": [{"name": "Joy", "score": 0.12}] * 48}).encode()
    body = b'[{"predictions": [' + b",".join([frame] * 12_000) + b"]}]"  # about 20 MB
    check = JsonStructureCheck()
    for start in range(0, len(body), 16 * 1024 * 1024):  # fed more than a piece at once
        check.feed(body[start : start + 16 * 1024 * 1024])
    check.finish()
    # one piece, and the brackets open at its end
    assert STRUCTURE_FEED_BYTES <= check.max_buffered <= STRUCTURE_FEED_BYTES + 6
