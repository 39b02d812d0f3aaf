"""The fenced code blocks of README.md and docs/*.md, and how the snippet tests run each one.

A block is run according to its kind, read from its info string and its code:

* ``python`` that imports Airflow or the provider's operators, sensors or transfers: a DAG snippet, run with
  ``dag.test()`` (a snippet without a DAG of its own is run inside one the test provides);
* any other ``python``: executed as it is;
* ``bash``: run by bash in a sandbox folder;
* ``json``: parsed (one or more JSON values).

A block is marked by an HTML comment on the nearest non-blank line before it, ``<!-- snippet: ... -->``:

* ``<!-- snippet: not run: <reason> -->``: not run, for the reason given (output shown, needs Docker, ...);
* ``<!-- snippet: provisioning -->``: installs packages; run only by the ``provisioning`` test of the README;
* ``<!-- snippet: server until "<text>" -->``: starts a server in the foreground; run until it prints
  ``<text>``, then stopped.

Any other block (no known kind and no marker) is an error naming the marker to add.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
MARKER = re.compile(r"^\s*<!--\s*snippet:\s*(?P<directive>.*?)\s*-->\s*$")
SERVER = re.compile(r'^server until "(?P<ready>[^"]+)"$')
DAG_IMPORT = re.compile(
    r"^\s*from (airflow\.sdk|airflow_provider_hume\.(operators|sensors|transfers))\b", re.M
)
HOW_TO_MARK = (
    "make it run as written (python, bash or json), or mark it on the nearest non-blank line before its "
    "fence with <!-- snippet: not run: <reason> -->, <!-- snippet: provisioning --> or "
    '<!-- snippet: server until "<text it prints once it serves>" -->'
)


class UnrunnableSnippetError(Exception):
    """A block the tests cannot run and that no marker explains."""


@dataclass(frozen=True)
class Snippet:
    """One fenced code block: where it is, its language, its code and its marker directive, if any."""

    path: Path
    line: int
    language: str
    code: str
    directive: str | None

    @property
    def name(self) -> str:
        shown = self.path.relative_to(REPO) if self.path.is_relative_to(REPO) else self.path.name
        return f"{shown}:{self.line}"

    @property
    def kind(self) -> str:
        """``dag``, ``python``, ``bash``, ``json``, ``server``, ``provisioning`` or ``not run``."""
        if self.directive is not None:
            return _kind_of_directive(self)
        if self.language == "python":
            return "dag" if DAG_IMPORT.search(self.code) else "python"
        if self.language in ("bash", "sh", "shell"):
            return "bash"
        if self.language == "json":
            _check_json(self)
            return "json"
        language = self.language or "plain"
        raise UnrunnableSnippetError(f"{self.name}: a {language} block cannot be run: {HOW_TO_MARK}")

    @property
    def ready_text(self) -> str:
        """What a ``server`` snippet prints once it serves."""
        match = SERVER.match(self.directive or "")
        assert match, f"{self.name} is not a server snippet"
        return match["ready"]


def _kind_of_directive(snippet: Snippet) -> str:
    directive = snippet.directive or ""
    if directive == "provisioning":
        return "provisioning"
    if SERVER.match(directive):
        return "server"
    if directive.startswith("not run:") and directive.removeprefix("not run:").strip():
        return "not run"
    raise UnrunnableSnippetError(f"{snippet.name}: unknown snippet marker {directive!r}: {HOW_TO_MARK}")


def _check_json(snippet: Snippet) -> None:
    decoder = json.JSONDecoder()
    text, position = snippet.code, 0
    while (position := _skip_space(text, position)) < len(text):
        try:
            _, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            raise UnrunnableSnippetError(f"{snippet.name}: not JSON ({error}): {HOW_TO_MARK}") from error


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


def documents() -> list[Path]:
    """README.md and every page under docs/."""
    return [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]


def extract(path: Path) -> list[Snippet]:
    """Every fenced code block of a Markdown file, with the marker on the nearest non-blank line before it."""
    lines = path.read_text(encoding="utf-8").splitlines()
    snippets: list[Snippet] = []
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        end = _closing_line(lines, index, opening["fence"])
        indent = len(opening["indent"])
        code = "\n".join(line[indent:] for line in lines[index + 1 : end])
        language = opening["info"].strip().split(" ")[0].lower()
        snippets.append(Snippet(path, index + 1, language, code + "\n", _directive_before(lines, index)))
        index = end + 1
    return snippets


def _closing_line(lines: list[str], opening: int, fence: str) -> int:
    for index in range(opening + 1, len(lines)):
        stripped = lines[index].strip()
        if stripped.startswith(fence[0] * len(fence)) and not stripped.strip(fence[0]):
            return index
    raise UnrunnableSnippetError(f"line {opening + 1}: a code fence that is never closed")


def _directive_before(lines: list[str], fence: int) -> str | None:
    for index in range(fence - 1, -1, -1):
        if lines[index].strip():
            marker = MARKER.match(lines[index])
            return marker["directive"] if marker else None
    return None


def all_snippets() -> list[Snippet]:
    return [snippet for document in documents() for snippet in extract(document)]


def run_bash(
    code: str, *, cwd: Path, env: Mapping[str, str], timeout: float
) -> subprocess.CompletedProcess[str]:
    """``code`` in ``bash -e -o pipefail`` (a failing command or pipe stage fails it), its output captured."""
    return subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", code],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
