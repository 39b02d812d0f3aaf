"""The strict JSON reader behind every body the emulator parses: exact limits, named problems, JSON intact."""

from __future__ import annotations

import json
from typing import Any

import pytest

from airflow_provider_hume.emulator.backend.shorten import MAX_MESSAGE_CHARS, shorten
from airflow_provider_hume.emulator.backend.strict_json import MAX_DEPTH, JsonInvalid, load_json


def nested_lists(depth: int) -> str:
    return "[" * depth + "]" * depth


def nested_objects(depth: int, leaf: str = "1") -> str:
    return '{"a":' * depth + leaf + "}" * depth


def problem(document: str | bytes) -> str:
    with pytest.raises(JsonInvalid) as refused:
        load_json(document)
    return str(refused.value)


def test_the_depth_limit_is_64_levels() -> None:
    assert MAX_DEPTH == 64
    for deepest in (
        nested_lists(64),
        nested_objects(63, "[]"),
        nested_objects(64),
        f"[1, {nested_lists(63)}]",
    ):
        assert load_json(deepest) is not None
    for too_deep in (
        nested_lists(65),
        nested_objects(64, "[]"),
        nested_objects(65),
        f"[1, {nested_lists(64)}]",
    ):
        assert problem(too_deep) == "nesting deeper than 64 levels"


@pytest.mark.parametrize("depth", [999, 1_000, 100_000])
def test_nesting_past_the_parsers_recursion_limit_is_refused_the_same_way(depth: int) -> None:
    assert problem(nested_lists(depth)) == "nesting deeper than 64 levels"
    assert problem("[" * depth) == "nesting deeper than 64 levels"


def test_one_deep_branch_among_many_shallow_ones_is_found() -> None:
    wide: list[Any] = [[[]] for _ in range(10_000)]
    assert load_json(json.dumps([*wide, json.loads(nested_lists(60))])) is not None
    assert problem(json.dumps([*wide, json.loads(nested_lists(64))])) == "nesting deeper than 64 levels"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("NaN", "NaN is not a JSON value"),
        ('{"x": Infinity}', "Infinity is not a JSON value"),
        ("[-Infinity]", "-Infinity is not a JSON value"),
        ("1e999", "number 1e999 is out of range"),
        ("-1.5E+400", "number -1.5E+400 is out of range"),
        ("1" + "0" * 309, "number 100000000000...00000000 is out of range"),
        ("9" * 5_000, "number 999999999999...99999999 is longer than 400 characters"),
        ("0." + "0" * 500 + "1", "number 0.0000000000...00000001 is longer than 400 characters"),
        (b'{"a": "\xff"}', "invalid UTF-8 at byte 7"),
        (b'"\xed\xa0\x80"', "invalid UTF-8 at byte 1"),
        ('"\\ud800"', "a string holds a lone surrogate \\ud800"),
        ('{"\\udc00": 1}', "a string holds a lone surrogate \\udc00"),
        ('["\\ude00\\ud83d"]', "a string holds a lone surrogate \\ude00"),
        ("{bad", "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
        ("", "Expecting value: line 1 column 1 (char 0)"),
    ],
)
def test_problems_are_named(document: str | bytes, message: str) -> None:
    assert problem(document) == message


@pytest.mark.parametrize(
    ("document", "value"),
    [
        (
            '{"models": {"face": {"facs": {}}}, "text": ["hi"]}',
            {"models": {"face": {"facs": {}}}, "text": ["hi"]},
        ),
        ("1" + "0" * 300, 10**300),
        ("1.7976931348623157e308", 1.7976931348623157e308),
        ("1e-999", 0.0),
        ('"\\ud83d\\ude00"', "\U0001f600"),
        ('"\\\\ud800"', "\\ud800"),
        (b'\xef\xbb\xbf{"a": 1}', {"a": 1}),
        ('"caf\u00e9"'.encode(), "caf\u00e9"),
        ("[]", []),
        ("null", None),
    ],
)
def test_plain_json_is_read_as_json_loads_reads_it(document: str | bytes, value: Any) -> None:
    assert load_json(document) == value


def test_long_messages_keep_their_start_and_end() -> None:
    message = "callback_url must be an http(s) URL (got '" + "x" * 5_000_000 + "')"
    short = shorten(message)
    assert len(short) < MAX_MESSAGE_CHARS + 50
    assert short.startswith("callback_url must be an http(s) URL (got 'xxx")
    assert short.endswith("xxx')")
    assert f"[...{len(message) - MAX_MESSAGE_CHARS} characters cut...]" in short
    assert shorten("short") == "short"
