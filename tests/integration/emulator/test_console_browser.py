"""The emulator console in headless Chromium: a real job's page renders its charts (bars for a single point)
and its failed source's error; a screenshot is kept.

Chromium is Debian's ``chromium`` package, which ``.ci/run`` installs; without it the test is skipped. The
screenshot goes to pytest's ``tmp_path`` and is copied to ``test-artifacts/console-job.png`` (git-ignored) at
the repository root.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from PIL import Image

from airflow_provider_hume.emulator.server import EmulatorServer
from tests.support.cdp import CHROMIUM_FLAGS, find_chromium
from tests.support.samples import wav_bytes

Wait = Callable[[str, dict[str, str], str], dict[str, Any]]

API_KEY = "console-browser-key"
MISSING_URL = "https://example.invalid/missing.wav"
ARTIFACT = Path(__file__).resolve().parents[3] / "test-artifacts" / "console-job.png"
BROWSER_TIMEOUT_SECONDS = 60
WINDOW = (1200, 900)


@pytest.fixture(scope="session")
def chromium() -> str:
    """The path of Chromium; the test is skipped without it (tests install nothing themselves)."""
    found = find_chromium()
    if found is None:
        pytest.skip("chromium is not installed: install Debian's 'chromium' package (.ci/run does, as root)")
    return found


def _run_chromium(chromium: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        chromium,
        *(flag for flag in CHROMIUM_FLAGS if not flag.startswith(("--remote-debugging", "--window-size"))),
        f"--user-data-dir={profile}",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
        "--virtual-time-budget=5000",  # let the console's key-to-cookie refresh finish (virtual: no wait)
        *args,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=BROWSER_TIMEOUT_SECONDS)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def test_job_page_in_headless_chromium(chromium: str, tmp_path: Path, wait_for_status: Wait) -> None:
    headers = {"X-Hume-Api-Key": API_KEY}
    with EmulatorServer(api_keys=[API_KEY], queue_seconds=0.1, run_seconds=0.2) as server:
        config = {
            "models": {"language": {}, "prosody": {}, "burst": {}},
            "text": ["What a wonderful morning. Then the storm came and I was afraid.", "Hello."],
            "urls": [MISSING_URL],  # not loopback: the emulator never fetches it, the source fails
        }
        parts: list[tuple[str, Any]] = [("json", (None, json.dumps(config)))]
        parts.append(("file", ("tone.wav", wav_bytes(3.0), "audio/wav")))
        response = requests.post(f"{server.url}/v0/batch/jobs", files=parts, headers=headers, timeout=30)
        assert response.status_code == 200, response.text
        job_id = response.json()["job_id"]
        wait_for_status(f"{server.url}/v0/batch/jobs/{job_id}", headers, "COMPLETED")

        # The key goes in the query once; the console moves it into a cookie and reloads without it.
        url = f"{server.url}/_emulator/console/jobs/{job_id}?apikey={API_KEY}"
        screenshot = tmp_path / "console-job.png"
        _run_chromium(chromium, tmp_path / "profile-shot", f"--screenshot={screenshot}", url)
        dom = _run_chromium(chromium, tmp_path / "profile-dom", "--dump-dom", url).stdout

    assert job_id in dom
    assert "COMPLETED" in dom
    assert dom.count("<svg") == 5  # tone.wav: prosody, burst, language; each text: language
    assert "<polyline" in dom
    assert dom.count('class="bar"') == 10  # a bar per top emotion: tone.wav's one burst, the word "Hello."
    assert '<span class="status FAILED">FAILED</span>' in dom
    assert f"could not download {MISSING_URL}" in dom
    assert "time (s)" in dom
    assert API_KEY not in dom
    assert "Unauthorized" not in dom

    data = screenshot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 20_000
    with Image.open(io.BytesIO(data)) as image:
        image.verify()
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == WINDOW
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
        assert colours is not None
        assert len(colours) > 50  # text, lines and badges, not a blank page
    ARTIFACT.parent.mkdir(exist_ok=True)
    shutil.copyfile(screenshot, ARTIFACT)
    print(f"console screenshot: {screenshot} (copied to {ARTIFACT})")
