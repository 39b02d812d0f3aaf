"""The submit operator's inputs, split into URLs, local files, ``s3://`` entries and texts (no network)."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_hume._s3 import S3Uri
from airflow_provider_hume.client import HumeValidationError
from airflow_provider_hume.operators._batch_inputs import BatchInputs, as_strings


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, ()), ("a", ("a",)), (["a", "b"], ("a", "b")), (("a",), ("a",)), ([], ())],
)
def test_one_string_or_a_list(value: Any, expected: tuple[str, ...]) -> None:
    assert as_strings(value, "urls") == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (123, "files must be a string or a list of strings (got int)"),
        ({"a": 1}, "files must be a string or a list of strings (got dict)"),
        (["a", None], "files[1] must be a string (got NoneType)"),
    ],
)
def test_anything_else_names_the_field(value: Any, message: str) -> None:
    with pytest.raises(HumeValidationError) as error:
        as_strings(value, "files")
    assert str(error.value) == message


def test_s3_entries_are_taken_from_urls_and_files() -> None:
    inputs = BatchInputs.parse(
        urls=["https://m.example/a.mp4", "s3://bucket/in/", "S3://bucket/b.wav"],
        files=["/data/c.wav", "s3://other/d.wav"],
        text="hello",
    )
    assert inputs.urls == ("https://m.example/a.mp4",)
    assert inputs.files == ("/data/c.wav",)
    assert inputs.s3 == (S3Uri("bucket", "in/"), S3Uri("bucket", "b.wav"), S3Uri("other", "d.wav"))
    assert inputs.texts == ("hello",)


def test_a_malformed_s3_entry_names_its_position_in_its_field() -> None:
    with pytest.raises(HumeValidationError, match=r"^files\[1\] must look like s3://bucket/key"):
        BatchInputs.parse(urls=None, files=["/a.wav", "s3:///b.wav"], text=None)


@pytest.mark.parametrize(
    ("rendered", "expected"),
    [
        ("['a.wav', 'b.wav']", ("a.wav", "b.wav")),
        ('["I love this", "I hate this"]', ("I love this", "I hate this")),
        ("[]", ()),
        ("[not a literal]", ("[not a literal]",)),
        ("a [bracketed] text", ("a [bracketed] text",)),
    ],
)
def test_a_list_rendered_by_jinja_as_text_is_read_as_the_list(
    rendered: str, expected: tuple[str, ...]
) -> None:
    assert as_strings(rendered, "text") == expected


def test_a_rendered_list_of_non_strings_names_the_field() -> None:
    with pytest.raises(HumeValidationError, match=r"^text rendered as a list that holds non-strings"):
        as_strings("[1, 2]", "text")
