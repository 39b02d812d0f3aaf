"""The client package stays pure: its source imports no Airflow and no emulator.

The transitive check runs a fresh interpreter, so it lives in ``tests/integration/client/``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import airflow_provider_hume.client as client_package

CLIENT_DIR = Path(client_package.__file__).parent
FORBIDDEN = ("airflow", "airflow_provider_hume.emulator")


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def forbidden(name: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in FORBIDDEN)


def test_no_forbidden_import_in_source() -> None:
    for path in sorted(CLIENT_DIR.glob("*.py")):
        assert not [name for name in imported_modules(path) if forbidden(name)], path.name
