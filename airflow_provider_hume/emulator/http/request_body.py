"""Read the body of ``POST /v0/batch/jobs``: JSON, or multipart with a ``json`` part and ``file`` parts.

Multipart bodies are parsed while they stream in (:mod:`.multipart_form`): uploads go to temporary files as
their bytes arrive and are handed on as open handles, so the caller can read them in chunks; an upload over
the size limit is refused with ``400`` without being stored (hume-api-v0.md §2.11, ``media.limits``). File
parts may be named ``file`` or ``file[]``; the ``json`` part may be a plain form field or a file part (the old
SDK sent it as a file without a content type). A JSON body may be at most 16 MiB.

JSON is read strictly (:mod:`..backend.strict_json`): nesting over 64 levels, ``NaN``/``Infinity``, numbers
out of a double's range, invalid UTF-8 and lone surrogates get ``400`` naming the problem, as syntax errors
do. Bodies over :data:`INLINE_PARSE_BYTES` are parsed in a worker thread, so a hostile one cannot stall the
event loop that answers every other client.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Final

from python_multipart.multipart import parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from airflow_provider_hume.emulator.backend.request import JobRequest
from airflow_provider_hume.emulator.backend.strict_json import JsonInvalid, load_json
from airflow_provider_hume.emulator.backend.submission import Upload
from airflow_provider_hume.emulator.backend.validation import RequestInvalid, parse_job_request
from airflow_provider_hume.emulator.http.errors import ApiError
from airflow_provider_hume.emulator.http.multipart_form import MAX_JSON_BYTES, MultipartForm
from airflow_provider_hume.emulator.media import limits
from airflow_provider_hume.emulator.media.ingest import CHUNK_SIZE

INLINE_PARSE_BYTES: Final = 64 * 1024


@asynccontextmanager
async def job_request(request: Request) -> AsyncIterator[tuple[JobRequest, list[Upload]]]:
    """Validate the body; the uploads' handles stay open inside the ``async with`` block."""
    content_type, options = parse_options_header(request.headers.get("content-type"))
    media_type = content_type.decode("latin-1")
    if media_type == "multipart/form-data":
        boundary = options.get(b"boundary")
        if not boundary:
            raise ApiError.message(400, "invalid multipart body: the content type has no boundary")
        form = MultipartForm(boundary)
        try:
            await _read_form(request, form)
            if form.problem is not None:
                raise ApiError.message(400, form.problem)
            body = await parse_json(bytes(form.json or b""), "json part")
            uploads = [Upload(part.filename, part.content_type, part.handle) for part in form.files]
            for upload in uploads:
                upload.handle.seek(0)
            yield _validated(body, len(uploads)), uploads
        finally:
            form.close()
    elif media_type in ("application/json", ""):
        yield _validated(await parse_json(await read_json_body(request), "request body"), 0), []
    else:
        expected = "application/json or multipart/form-data"
        raise ApiError.message(400, f"unsupported content type {media_type!r} (expected {expected})")


async def _read_form(request: Request, form: MultipartForm) -> None:
    """Stream the body into ``form``, a megabyte at a time, off the event loop."""
    pending = bytearray()
    async for chunk in request.stream():
        pending += chunk
        if len(pending) >= CHUNK_SIZE:
            await run_in_threadpool(form.feed, bytes(pending))
            pending.clear()
    await run_in_threadpool(form.feed, bytes(pending))
    form.finish()


async def read_json_body(request: Request) -> bytes:
    """The whole body, refused with ``400`` once it passes 16 MiB (never buffered beyond that)."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_JSON_BYTES:
            raise ApiError.message(400, f"request body must be at most {limits.size_label(MAX_JSON_BYTES)}")
    return bytes(body)


async def parse_json(raw: bytes, what: str) -> Any:
    """The JSON value of ``raw`` (``None`` when empty), or ``400`` "<what> is not valid JSON: <problem>"."""
    if not raw:
        return None
    try:
        if len(raw) <= INLINE_PARSE_BYTES:
            return load_json(raw)
        return await run_in_threadpool(load_json, raw)
    except JsonInvalid as exc:
        raise ApiError.message(400, f"{what} is not valid JSON: {exc}") from None


def _validated(body: object, file_count: int) -> JobRequest:
    try:
        return parse_job_request(body, file_count=file_count)
    except RequestInvalid as exc:
        raise ApiError.message(400, str(exc)) from None
