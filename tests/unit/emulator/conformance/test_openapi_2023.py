"""The emulator's bodies validate against the 2023 OpenAPI document (``fern_hume_openapi_2023.yaml``).

The document has known bugs, patched here before validating (each patch is tested to matter):

1. ``score`` of every ``*Score`` is typed ``string``; Hume's SDKs and examples use numbers
   (hume-api-v0.md §2.7).
2. OpenAPI 3.0 needs ``nullable`` and the document never sets it, yet Hume's own examples send ``null`` for
   optional fields (``"metadata": null``, ``"facs": null``, ``"callback_url": null``): properties that are not
   ``required`` may be ``null``, as the later Fern definition (``optional<...>``) says.
3. ``Source`` lacks the raw-text variant ``{"type": "text"}`` (Fern: ``SourceTextSource``).
4. ``discriminator`` has no JSON Schema meaning (the ``oneOf`` of the job states is ambiguous without it):
   it becomes one ``if``/``then`` per mapping entry.

The bodies (see ``conftest.py``) use every model, option, kind of source and job state.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

REFERENCE = Path(__file__).resolve().parents[3] / "fixtures" / "reference"
OPENAPI = yaml.safe_load((REFERENCE / "fern_hume_openapi_2023.yaml").read_text())
SCORES = ("EmotionScore", "FacsScore", "DescriptionsScore", "SentimentScore", "ToxicityScore")


def test_the_bodies_use_every_model_field_and_source(bodies: dict[str, list[Any]]) -> None:
    text = json.dumps(bodies["get-job-predictions"])
    keys = set(re.findall(r'"(\w+)": ', text))
    assert {"face", "burst", "prosody", "language", "ner", "facemesh", "facs", "descriptions", "sentiment",
            "toxicity", "detected_language", "speaker_confidence", "entity", "link_word", "uri", "support",
            "position", "frame", "box", "error", "errors", "filename", "md5sum", "url"} <= keys  # fmt: skip
    assert '"type": "text"' in text
    assert '"id": "spk_0"' in text
    assert '"id": "face_0"' in text


def sanitized(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", name)


def to_json_schema(schema: Any, *, nullable: bool = True) -> Any:
    """An OpenAPI 3.0 schema as JSON Schema 2020-12, with patch 4 of the module docstring (and 2 if asked)."""
    if isinstance(schema, list):
        return [to_json_schema(item, nullable=nullable) for item in schema]
    if not isinstance(schema, dict):
        return schema
    converted = {
        key: to_json_schema(value, nullable=nullable)
        for key, value in schema.items()
        if key not in ("default", "example")
    }
    if "$ref" in schema:
        converted["$ref"] = "#/$defs/" + sanitized(schema["$ref"].rsplit("/", 1)[1])
    if "properties" in schema:
        required = set(schema.get("required", ()))
        converted["properties"] = {
            key: value if key in required or not nullable else {"anyOf": [value, {"type": "null"}]}
            for key, value in converted["properties"].items()
        }
    if "discriminator" in schema:
        discriminator = converted.pop("discriminator")
        converted.pop("oneOf", None)
        name = discriminator["propertyName"]
        mapping = discriminator["mapping"]
        converted["required"] = [name]
        converted["properties"] = {name: {"enum": list(mapping)}}
        converted["allOf"] = [
            {"if": {"properties": {name: {"const": key}}}, "then": to_json_schema({"$ref": target})}
            for key, target in mapping.items()
        ]
    return converted


def openapi_validator(name: str, *, patched: bool = True) -> jsonschema.Draft202012Validator:
    schemas = json.loads(json.dumps(OPENAPI["components"]["schemas"]))
    if patched:
        for score in SCORES:
            schemas[score]["properties"]["score"] = {"type": "number"}
        schemas["Source_Text"] = {"type": "object", "properties": {"type": {"const": "text"}}}
        schemas["Source"]["oneOf"].append({"$ref": "#/components/schemas/Source_Text"})
        schemas["Source"]["discriminator"]["mapping"]["text"] = "#/components/schemas/Source_Text"
    definitions = {sanitized(key): to_json_schema(value, nullable=patched) for key, value in schemas.items()}
    return jsonschema.Draft202012Validator({"$defs": definitions, "$ref": f"#/$defs/{sanitized(name)}"})


OPENAPI_ROOTS = {
    "start-inference-job": ("JobId", False),
    "start-inference-job-from-local-file": ("JobId", False),
    "get-job-details": ("Job<Request>", False),
    "list-jobs": ("Job<Request>", True),
    "get-job-predictions": ("SourceResult", True),
}


@pytest.mark.parametrize("endpoint", sorted(OPENAPI_ROOTS))
def test_bodies_validate_against_the_2023_openapi(bodies: dict[str, list[Any]], endpoint: str) -> None:
    name, is_list = OPENAPI_ROOTS[endpoint]
    validator = openapi_validator(name)
    for body in bodies[endpoint]:
        for item in body if is_list else [body]:
            errors = [
                f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(item)
            ]
            assert not errors, errors[:5]


def test_the_openapi_patches_are_needed(bodies: dict[str, list[Any]]) -> None:
    def messages(errors: Iterator[jsonschema.ValidationError]) -> Iterator[str]:
        for error in errors:
            yield error.message
            yield from messages(iter(error.context or ()))

    validator = openapi_validator("SourceResult", patched=False)
    expected = {
        "score as number": r"[0-9.e-]+ is not of type 'string'",
        "null list": r"None is not of type 'array'",
        "null object": r"None is not of type 'object'",
        "text source": r"'text' is not one of \['url', 'file'\]",
    }
    missing = dict(expected)
    defaults_job = bodies["get-job-predictions"][1]
    for item in defaults_job:
        for message in messages(validator.iter_errors(item)):
            missing = {
                name: pattern for name, pattern in missing.items() if not re.fullmatch(pattern, message)
            }
    assert not missing, f"the unpatched schema accepts: {sorted(missing)}"
