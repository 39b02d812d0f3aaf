"""The client package stays pure: no Airflow and no emulator, directly or transitively."""

from __future__ import annotations

import ast
import subprocess
import sys
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


def test_no_forbidden_module_loaded_transitively() -> None:
    code = "import sys, airflow_provider_hume.client\nprint('\\n'.join(sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert [name for name in result.stdout.split() if forbidden(name)] == []
    assert "airflow_provider_hume.client.batch" in result.stdout.split()
