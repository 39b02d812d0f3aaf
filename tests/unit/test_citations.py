"""Every ``§`` citation in the code, tests and docs names a section that the cited document has.

The rule, taken from the citations the repository actually uses:

* A citation is ``§`` plus one section (``§2.6.1``, ``§8``) or ``§§`` plus a list or range of them. A ``§``
  that follows a citation with only ``,``, ``/``, a dash, ``and`` or ``or`` in between continues it and cites
  the same document (``hume-api-v0.md §1.3, §8``, ``§4.2/§4.4``, ``RFC 9112 §9.3.1, §9.4``).
* The name written just before a citation says what it cites: ``hume-api-v0.md`` (plain, in backticks or
  as a markdown link) is ``docs/hume-api-v0.md``; ``hume-api-v1.md`` or ``hume-v1-api.md`` is
  ``docs/hume-api-v1.md``; any ``hume*.md`` must exist in ``docs/``; another ``.md`` of ``docs/`` or of the
  root is that file; any other document (``RFC 9112``, ``PEP 8``, ``other.md``) is not ours and is ignored.
* A citation with no name before it (``(§2.5)``, ``Hume's §4.3``) is bare and cites
  ``docs/hume-api-v0.md``, the only document the project cites by section.
* A section exists when a heading carries its number (``## 8.``, ``### 2.6``, ``#### 2.6.1``,
  ``## Appendix A``); a trailing letter (``§4.4c``) names the item ``**c)`` of that section, which must
  be there too.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCANNED = (
    "airflow_provider_hume/**/*.py",
    "tests/**/*.py",
    "dags/**/*.py",
    "scripts/**/*.py",
    "benchmarks/**/*.py",
    "docs/**/*.md",
    "README.md",
    "CHANGELOG.md",
    "BENCHMARKS.md",
)
SKIPPED = {".venv", ".tools", "__pycache__"}
DEFAULT_DOCUMENT = "hume-api-v0.md"
ALIASES = {"hume-v1-api.md": "hume-api-v1.md"}

S = "\N{SECTION SIGN}"
_ID = r"(?:\d+(?:\.\d+)*[a-z]?|[A-Z])(?![A-Za-z0-9])"
_SEPARATOR = r"\s*(?:,|/|-|\u2013|\u2014|\band\b|\bor\b)\s*"
_CITATION = re.compile(rf"{S}{S}\s*{_ID}(?:{_SEPARATOR}{_ID})*|{S}\s*{_ID}")
_SECTION_ID = re.compile(_ID)
_CONTINUATION = re.compile(_SEPARATOR)
_NAMED = re.compile(r"(?P<md>[\w.-]+\.md)(?:#[\w-]*)?[`)\]]*\s*$|\b[A-Z][A-Za-z]*[ -]\d+\s*$")
_ANY_HEADING = re.compile(r"#{1,6}\s")
_HEADING = re.compile(r"^#{1,6}\s+(?:Appendix\s+(?P<appendix>[A-Z])\b|(?P<number>\d+(?:\.\d+)*)\.?(?=\s|$))")


def scanned_files(root: Path) -> list[Path]:
    """The code, test and doc files whose citations are checked."""
    found = {path for pattern in SCANNED for path in root.glob(pattern) if path.is_file()}
    return sorted(path for path in found if not SKIPPED & set(path.relative_to(root).parts))


@cache
def sections(document: Path) -> dict[str, str]:
    """Section id (``2.6.1``, ``8``, ``A``) -> its text up to the next heading (code fences hold none)."""
    found: dict[str, str] = {}
    current: str | None = None
    fenced = False
    for line in document.read_text(encoding="utf-8").splitlines():
        fenced ^= line.startswith("```")
        heading = None if fenced else _HEADING.match(line)
        if heading:
            current = heading["appendix"] or heading["number"]
            found[current] = ""
        elif not fenced and _ANY_HEADING.match(line):
            current = None
        elif current is not None:
            found[current] += line + "\n"
    return found


def cited_document(before: str, root: Path) -> str | None:
    """The repository path of the document named just before a citation; ``None`` for someone else's."""
    named = _NAMED.search(before)
    if named is None:
        return f"docs/{DEFAULT_DOCUMENT}"
    name = named["md"]
    if name is None:
        return None
    name = ALIASES.get(name, name)
    if name.startswith("hume"):
        return f"docs/{name}"
    return next((f"{folder}{name}" for folder in ("docs/", "") if (root / folder / name).is_file()), None)


def missing(section: str, document: str, root: Path) -> str | None:
    """Why ``section`` cannot be found in ``document``, or ``None`` when it is there."""
    path = root / document
    if not path.is_file():
        return f"{document} does not exist"
    number, item = (section[:-1], section[-1]) if section[-1].islower() else (section, None)
    body = sections(path).get(number)
    if body is None or (item is not None and f"**{item})" not in body):
        return f"no such section in {document}"
    return None


def check_text(text: str, name: str, root: Path) -> tuple[int, list[str]]:
    """The number of our citations in ``text`` and one ``name:line: §x.y (why)`` per unresolved one."""
    checked = 0
    problems: list[str] = []
    previous_end, previous_document = -1, None
    for citation in _CITATION.finditer(text):
        between = text[previous_end : citation.start()]
        if previous_end >= 0 and _CONTINUATION.fullmatch(between):
            document = previous_document
        else:
            document = cited_document(text[max(0, citation.start() - 200) : citation.start()], root)
        previous_end, previous_document = citation.end(), document
        if document is None:
            continue
        line = text.count("\n", 0, citation.start()) + 1
        for section in _SECTION_ID.findall(citation.group()):
            checked += 1
            why = missing(section, document, root)
            if why is not None:
                problems.append(f"{name}:{line}: {S}{section} ({why})")
    return checked, problems


def test_every_citation_names_an_existing_section() -> None:
    checked = 0
    problems: list[str] = []
    for path in scanned_files(ROOT):
        count, found = check_text(path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix(), ROOT)
        checked += count
        problems += found
    assert checked, f"no {S} citation found under {ROOT}"
    assert not problems, "Citations of sections that do not exist:\n" + "\n".join(problems)


REFERENCE = """# Sample reference
## 2. Batch
### 2.6 Job details
#### 2.6.1 Current shape
```
# 9. a comment in a code block, not a heading
```
### 4.4 Replies
**c) Warning**
## Appendix A
"""


def gone(line: int, section: str, why: str = f"no such section in docs/{DEFAULT_DOCUMENT}") -> str:
    return f"sample.py:{line}: {S}{section} ({why})"


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        (f"hume-api-v0.md {S}99.9", [gone(1, "99.9")]),
        (f"aiohttp resends it (RFC 9112 {S}9.3.1, {S}9.4).", []),
        (f"See [`hume-api-v0.md`](hume-api-v0.md) {S}2.6.1,\n{S}A and {S}9.", [gone(2, "9")]),
        (f"Bare ({S}4.4c) and ({S}4.4d)", [gone(1, "4.4d")]),
        (f"Ranges {S}{S}2\N{EN DASH}2.6 and {S}2.6\N{EN DASH}{S}2.7", [gone(1, "2.7")]),
        (f"hume-v1-api.md {S}1", [gone(1, "1", "docs/hume-api-v1.md does not exist")]),
    ],
)
def test_the_checker_flags_missing_sections_and_ignores_other_documents(
    tmp_path: Path, sample: str, expected: list[str]
) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / DEFAULT_DOCUMENT).write_text(REFERENCE, encoding="utf-8")
    assert check_text(sample, "sample.py", tmp_path)[1] == expected
