"""batch_parts: requests of at most max_request_bytes, counting multipart overhead, order kept."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest

from airflow_provider_hume.client.v1.limits import MAX_REQUEST_BYTES
from airflow_provider_hume.client.v1.media import (
    PART_OVERHEAD_BYTES,
    REQUEST_OVERHEAD_BYTES,
    MediaInputError,
    batch_parts,
)
from airflow_provider_hume.client.v1.parts import IMAGE_JPEG, MediaPart


def part(index: int, size: int) -> MediaPart:
    return MediaPart(f"f{index}.jpg", size, IMAGE_JPEG, lambda: io.BytesIO(bytes(size)))


def sizes(batches: Iterator[list[MediaPart]]) -> list[list[int]]:
    return [[p.size for p in batch] for batch in batches]


def test_parts_fill_requests_in_order() -> None:
    limit = REQUEST_OVERHEAD_BYTES + 3 * (1000 + PART_OVERHEAD_BYTES)
    parts = [part(i, size) for i, size in enumerate([1000, 1000, 1000, 1001, 10, 3000])]
    batches = list(batch_parts(parts, limit))
    assert [[p.name.removesuffix(".jpg") for p in batch] for batch in batches] == [
        ["f0", "f1", "f2"],
        ["f3", "f4"],
        ["f5"],
    ]
    for batch in batches:
        assert REQUEST_OVERHEAD_BYTES + sum(p.size + PART_OVERHEAD_BYTES for p in batch) <= limit


def test_a_full_size_image_batch_at_the_real_limit() -> None:
    batches = sizes(batch_parts((part(i, 2_000_000) for i in range(30)), MAX_REQUEST_BYTES))
    assert [len(batch) for batch in batches] == [12, 12, 6]


def test_max_parts() -> None:
    assert sizes(batch_parts([part(i, 1) for i in range(5)], max_parts=2)) == [[1, 1], [1, 1], [1]]


def test_parts_are_consumed_lazily() -> None:
    taken: list[int] = []

    def parts() -> Iterator[MediaPart]:
        for i in range(100):
            taken.append(i)
            yield part(i, 1)

    first = next(batch_parts(parts(), max_parts=3))
    assert len(first) == 3
    assert taken == [0, 1, 2, 3]


def test_nothing_gives_no_batch() -> None:
    assert list(batch_parts([])) == []


def test_a_part_too_large_for_any_request() -> None:
    with pytest.raises(
        MediaInputError, match=r"^huge\.jpg: is 30,000,000 bytes, too large for a request of at"
    ):
        list(batch_parts([MediaPart("huge.jpg", 30_000_000, IMAGE_JPEG, io.BytesIO)]))


@pytest.mark.parametrize(
    ("limit", "max_parts"), [(REQUEST_OVERHEAD_BYTES, None), (True, None), (MAX_REQUEST_BYTES, 0)]
)
def test_bad_limits(limit: int, max_parts: int | None) -> None:
    with pytest.raises(ValueError, match=r"must be an integer >="):
        next(batch_parts([part(0, 1)], limit, max_parts=max_parts))
