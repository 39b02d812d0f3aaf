"""The emulator's bodies validate against Hume's Fern definition (``ts_mock_batch.yml``, from the TS SDK).

A small interpreter of Fern's type language checks every body of every endpoint; objects may carry only
their declared keys, plus ``user_id`` (documented in hume-api-v0.md §2.6.1, absent from Fern's
``JobInference``). The bodies (see ``conftest.py``) use every model, option, kind of source and job state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml

REFERENCE = Path(__file__).resolve().parents[3] / "fixtures" / "reference"
FERN = yaml.safe_load((REFERENCE / "ts_mock_batch.yml").read_text())


class FernTypes:
    """Checks JSON values against types of a Fern definition (``optional<T>``, ``list<T>``, unions...)."""

    PRIMITIVES: ClassVar[dict[str, Callable[[Any], bool]]] = {
        "string": lambda value: isinstance(value, str),
        "boolean": lambda value: isinstance(value, bool),
        "integer": lambda value: isinstance(value, int) and not isinstance(value, bool),
        "long": lambda value: isinstance(value, int) and not isinstance(value, bool),
        "uint64": lambda value: isinstance(value, int) and not isinstance(value, bool) and value >= 0,
        "double": lambda value: isinstance(value, (int, float)) and not isinstance(value, bool),
        "float": lambda value: isinstance(value, (int, float)) and not isinstance(value, bool),
        "unknown": lambda value: True,
    }

    def __init__(self, types: dict[str, Any], extras: frozenset[str]) -> None:
        self.types = types
        self.extras = extras

    def errors(self, value: Any, expression: str, path: str = "$") -> Iterator[str]:
        outer, _, inner = expression.partition("<")
        inner = inner[:-1]
        if outer == "optional":
            if value is not None:
                yield from self.errors(value, inner, path)
        elif outer in ("list", "set"):
            if not isinstance(value, list):
                yield f"{path}: expected {expression}, got {value!r:.60}"
            else:
                for index, item in enumerate(value):
                    yield from self.errors(item, inner, f"{path}[{index}]")
        elif outer == "map":
            if not isinstance(value, dict):
                yield f"{path}: expected {expression}, got {value!r:.60}"
        elif outer in self.PRIMITIVES:
            if not self.PRIMITIVES[outer](value):
                yield f"{path}: expected {expression}, got {value!r:.60}"
        else:
            yield from self._named(value, self.types[outer], path)

    def _named(
        self, value: Any, definition: Any, path: str, discriminant: str | None = None
    ) -> Iterator[str]:
        if isinstance(definition, str):
            yield from self.errors(value, definition, path)
        elif "enum" in definition:
            allowed = [item if isinstance(item, str) else item["value"] for item in definition["enum"]]
            if value not in allowed:
                yield f"{path}: {value!r} is not one of {allowed}"
        elif "discriminant" in definition:
            key = definition["discriminant"]
            variant = definition["union"].get(value.get(key)) if isinstance(value, dict) else None
            if variant is None:
                yield f"{path}: no variant of {sorted(definition['union'])} for {value!r:.60}"
            else:
                name = variant if isinstance(variant, str) else variant["type"]
                yield from self._named(value, self.types[name], path, key)
        elif "type" in definition:
            yield from self.errors(value, definition["type"], path)
        else:
            yield from self._object(value, definition, path, discriminant)

    def _object(self, value: Any, definition: Any, path: str, discriminant: str | None) -> Iterator[str]:
        if not isinstance(value, dict):
            yield f"{path}: expected an object, got {value!r:.60}"
            return
        properties = self._properties(definition)
        extra = value.keys() - properties.keys() - self.extras - {discriminant}
        if extra:
            yield f"{path}: undeclared keys {sorted(extra)}"
        for key, expression in properties.items():
            if key in value:
                yield from self.errors(value[key], expression, f"{path}.{key}")
            elif not expression.startswith("optional<"):
                yield f"{path}: missing {key}"

    def _properties(self, definition: Any) -> dict[str, str]:
        properties: dict[str, str] = {}
        for parent in definition.get("extends", []):
            properties |= self._properties(self.types[parent])
        for key, spec in (definition.get("properties") or {}).items():
            properties[key] = spec if isinstance(spec, str) else spec["type"]
        return properties


@pytest.mark.parametrize("endpoint", sorted(FERN["service"]["endpoints"]))
def test_bodies_validate_against_the_fern_definition(bodies: dict[str, list[Any]], endpoint: str) -> None:
    response = FERN["service"]["endpoints"][endpoint]["response"]
    expression = {"file": None}.get(response["type"], response["type"])
    if expression is None:
        pytest.skip("the artifacts endpoint answers with a ZIP file, not JSON")
    if "property" in response:
        assert bodies[endpoint]
    checker = FernTypes(FERN["types"], frozenset({"user_id"}))
    for body in bodies[endpoint]:
        errors = list(checker.errors(body, expression))
        assert not errors, errors[:5]


def test_fern_checker_catches_mistakes() -> None:
    checker = FernTypes(FERN["types"], frozenset())
    good = {"name": "Joy", "score": 0.5}
    assert list(checker.errors(good, "EmotionScore")) == []
    assert list(checker.errors({"name": "Joy", "score": "0.5"}, "EmotionScore"))
    assert list(checker.errors({"name": "Joy"}, "EmotionScore")) == ["$: missing score"]
    assert list(checker.errors({"type": "text", "url": "x"}, "Source")) == ["$: undeclared keys ['url']"]
    assert list(checker.errors({"status": "DONE"}, "StateInference"))
