"""Where the ``v1`` operators write: output, table and staging locations, and source entries checked early."""

from __future__ import annotations

from pathlib import Path

import pytest

from airflow_provider_hume.client import HumeValidationError
from airflow_provider_hume.operators._v1_sources import SourceResolver
from airflow_provider_hume.operators._v1_staging import Outputs


@pytest.mark.parametrize(
    ("output", "table_format", "table", "staging"),
    [
        ("s3://b/d/calls.jsonl", "parquet", "s3://b/d/calls.parquet", "s3://b/d/calls.jsonl.staging/"),
        ("s3://b/d/calls.jsonl", "csv", "s3://b/d/calls.csv", "s3://b/d/calls.jsonl.staging/"),
        ("s3://b/d/calls.jsonl", "jsonl", "s3://b/d/calls.rows.jsonl", "s3://b/d/calls.jsonl.staging/"),
        ("s3://b/d/calls", "csv", "s3://b/d/calls.csv", "s3://b/d/calls.staging/"),
    ],
)
def test_default_table_and_staging_sit_beside_the_output(
    output: str, table_format: str, table: str, staging: str
) -> None:
    plan = Outputs.plan(output, None, table_format, None)
    assert plan.table is not None
    assert (plan.table.uri, plan.staging.uri) == (table, staging)


def test_explicit_table_and_staging_are_kept_and_staging_is_a_prefix() -> None:
    plan = Outputs.plan("s3://b/o.jsonl", "s3://c/t.parquet", "parquet", "s3://b/tmp/run1")
    assert plan.table is not None
    assert (plan.table.uri, plan.staging.uri) == ("s3://c/t.parquet", "s3://b/tmp/run1/")
    assert Outputs.plan("s3://b/o.jsonl", None, None, None).table is None


@pytest.mark.parametrize(
    ("output", "table", "message"),
    [
        ("s3://b/dir/", None, "output_uri must name one object"),
        ("/local/out.jsonl", None, "output_uri must be an s3://bucket/key URI"),
        ("s3://b/o.jsonl", "s3://b/o.jsonl", "table_uri must name another object than output_uri"),
    ],
)
def test_bad_locations_are_named(output: str, table: str | None, message: str) -> None:
    with pytest.raises(HumeValidationError, match=message):
        Outputs.plan(output, table, "csv", None)


def test_local_sources_that_are_not_files_are_named(tmp_path: Path) -> None:
    resolver = SourceResolver(None, caller="T")
    with pytest.raises(HumeValidationError, match=r"sources\[0\]: .* is not a file"):
        resolver.resolve([str(tmp_path)])
    with pytest.raises(HumeValidationError, match="sources is empty"):
        resolver.resolve([])


def test_duplicates_are_measured_once_and_templated_lists_are_read(tmp_path: Path) -> None:
    wav = tmp_path / "a.wav"
    wav.write_bytes(b"RIFF")
    resolver = SourceResolver(None, caller="T")
    assert [s.uri for s in resolver.resolve([str(wav), str(wav)])] == [str(wav)]
    assert [s.uri for s in resolver.resolve(f"['{wav}']")] == [str(wav)]


def test_a_changed_file_gets_a_new_staging_key(tmp_path: Path) -> None:
    wav = tmp_path / "a.wav"
    wav.write_bytes(b"RIFF1")
    resolver = SourceResolver(None, caller="T")
    (before,) = resolver.resolve([str(wav)])
    wav.write_bytes(b"RIFF22")
    (after,) = resolver.resolve([str(wav)])
    assert before.key(3000) != after.key(3000)
    assert before.key(3000) != before.key(5000), "another setting means measuring again"
