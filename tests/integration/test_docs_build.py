"""``make docs`` fails on a broken link or anchor, and on a docstring the API reference cannot render.

The docs sources are copied to a temporary folder with one defect of each kind (a link to a missing page, a
missing anchor, a ``:param:`` naming no parameter, a field left in the middle of a paragraph), and the
Makefile's own ``docs`` target runs there (in the running interpreter's environment): the build must stop and
name each defect, and nothing else. About ten seconds, one build of the whole site. ``make test`` builds the
real site.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
#: What the build reads: its configuration and hooks, the pages, the package's source, files pages link to.
SOURCES = (
    "Makefile",
    "mkdocs.yml",
    "README.md",
    "CHANGELOG.md",
    "BENCHMARKS.md",
    "docs",
    "scripts",
    "airflow_provider_hume",
    "tests/fixtures/reference",
)


def _copy_sources(target: Path) -> None:
    for name in SOURCES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target / name)


def _break(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} is no longer in {path.name}: pick another defect"
    path.write_text(text.replace(old, new, 1))


def test_make_docs_fails_on_each_kind_of_defect(tmp_path: Path) -> None:
    venv = Path(sys.prefix)
    if not (venv / "bin" / "mkdocs").exists():
        pytest.skip(f"mkdocs is not installed in {venv} (the docs dependency group)")
    _copy_sources(tmp_path)
    (tmp_path / "docs" / "connection.md").write_text(
        (tmp_path / "docs" / "connection.md").read_text() + "\nSee [the missing guide](no-such-guide.md).\n"
    )
    _break(
        tmp_path / "README.md",
        "(docs/transfers.md#retries-and-replacefalse)",
        "(docs/transfers.md#no-such-anchor)",
    )
    _break(
        tmp_path / "airflow_provider_hume" / "sensors" / "job.py", ":param hume_conn_id:", ":param hume_conn:"
    )
    _break(
        tmp_path / "airflow_provider_hume" / "triggers" / "job.py",
        "    Yields exactly one event",
        "    Polls with :param poll_interval: between polls. Yields exactly one event",
    )

    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    result = subprocess.run(
        ["make", "--no-print-directory", "-o", "install", "docs", f"VENV={venv}"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    warnings = [line for line in output.splitlines() if line.startswith("WARNING")]
    defects = (
        r"no-such-guide\.md",
        r"#no-such-anchor",
        r"'hume_conn'",
        r"api/triggers\.md .*':param poll_interval:'",
    )
    for defect in defects:
        assert any(re.search(defect, line) for line in warnings), f"{defect} not reported:\n{output}"
    unexpected = [line for line in warnings if not any(re.search(defect, line) for defect in defects)]
    assert not unexpected, output
    assert "Aborted with" in output
