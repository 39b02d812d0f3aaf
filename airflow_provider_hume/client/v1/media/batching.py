"""Parts grouped into requests of at most ``max_request_bytes`` each (hume-api-v1.md §6: 25 MB a request).

A request's size is its parts' sizes plus :data:`PART_OVERHEAD_BYTES` for each part's multipart framing (the
boundary and the part's headers, ~150 bytes with a long file name) plus :data:`REQUEST_OVERHEAD_BYTES` for
the closing boundary and the ``config`` part (which may carry a ``face_state`` token of unpublished size).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from airflow_provider_hume.client._fields import invalid
from airflow_provider_hume.client.v1.limits import MAX_REQUEST_BYTES
from airflow_provider_hume.client.v1.media.audio import REQUEST_OVERHEAD_BYTES
from airflow_provider_hume.client.v1.media.errors import MediaInputError
from airflow_provider_hume.client.v1.parts import MediaPart

PART_OVERHEAD_BYTES = 512
"""Room counted for one part's multipart boundary and headers."""


def batch_parts(
    parts: Iterable[MediaPart], max_request_bytes: int = MAX_REQUEST_BYTES, *, max_parts: int | None = None
) -> Iterator[list[MediaPart]]:
    """Consecutive groups of ``parts``, in order, each small enough for one request (and of at most
    ``max_parts`` parts when given). ``parts`` is consumed lazily: one group is held at a time.

    Raises :class:`MediaInputError` for a part too large to go in any request.
    """
    budget = max_request_bytes - REQUEST_OVERHEAD_BYTES
    if (
        isinstance(max_request_bytes, bool)
        or not isinstance(max_request_bytes, int)
        or budget <= PART_OVERHEAD_BYTES
    ):
        least = REQUEST_OVERHEAD_BYTES + PART_OVERHEAD_BYTES + 1
        raise invalid("max_request_bytes", f"must be an integer >= {least}", max_request_bytes)
    if max_parts is not None and (
        isinstance(max_parts, bool) or not isinstance(max_parts, int) or max_parts < 1
    ):
        raise invalid("max_parts", "must be an integer >= 1", max_parts)
    batch: list[MediaPart] = []
    used = 0
    for part in parts:
        cost = part.size + PART_OVERHEAD_BYTES
        if cost > budget:
            raise MediaInputError(
                part.name,
                f"is {part.size:,} bytes, too large for a request of at most {max_request_bytes:,} bytes",
            )
        if batch and (used + cost > budget or len(batch) == max_parts):
            yield batch
            batch, used = [], 0
        batch.append(part)
        used += cost
    if batch:
        yield batch
