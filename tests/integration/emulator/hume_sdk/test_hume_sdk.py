"""Hume's own Python SDK, pointed at the emulator, runs a whole batch scenario without an error.

The SDK is never added to the project's environment: each release is installed with uv into a throwaway
virtualenv, which needs PyPI or a warm uv cache; without either (or without uv) the test is skipped and says
why. Two releases are covered: 0.7.13 with the ``legacy`` extra (the Fern client, whose pydantic models parse
every body, plus the seed-era ``hume.legacy.HumeBatchClient``) and 0.13.11, the last release with
``expression_measurement`` (0.14 dropped it). Deselect with ``-m "not provisioning"``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.support.samples import wav_bytes

if TYPE_CHECKING:
    from tests.conftest import EmulatorHandle

SCENARIO = Path(__file__).with_name("hume_sdk_scenario.py")
ROOT = Path(__file__).resolve().parents[4]
INSTALL_TIMEOUT_SECONDS = 25
SCENARIO_TIMEOUT_SECONDS = 30

pytestmark = [pytest.mark.provisioning, pytest.mark.timeout(90)]


def find_uv() -> str | None:
    """``$UV``, ``uv`` on the PATH, or the repository's ``.tools/bin/uv``."""
    candidates = [os.environ.get("UV"), shutil.which("uv"), str(ROOT / ".tools" / "bin" / "uv")]
    return next((path for path in candidates if path and Path(path).is_file()), None)


def sdk_python(tmp_path: Path, requirement: str) -> Path:
    """A throwaway virtualenv holding ``requirement``; skips the test when it cannot be installed."""
    uv = find_uv()
    if uv is None:
        pytest.skip("uv is not available (set UV or put uv on the PATH) to install Hume's SDK")
    venv = tmp_path / "venv"
    environment = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    create = [uv, "venv", "--quiet", "--python", sys.executable, str(venv)]
    subprocess.run(create, check=True, env=environment, timeout=INSTALL_TIMEOUT_SECONDS)
    python = venv / "bin" / "python"
    install = [uv, "pip", "install", "--quiet", "--python", str(python), requirement]
    errors = []
    for extra in ([], ["--offline"]):
        try:
            done = subprocess.run(
                [*install, *extra],
                capture_output=True,
                text=True,
                env=environment,
                timeout=INSTALL_TIMEOUT_SECONDS,
            )
        except subprocess.TimeoutExpired:
            errors.append("timed out")
            continue
        if done.returncode == 0:
            return python
        errors.append(
            done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"
        )
    pytest.skip(f"could not install {requirement} (no PyPI access and no uv cache?): {'; '.join(errors)}")


def run_scenario(python: Path, emulator: EmulatorHandle, media_url: str, upload: Path) -> dict[str, Any]:
    done = subprocess.run(
        [str(python), "-W", "ignore", str(SCENARIO), emulator.url, emulator.api_key, media_url, str(upload)],
        capture_output=True,
        text=True,
        timeout=SCENARIO_TIMEOUT_SECONDS,
        env={key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"},
    )
    assert done.returncode == 0, done.stderr[-4000:]
    summary: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return summary


@pytest.mark.parametrize("requirement", ["hume[legacy]==0.7.13", "hume==0.13.11"])
def test_hume_sdk_batch_scenario(
    tmp_path: Path, emulator: EmulatorHandle, media_url: str, requirement: str
) -> None:
    python = sdk_python(tmp_path, requirement)
    upload = tmp_path / "voice.wav"
    upload.write_bytes(wav_bytes(2.0))
    summary = run_scenario(python, emulator, media_url, upload)
    assert summary["fern"] == {
        "status": "COMPLETED",
        "num_predictions": 3,
        "sources": ["url", "url", "text"],
        "models": [["burst", "language", "ner", "prosody"], ["face"], ["language", "ner"]],
        "artifacts_zip": True,
        "listed": True,
        "upload_file": "voice.wav",
    }
    if requirement.startswith("hume[legacy]"):
        assert summary["legacy"] == {
            "status": "COMPLETED",
            "configs": ["burst", "face", "language", "ner", "prosody"],
            "sources": ["url", "file", "text"],
            "run_time_ms": True,
        }
    else:
        assert summary["legacy"] is None
