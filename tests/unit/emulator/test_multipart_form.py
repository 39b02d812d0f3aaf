"""The streaming multipart reader: parts split anywhere, files spooled, the first problem kept."""

from __future__ import annotations

import pytest

from airflow_provider_hume.emulator.http.multipart_form import MultipartForm
from airflow_provider_hume.emulator.media import limits

BOUNDARY = b"test-boundary"


def body(*parts: tuple[str, str | None, bytes], end: bool = True) -> bytes:
    """``(name, filename, data)`` parts; ``filename`` ``None`` makes a plain field."""
    chunks = []
    for name, filename, data in parts:
        disposition = f'form-data; name="{name}"' + ("" if filename is None else f'; filename="{filename}"')
        chunks.append(
            b"--" + BOUNDARY + f"\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + data + b"\r\n"
        )
    return b"".join(chunks) + (b"--" + BOUNDARY + b"--\r\n" if end else b"")


def read(data: bytes, chunk: int = 7) -> MultipartForm:
    form = MultipartForm(BOUNDARY)
    for start in range(0, len(data), chunk):
        form.feed(data[start : start + chunk])
    form.finish()
    return form


def test_fields_and_files_split_across_chunks() -> None:
    data = body(
        ("json", None, b'{"notify": true}'),
        ("file", "café.wav", b"RIFF" * 100),
        ("file[]", "b.png", b"\x89PNG"),
    )
    form = read(data, chunk=1)
    assert form.problem is None
    assert bytes(form.json or b"") == b'{"notify": true}'
    assert [(part.filename, part.size) for part in form.files] == [("café.wav", 400), ("b.png", 4)]
    form.files[0].handle.seek(0)
    assert form.files[0].handle.read() == b"RIFF" * 100
    form.close()
    assert all(part.handle.closed for part in form.files)


def test_json_part_may_be_a_file_and_an_empty_filename_is_named_file() -> None:
    form = read(body(("json", "json", b"{}"), ("file", "", b"data")))
    assert (form.problem, bytes(form.json or b""), form.files[0].filename) == (None, b"{}", "file")


@pytest.mark.parametrize(
    ("parts", "problem"),
    [
        ([("media", "a.txt", b"x")], "unexpected form part 'media' (expected json and file)"),
        ([("json", None, b"{}"), ("json", None, b"{}")], "only one json part is allowed"),
        ([("file", None, b"not a file")], "file parts must be files"),
        ([("file[]", None, b"not a file")], "file[] parts must be files"),
    ],
)
def test_refused_parts(parts: list[tuple[str, str | None, bytes]], problem: str) -> None:
    form = read(body(*parts, ("file", "late.txt", b"late")))
    assert form.problem == problem
    assert form.files == []


def test_more_than_100_files_are_counted_not_stored() -> None:
    form = read(body(*[("file", f"{index}.txt", b"x") for index in range(103)]), chunk=4096)
    assert form.problem == "files must have at most 100 items (got 103)"


def test_a_file_over_the_upload_limit_stops_storing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_UPLOAD_BYTES", 10)
    form = read(
        body(("file", "ok.txt", b"0123456789"), ("file", "big.txt", b"0123456789!"), ("file", "c", b""))
    )
    assert form.problem == "file 'big.txt' is larger than the 10 bytes upload limit"
    assert form.files == []


def test_a_body_cut_short_is_invalid() -> None:
    form = read(body(("file", "a.txt", b"data"), end=False))
    assert form.problem == "invalid multipart body: it ends before the closing boundary"


def test_garbage_is_invalid() -> None:
    form = read(b"--other-boundary\r\n\r\nnothing")
    assert form.problem is not None
    assert form.problem.startswith("invalid multipart body")
