"""``OutputMark``: the S3 user metadata a transfer writes, and how an object's ``HEAD`` is read back."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_hume.transfers.output_marks import OutputMark

MARK = OutputMark("job-7", "predictions", "csv", ("face", "language"))


def test_the_metadata_round_trips_through_a_head_answer() -> None:
    assert MARK.metadata() == {
        "hume-job-id": "job-7",
        "hume-body": "predictions",
        "hume-format": "csv",
        "hume-tables": "face,language",
    }
    assert OutputMark.from_head({"Metadata": MARK.metadata()}) == MARK
    assert "hume-tables" not in OutputMark("job-7", "artifacts", "zip").metadata()


def test_keys_are_read_whatever_their_case() -> None:
    head = {"Metadata": {"Hume-Job-Id": "job-7", "HUME-BODY": "artifacts", "hume-format": "zip"}}
    assert OutputMark.from_head(head) == OutputMark("job-7", "artifacts", "zip")


@pytest.mark.parametrize(
    "head",
    [
        {},
        {"Metadata": {}},
        {"Metadata": {"hume-job-id": "job-7", "hume-body": "predictions"}},
        {"Metadata": {"hume-job-id": "", "hume-body": "predictions", "hume-format": "json"}},
    ],
)
def test_an_object_without_a_whole_mark_has_none(head: dict[str, Any]) -> None:
    assert OutputMark.from_head(head) is None


def test_the_same_output_ignores_the_set_of_tables() -> None:
    assert MARK.same_output(OutputMark("job-7", "predictions", "csv"))
    assert not MARK.same_output(OutputMark("job-7", "predictions", "parquet", MARK.tables))
    assert not MARK.same_output(OutputMark("job-8", "predictions", "csv", MARK.tables))
    assert not MARK.same_output(OutputMark("job-7", "artifacts", "csv", MARK.tables))
