"""The submit operator's inputs, parsed once into a frozen value before any network call."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from airflow_provider_hume._s3 import S3Uri, is_s3_uri
from airflow_provider_hume.client import HumeValidationError


def as_strings(value: Any, field: str) -> tuple[str, ...]:
    """One string or a list of them, as templated DAGs tend to pass either; anything else names the field.

    A string that is a list literal (``"['a.wav', 'b.wav']"``, what Jinja renders for a list unless the DAG
    sets ``render_template_as_native_obj=True``) is read as that list, never sent as one entry.
    """
    if value is None:
        return ()
    if isinstance(value, str):
        rendered = _rendered_list(value, field)
        return (value,) if rendered is None else rendered
    if not isinstance(value, Sequence):
        raise HumeValidationError(
            f"{field} must be a string or a list of strings (got {type(value).__name__})"
        )
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise HumeValidationError(f"{field}[{index}] must be a string (got {type(item).__name__})")
    return tuple(value)


def _rendered_list(text: str, field: str) -> tuple[str, ...] | None:
    """The list a rendered template wrote as text, or None when ``text`` is not a list literal."""
    stripped = text.strip()
    if not (stripped.startswith("[") and stripped.endswith("]")):
        return None
    try:
        parsed = ast.literal_eval(stripped)
    except (ValueError, SyntaxError):
        return None
    if not isinstance(parsed, list):
        return None
    if not all(isinstance(item, str) for item in parsed):
        raise HumeValidationError(
            f"{field} rendered as a list that holds non-strings ({stripped[:80]!r}); pass a list of strings"
        )
    return tuple(parsed)


@dataclass(frozen=True)
class BatchInputs:
    """Media URLs, local files, ``s3://`` entries (from ``urls`` or ``files``) and texts of one job."""

    urls: tuple[str, ...]
    files: tuple[str, ...]
    s3: tuple[S3Uri, ...]
    texts: tuple[str, ...]

    @classmethod
    def parse(cls, *, urls: Any, files: Any, text: Any) -> BatchInputs:
        """Split and check the operator's arguments (syntax only, no network)."""
        plain_urls, s3_urls = _split_s3(as_strings(urls, "urls"), "urls")
        local_files, s3_files = _split_s3(as_strings(files, "files"), "files")
        return cls(urls=plain_urls, files=local_files, s3=s3_urls + s3_files, texts=as_strings(text, "text"))


def _split_s3(entries: tuple[str, ...], field: str) -> tuple[tuple[str, ...], tuple[S3Uri, ...]]:
    plain = tuple(entry for entry in entries if not is_s3_uri(entry))
    s3 = tuple(
        S3Uri.parse(entry, f"{field}[{index}]") for index, entry in enumerate(entries) if is_s3_uri(entry)
    )
    return plain, s3
