"""The answers to a file's chunks put back together on the file's own timeline (hume-api-v1.md §5).

Each chunk is a request of its own, so Hume numbers its utterances and measurements from 0 and counts its
``audio_*_ms`` from the chunk's start. :func:`stitch_audio` renumbers both ids consecutively across the chunks
(in chunk order, keeping each chunk's own order) and adds the chunk's ``offset_ms`` to every time. Every
chunk's ``run_id`` and ``request_id`` is kept (each request is a run, billed on its own).

**An utterance cut at a split becomes two utterances**: one ending at the split (Hume ends an utterance when
its audio ends), one starting there, each with its own measurements (the second one's windows cannot reach
back into the first chunk's audio). No merging is attempted: Hume's measurements cover at most the last 10 s
of an utterance, so there is nothing that could be re-measured across the split without sending the audio
again. Chunks are as long as the request limit allows (about 13 minutes), so this happens once per 13 minutes
at most.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from airflow_provider_hume.client.errors import HumeError
from airflow_provider_hume.client.v1.media.audio import AudioChunk
from airflow_provider_hume.client.v1.results import AudioFileResult, AudioMeasurement, Utterance


@dataclass(frozen=True)
class ChunkSummary:
    """Where one chunk sits in the file and which request measured it."""

    index: int
    offset_ms: int
    duration_ms: int
    run_id: str
    request_id: str
    utterances: int
    measurements: int

    def to_api(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "offset_ms": self.offset_ms,
            "duration_ms": self.duration_ms,
            "run_id": self.run_id,
            "request_id": self.request_id,
            "utterances": self.utterances,
            "measurements": self.measurements,
        }


@dataclass(frozen=True)
class StitchedAudio:
    """A whole file's results, in the shape of one :class:`AudioFileResult` plus where each chunk went.

    ``audio_duration_ms`` is the sum of the chunks' (as Hume reported them); ``run_ids`` and ``chunks`` follow
    chunk order. Utterances ``chunks[i].utterances`` after those of the earlier chunks came from chunk ``i``,
    and likewise for measurements.
    """

    utterances: tuple[Utterance, ...]
    measurements: tuple[AudioMeasurement, ...]
    audio_duration_ms: int
    chunks: tuple[ChunkSummary, ...]

    @property
    def run_ids(self) -> tuple[str, ...]:
        return tuple(chunk.run_id for chunk in self.chunks)

    @property
    def request_ids(self) -> tuple[str, ...]:
        return tuple(chunk.request_id for chunk in self.chunks)

    def to_api(self) -> dict[str, Any]:
        """An ``AudioFileResponse`` body (``request_id`` and ``run_id`` are the first chunk's) plus
        ``run_ids`` and ``chunks``; :meth:`AudioFileResult.from_api` reads it."""
        first = self.chunks[0]
        return {
            "request_id": first.request_id,
            "run_id": first.run_id,
            "received": {"audio_duration_ms": self.audio_duration_ms},
            "utterances": [utterance.to_api() for utterance in self.utterances],
            "measurements": [measurement.to_api() for measurement in self.measurements],
            "run_ids": list(self.run_ids),
            "chunks": [chunk.to_api() for chunk in self.chunks],
        }


def stitch_audio(results: Sequence[tuple[AudioChunk, AudioFileResult]]) -> StitchedAudio:
    """Join the results of a file's chunks, given in chunk order, into one result on the file's timeline."""
    if not results:
        raise ValueError("stitch_audio needs the result of at least one chunk")
    indexes = [chunk.index for chunk, _ in results]
    if indexes != sorted(indexes) or len(set(indexes)) != len(indexes):
        raise ValueError(f"stitch_audio needs the chunks in order, each once (got indexes {indexes})")
    utterances: list[Utterance] = []
    measurements: list[AudioMeasurement] = []
    summaries: list[ChunkSummary] = []
    for chunk, result in results:
        offset, first_utterance, first_measurement = chunk.offset_ms, len(utterances), len(measurements)
        renumbered = {u.utterance_id: first_utterance + i for i, u in enumerate(result.utterances)}
        utterances.extend(
            replace(
                utterance,
                utterance_id=first_utterance + i,
                audio_start_ms=utterance.audio_start_ms + offset,
                audio_end_ms=utterance.audio_end_ms + offset,
            )
            for i, utterance in enumerate(result.utterances)
        )
        measurements.extend(
            replace(
                measurement,
                measurement_id=first_measurement + i,
                utterance_id=_utterance_id(renumbered, measurement, chunk),
                audio_start_ms=measurement.audio_start_ms + offset,
                audio_end_ms=measurement.audio_end_ms + offset,
            )
            for i, measurement in enumerate(result.measurements)
        )
        summaries.append(
            ChunkSummary(
                chunk.index,
                offset,
                chunk.duration_ms,
                result.run_id,
                result.request_id,
                len(result.utterances),
                len(result.measurements),
            )
        )
    duration = sum(result.audio_duration_ms for _, result in results)
    return StitchedAudio(tuple(utterances), tuple(measurements), duration, tuple(summaries))


def _utterance_id(renumbered: dict[int, int], measurement: AudioMeasurement, chunk: AudioChunk) -> int:
    try:
        return renumbered[measurement.utterance_id]
    except KeyError:
        raise HumeError(
            f"Hume's answer for {chunk.part.name} has measurement {measurement.measurement_id} of utterance "
            f"{measurement.utterance_id}, which the answer does not list"
        ) from None
