"""The README's install block, run as written with plain pip: from a clone, then from the wheel ``make dist``
builds, into a new virtual environment.

The environment sees the project's locked dependencies (a ``.pth`` file adds ``.venv``'s site-packages), so
pip resolves the extras against them and only builds and installs this package: what the block itself does.
A resolution from scratch is ``test_packaging.py``'s. pip fetches the build backend (hatchling) from the
package index or its cache, so the test is ``provisioning``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from airflow_provider_hume import __version__
from tests.support.snippets import REPO, all_snippets, run_bash

pytestmark = pytest.mark.provisioning

INSTALL_BLOCKS = [s for s in all_snippets() if s.path.name == "README.md" and s.kind == "provisioning"]
SHOW_INSTALLED = """
import importlib.metadata, airflow_provider_hume
print(airflow_provider_hume.__file__)
print(importlib.metadata.version("airflow-provider-hume"))
"""


def _clone(target: Path) -> Path:
    """The repo's tracked files (as they are in the work tree), with its uv bootstrap for ``make dist``."""
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True, text=True
    ).stdout.split("\0")
    for name in filter(None, files):
        if (REPO / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, target / name)
    (target / ".tools").symlink_to(REPO / ".tools")
    return target


def _venv(path: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
    python = path / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(purelib) / "locked_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return path


def test_the_install_block_is_found() -> None:
    assert len(INSTALL_BLOCKS) == 1
    assert "pip install '.[amazon,emulator]'" in INSTALL_BLOCKS[0].code


def test_readme_install_block_runs_with_plain_pip(tmp_path: Path) -> None:
    clone = _clone(tmp_path / "clone")
    venv = _venv(tmp_path / "venv")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "VIRTUAL_ENV", "PYTHON"))}
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}{env['PATH']}", PIP_DISABLE_PIP_VERSION_CHECK="1")
    result = run_bash(INSTALL_BLOCKS[0].code, cwd=clone, env=env, timeout=600)
    assert result.returncode == 0, f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    assert f"Successfully installed airflow-provider-hume-{__version__}" in result.stdout
    assert list((clone / "dist").glob("*.whl")), "make dist wrote no wheel"
    shown = subprocess.run(
        [str(venv / "bin" / "python"), "-c", SHOW_INSTALLED],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert shown[0].startswith(str(venv)), shown
    assert shown[1] == __version__
    emulator = subprocess.run(
        [str(venv / "bin" / "hume-emulator"), "--help"], env=env, capture_output=True, text=True, check=False
    )
    assert emulator.returncode == 0, emulator.stderr
