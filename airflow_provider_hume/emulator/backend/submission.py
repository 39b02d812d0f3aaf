"""Create a job from a validated request: download URLs, spool uploads, collect raw text (no HTTP routing).

Sources keep this order: URLs, uploaded files, then the raw-text block. A URL over the size limit gets a
source-level ``error`` (hume-api-v0.md §2.11, ``media.limits``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from airflow_provider_hume.emulator.backend.jobs import Job
from airflow_provider_hume.emulator.backend.request import JobRequest
from airflow_provider_hume.emulator.backend.state import EmulatorState
from airflow_provider_hume.emulator.media import limits
from airflow_provider_hume.emulator.media.fetch import download
from airflow_provider_hume.emulator.media.ingest import Ingestor, TooLarge, read_chunks, spool, text_source
from airflow_provider_hume.emulator.media.sources import Source


@dataclass(frozen=True)
class Upload:
    """One uploaded file: the client's filename and content type, and a readable binary handle."""

    filename: str
    content_type: str | None
    handle: IO[bytes]


def submit_job(
    state: EmulatorState, user_id: str, request: JobRequest, uploads: Sequence[Upload] = ()
) -> Job:
    """Ingest every input of ``request`` and ``uploads`` (blocking I/O) and add the job to ``state``."""
    face = request.models.face
    ingestor = Ingestor(state.spool_dir, keep_images=face is not None and face.save_faces)
    sources = [_url_source(ingestor, url, state.spool_dir) for url in request.urls]
    for upload in uploads:
        spooled = spool(read_chunks(upload.handle), state.spool_dir)
        sources.append(ingestor.file_source(spooled, upload.filename or "file", upload.content_type))
    if request.text:
        sources.append(text_source(request.text))
    return state.add_job(user_id, request, sources)


def _url_source(ingestor: Ingestor, url: str, spool_dir: Path) -> Source:
    try:
        spooled = download(url, spool_dir)
    except TooLarge as exc:
        limit = limits.size_label(exc.limit)
        return ingestor.url_source(
            url, None, f"could not download {url}: larger than the {limit} limit for URLs"
        )
    return ingestor.url_source(url, spooled)
