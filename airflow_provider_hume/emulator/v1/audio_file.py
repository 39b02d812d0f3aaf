"""Measure a whole audio upload (hume-api-v1.md §5): its samples fed through an :class:`AudioMeasurer` a
megabyte at a time, collected into the file response's ``utterances`` and ``measurements``."""

from __future__ import annotations

from typing import IO, Any, Final

from airflow_provider_hume.emulator.v1.audio_format import PcmSpan
from airflow_provider_hume.emulator.v1.audio_measure import AudioMeasurer, Message

CHUNK_BYTES: Final = 1024 * 1024


def measure_upload(measurer: AudioMeasurer, upload: IO[bytes], span: PcmSpan) -> dict[str, Any]:
    """``{"received", "utterances", "measurements"}`` of the samples at ``span`` in ``upload``."""
    upload.seek(span.offset)
    remaining = span.size
    messages: list[Message] = []
    while remaining:
        chunk = upload.read(min(CHUNK_BYTES, remaining))
        if not chunk:
            raise OSError("the spooled upload ended early")
        remaining -= len(chunk)
        messages += measurer.feed(chunk)
    messages += measurer.finish()
    utterances = [_without_type(message) for message in messages if message["type"] == "utterance.end"]
    measurements = [_without_type(message) for message in messages if message["type"] == "measurement.result"]
    return {
        "received": {"audio_duration_ms": span.duration_ms},
        "utterances": utterances,
        "measurements": measurements,
    }


def _without_type(message: Message) -> Message:
    return {key: value for key, value in message.items() if key != "type"}
