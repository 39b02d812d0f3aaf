"""Read the body of ``POST /v0/batch/jobs``: JSON, or multipart with a ``json`` part and ``file`` parts.

Multipart parsing is Starlette's: file parts are spooled (to disk beyond 1 MiB) and handed on as open handles,
so the caller can read them in chunks. File parts may be named ``file`` or ``file[]``; the ``json`` part may
be a plain form field or a file part (the old SDK sent it as a file without a content type).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Final

from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request

from airflow_provider_hume.emulator.errors import ApiError
from airflow_provider_hume.emulator.request import JobRequest
from airflow_provider_hume.emulator.submission import Upload
from airflow_provider_hume.emulator.validation import MAX_ITEMS, RequestInvalid, parse_job_request

FILE_PARTS: Final = ("file", "file[]")
JSON_PART: Final = "json"
MAX_JSON_BYTES: Final = 16 * 1024 * 1024
MAX_FORM_PARTS: Final = 10 * MAX_ITEMS


@asynccontextmanager
async def job_request(request: Request) -> AsyncIterator[tuple[JobRequest, list[Upload]]]:
    """Validate the body; the uploads' handles stay open inside the ``async with`` block."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == "multipart/form-data":
        try:
            form = await request.form(max_files=MAX_FORM_PARTS, max_fields=MAX_FORM_PARTS)
        except HTTPException as exc:
            raise ApiError.message(400, f"invalid multipart body: {exc.detail}") from None
        try:
            yield await _form_request(form)
        finally:
            await form.close()
    elif media_type in ("application/json", ""):
        yield _validated(_parse_json(await request.body()), 0), []
    else:
        expected = "application/json or multipart/form-data"
        raise ApiError.message(400, f"unsupported content type {media_type!r} (expected {expected})")


async def _form_request(form: FormData) -> tuple[JobRequest, list[Upload]]:
    body: object = None
    json_seen = False
    uploads: list[Upload] = []
    for name, value in form.multi_items():
        if name == JSON_PART and not json_seen:
            body = _parse_json(await _part_text(value))
            json_seen = True
        elif name in FILE_PARTS and isinstance(value, UploadFile):
            uploads.append(Upload(value.filename or "file", value.content_type, value.file))
        else:
            raise ApiError.message(400, _unexpected_part(name))
    return _validated(body, len(uploads)), uploads


async def _part_text(value: str | UploadFile) -> bytes | str:
    if isinstance(value, str):
        return value
    data = await value.read(MAX_JSON_BYTES + 1)
    if len(data) > MAX_JSON_BYTES:
        raise ApiError.message(400, f"json part must be at most {MAX_JSON_BYTES} bytes")
    return data


def _parse_json(raw: bytes | str) -> object:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise ApiError.message(400, "request body is not valid JSON") from None


def _validated(body: object, file_count: int) -> JobRequest:
    try:
        return parse_job_request(body, file_count=file_count)
    except RequestInvalid as exc:
        raise ApiError.message(400, str(exc)) from None


def _unexpected_part(name: str) -> str:
    if name == JSON_PART:
        return "only one json part is allowed"
    if name in FILE_PARTS:
        return f"{name} parts must be files"
    return f"unexpected form part {name!r} (expected json and file)"
