"""Create a job from a validated request: download URLs, spool uploads, collect raw text (no HTTP routing)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO

from airflow_provider_hume.emulator.fetch import download
from airflow_provider_hume.emulator.ingest import Ingestor, read_chunks, spool, text_source
from airflow_provider_hume.emulator.request import JobRequest
from airflow_provider_hume.emulator.sources import Source
from airflow_provider_hume.emulator.state import EmulatorState, Job


@dataclass(frozen=True)
class Upload:
    """One uploaded file: the client's filename and content type, and a readable binary handle."""

    filename: str
    content_type: str | None
    handle: BinaryIO


def submit_job(
    state: EmulatorState, user_id: str, request: JobRequest, uploads: Sequence[Upload] = ()
) -> Job:
    """Ingest every input of ``request`` and ``uploads`` (blocking I/O) and add the job to ``state``."""
    face = request.models.face
    ingestor = Ingestor(state.spool_dir, keep_images=face is not None and face.save_faces)
    sources: list[Source] = [ingestor.url_source(url, download(url, state.spool_dir)) for url in request.urls]
    for upload in uploads:
        spooled = spool(read_chunks(upload.handle), state.spool_dir)
        sources.append(ingestor.file_source(spooled, upload.filename or "file", upload.content_type))
    if request.text:
        sources.append(text_source(request.text))
    return state.add_job(user_id, request, sources)
