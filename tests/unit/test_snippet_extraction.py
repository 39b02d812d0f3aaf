"""How the snippet tests read Markdown: fences, markers, kinds, and the error for a block nobody marked."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.snippets import UnrunnableSnippetError, extract

PAGE = """# A page

```python
from airflow_provider_hume.operators.batch import HumeBatchSubmitOperator
```

```python
print("no Airflow here")
```

  ~~~bash
  echo indented
  ~~~

<!-- snippet: not run: log output -->

```
2026-01-01 a log line
```

```json
{"a": 1}
{"b": [2]}
```

<!-- snippet: server until "listening on" -->
```bash
hume-emulator --port 8000
```

````markdown
```python
inner fence
```
````
"""


def _page(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "page.md"
    path.write_text(text, encoding="utf-8")
    return path


def test_blocks_kinds_and_markers(tmp_path: Path) -> None:
    snippets = extract(_page(tmp_path, PAGE))
    assert [(s.line, s.language) for s in snippets] == [
        (3, "python"),
        (7, "python"),
        (11, "bash"),
        (17, ""),
        (21, "json"),
        (27, "bash"),
        (31, "markdown"),
    ]
    kinds = [s.kind for s in snippets[:6]]
    assert kinds == ["dag", "python", "bash", "not run", "json", "server"]
    assert snippets[2].code == "echo indented\n"
    assert snippets[5].ready_text == "listening on"
    assert snippets[6].code == "```python\ninner fence\n```\n"


def test_a_block_without_kind_or_marker_says_how_to_mark_it(tmp_path: Path) -> None:
    (snippet,) = extract(_page(tmp_path, "text\n\n```http\nGET / HTTP/1.1\n```\n"))
    with pytest.raises(
        UnrunnableSnippetError, match=r"page.md:3: a http block cannot be run: .*not run: <reason>"
    ):
        _ = snippet.kind


def test_invalid_json_and_unknown_markers_are_refused(tmp_path: Path) -> None:
    broken, unknown, no_reason = extract(
        _page(
            tmp_path,
            '```json\n{"a": ...}\n```\n\n<!-- snippet: skip -->\n```bash\nls\n```\n'
            "<!-- snippet: not run: -->\n```bash\nls\n```\n",
        )
    )
    with pytest.raises(UnrunnableSnippetError, match="not JSON"):
        _ = broken.kind
    with pytest.raises(UnrunnableSnippetError, match="unknown snippet marker 'skip'"):
        _ = unknown.kind
    with pytest.raises(UnrunnableSnippetError, match="unknown snippet marker 'not run:'"):
        _ = no_reason.kind


def test_a_marker_applies_only_to_the_next_block(tmp_path: Path) -> None:
    first, second = extract(
        _page(tmp_path, "<!-- snippet: not run: output -->\n```\na\n```\ntext\n```\nb\n```\n")
    )
    assert first.directive == "not run: output"
    assert second.directive is None
