"""Fixtures for emulator integration tests: a loopback HTTP server for job URLs, and job polling."""

from __future__ import annotations

import http.server
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.loopback import serve_in_thread
from tests.support.samples import image_bytes, wav_bytes

POLL_DEADLINE_SECONDS = 15.0


class _MediaHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files from a directory, plus redirects: ``/redirect/<name>`` and ``/redirect-out``."""

    def do_GET(self) -> None:
        if self.path.startswith("/redirect/"):
            self._redirect("/" + self.path.removeprefix("/redirect/"))
        elif self.path == "/redirect-out":
            self._redirect("http://example.com/tone.wav")
        else:
            super().do_GET()

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""


@pytest.fixture(scope="module")
def media_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a loopback server holding tone.wav (3 s), face.png (640x480) and face.jpg (800x600)."""
    directory: Path = tmp_path_factory.mktemp("media")
    (directory / "tone.wav").write_bytes(wav_bytes(3.0))
    (directory / "face.png").write_bytes(image_bytes(640, 480))
    (directory / "face.jpg").write_bytes(image_bytes(800, 600, image_format="JPEG"))
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(_MediaHandler, directory=str(directory))
    )
    with serve_in_thread(server) as url:
        yield url


@pytest.fixture
def wait_for_status() -> Callable[[str, dict[str, str], str], dict[str, Any]]:
    """Poll a job's details until it reaches ``status`` (or fail at the deadline)."""

    def _wait(job_url: str, headers: dict[str, str], status: str) -> dict[str, Any]:
        deadline = time.monotonic() + POLL_DEADLINE_SECONDS
        while True:
            details: dict[str, Any] = requests.get(job_url, headers=headers, timeout=10).json()
            if details["state"]["status"] == status:
                return details
            assert time.monotonic() < deadline, f"job never reached {status}: {details['state']}"
            time.sleep(0.05)

    return _wait
