"""URL fetching is restricted to loopback hosts and never connects anywhere else."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests

from airflow_provider_hume.emulator.media.fetch import download, is_loopback_url
from airflow_provider_hume.emulator.media.ingest import url_file_name


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://127.0.0.1:8000/a.wav", True),
        ("http://127.5.6.7/a.wav", True),
        ("https://localhost/a.png", True),
        ("http://[::1]:9000/a.png", True),
        ("http://example.com/a.png", False),
        ("http://10.0.0.1/a.png", False),
        ("http://localhost.example.com/a.png", False),
        ("http://0.0.0.0/a.png", False),
        ("ftp://127.0.0.1/a.png", False),
    ],
)
def test_is_loopback_url(url: str, allowed: bool) -> None:
    assert is_loopback_url(url) is allowed


def test_non_loopback_url_is_never_requested(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("no connection may be attempted")

    monkeypatch.setattr(requests.Session, "get", fail)
    assert download("https://hume-tutorials.s3.amazonaws.com/faces.zip", tmp_path) is None
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("http://127.0.0.1/media/faces.zip", "faces.zip"),
        ("http://127.0.0.1/media/my%20clip.wav?x=1", "my clip.wav"),
        ("http://127.0.0.1/", "download"),
    ],
)
def test_url_file_name(url: str, name: str) -> None:
    assert url_file_name(url) == name
