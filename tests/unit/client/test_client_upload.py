"""Local-file checks and the streamed multipart body, read here without any socket."""

from __future__ import annotations

import json
import logging
import os
from email.message import Message
from email.parser import BytesParser
from pathlib import Path

import pytest

from airflow_provider_hume.client._upload import MultipartUpload, check_files, human_size
from airflow_provider_hume.client.errors import HumeValidationError


def parse(body: bytes, content_type: str) -> list[Message]:
    message = BytesParser().parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    return list(message.get_payload())


def test_check_files(tmp_path: Path) -> None:
    audio = tmp_path / "a.wav"
    audio.write_bytes(b"RIFF")
    assert check_files([audio, str(audio)]) == [audio, audio]
    assert check_files(str(audio)) == [audio]
    assert check_files(()) == []
    with pytest.raises(HumeValidationError, match=r"^files\[1\] does not exist: "):
        check_files([audio, tmp_path / "missing.wav"])
    with pytest.raises(HumeValidationError, match=r"^files\[0\] is not a regular file: "):
        check_files([tmp_path])
    with pytest.raises(HumeValidationError, match=r"^files\[0\] must be a file path"):
        check_files([b"bytes"])  # type: ignore[list-item]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read anything")
def test_unreadable_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("x")
    secret.chmod(0)
    with pytest.raises(HumeValidationError, match=r"^files\[0\] is not readable"):
        check_files([secret])


def test_multipart_body_has_json_and_named_file_parts(tmp_path: Path) -> None:
    first = tmp_path / "speech.wav"
    first.write_bytes(b"RIFF....WAVE" + bytes(range(256)))
    second = tmp_path / "notes.txt"
    second.write_text("hello")
    upload = MultipartUpload(json.dumps({"models": {"prosody": {}}}), [first, second])
    with upload.open() as (monitor, content_type):
        body = monitor.read()
    assert content_type.startswith("multipart/form-data; boundary=")
    parts = parse(body, content_type)
    assert [p.get_param("name", header="content-disposition") for p in parts] == ["json", "file", "file"]
    assert parts[0].get_filename() is None
    assert json.loads(parts[0].get_payload(decode=True)) == {"models": {"prosody": {}}}  # type: ignore[arg-type]
    assert [p.get_filename() for p in parts[1:]] == ["speech.wav", "notes.txt"]
    assert parts[1].get_content_type() in ("audio/x-wav", "audio/wav")
    assert parts[2].get_content_type() == "text/plain"
    assert parts[1].get_payload(decode=True) == first.read_bytes()


def test_each_open_is_a_fresh_body(tmp_path: Path) -> None:
    path = tmp_path / "a.bin"
    path.write_bytes(b"x" * 1000)
    upload = MultipartUpload("{}", [path])
    with upload.open() as (first, _):
        one = first.read()
    with upload.open() as (second, _):
        two = second.read()
    assert len(one) == len(two) > 1000


def test_progress_is_logged_every_tenth(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "big.bin"
    path.write_bytes(b"\0" * (1024 * 1024))
    with (
        caplog.at_level(logging.INFO, logger="airflow_provider_hume.client._upload"),
        MultipartUpload("{}", [path]).open() as (monitor, _),
    ):
        while monitor.read(8192):
            pass
    messages = [r.getMessage() for r in caplog.records]
    assert messages[0] == "Hume upload: sending 1 file(s), 1.0 MiB in total"
    progress = [m for m in messages if "uploaded" in m]
    assert 9 <= len(progress) <= 11
    assert progress[-1].endswith("(100%)")
    assert "of 1.0 MiB" in progress[-1]


def test_human_size() -> None:
    assert human_size(12) == "12 B"
    assert human_size(320 * 1024 * 1024) == "320.0 MiB"
    assert human_size(1024**3) == "1.0 GiB"
    assert human_size(5 * 1024**4) == "5120.0 GiB"
