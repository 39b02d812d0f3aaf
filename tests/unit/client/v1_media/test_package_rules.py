"""The media package imports no Airflow and no emulator, and PyAV and Pillow only inside functions."""

from __future__ import annotations

import ast
from pathlib import Path

import airflow_provider_hume.client.v1.media as media

MEDIA_DIR = Path(media.__file__).parent
NEVER = ("airflow", "airflow_provider_hume.emulator")
LAZY = ("av", "PIL")


def imports(nodes: list[ast.stmt]) -> set[str]:
    names: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def test_modules() -> None:
    modules = sorted(MEDIA_DIR.glob("*.py"))
    assert len(modules) >= 8
    for path in modules:
        tree = ast.parse(path.read_text(), str(path))
        everywhere = imports([node for node in ast.walk(tree) if isinstance(node, ast.stmt)])
        assert not [name for name in everywhere if under(name, NEVER)], path.name
        assert not [name for name in imports(tree.body) if under(name, LAZY)], path.name
