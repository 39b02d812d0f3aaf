"""The emulator stays apart from the provider, and its rooms import one way.

A static scan of every ``import`` statement (nothing is imported or started here; the modules a real import
loads are checked in ``tests/integration/emulator/test_emulator_imports.py``):

* no module imports Airflow or any part of the provider outside ``emulator/`` (``client``, ``hooks``,
  ``operators``, ``sensors``, ``triggers``, ``transfers``, ``links``...);
* the rooms are layered ``http`` → ``v1`` → ``streaming`` → ``inference`` → ``backend`` → ``media``: a room
  imports itself and the rooms after it only, so ``v1``, ``backend``, ``inference`` and ``media`` never
  import ``http``;
* no room imports the entry points above them (``server``, ``cli``, ``process``, ``admin_client``);
* only ``http``, ``streaming.route``, ``v1.routes`` and ``v1.realtime.route`` import the web framework;
* a room's ``__init__`` is only its docstring, and the modules that must stay light (the pytest plugin's and
  the launcher's imports) import the standard library only, plus ``requests`` for the admin client.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import airflow_provider_hume.emulator as emulator_package

EMULATOR_DIR = Path(emulator_package.__file__).parent
PACKAGE = emulator_package.__name__
PROVIDER = PACKAGE.rpartition(".")[0]
#: Top to bottom: a room may import itself and the rooms after it.
ROOMS = ("http", "v1", "streaming", "inference", "backend", "media")
WEB_FRAMEWORK = ("fastapi", "starlette", "uvicorn", "python_multipart")
HTTP_SURFACE = ("http", "streaming.route", "v1.routes", "v1.realtime.route")
#: Modules that must not pull in anything heavy, and the third-party packages each may use.
LIGHT = {"backend.settings": set(), "process": set(), "admin_client": {"requests"}}


def module_name(path: Path) -> str:
    parts = path.relative_to(EMULATOR_DIR).with_suffix("").parts
    return ".".join((PACKAGE, *parts[: -1 if parts[-1] == "__init__" else None]))


def imported_names(path: Path) -> set[str]:
    """The modules ``path`` imports, plus ``module.name`` for each ``from module import name``."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}:{node.lineno}: the scan reads absolute imports only"
            module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def relative(name: str) -> str | None:
    """``name`` below the emulator package (``backend.state``), or ``None`` outside it."""
    return name[len(PACKAGE) + 1 :] if name.startswith(f"{PACKAGE}.") else None


def room(name: str) -> str | None:
    """The room of an emulator module name; ``None`` for the entry points at the top, and outside."""
    top = (relative(name) or "").split(".")[0]
    return top if top in ROOMS else None


def within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == prefix or name.startswith(f"{prefix}.") for prefix in prefixes)


def outside_the_emulator(name: str) -> bool:
    return within(name, ("airflow",)) or (within(name, (PROVIDER,)) and not within(name, (PACKAGE,)))


MODULES = {module_name(path): path for path in sorted(EMULATOR_DIR.rglob("*.py"))}
ROOM_MODULES = {name: path for name, path in MODULES.items() if room(name) is not None}
CORE_MODULES = [name for name in ROOM_MODULES if not within(relative(name) or "", HTTP_SURFACE)]
ROOM_PACKAGES = [name for name, path in ROOM_MODULES.items() if path.name == "__init__.py"]


def test_the_scan_sees_the_rooms_and_their_imports() -> None:
    assert {room(name) for name in ROOM_MODULES} == set(ROOMS)
    assert f"{PACKAGE}.streaming.route" in imported_names(MODULES[f"{PACKAGE}.http.app"])
    assert f"{PACKAGE}.v1.routes.api" in imported_names(MODULES[f"{PACKAGE}.http.app"])
    assert f"{PACKAGE}.media.limits" in imported_names(MODULES[f"{PACKAGE}.media.probe"])


@pytest.mark.parametrize("name", MODULES)
def test_no_airflow_and_no_provider_code_outside_the_emulator(name: str) -> None:
    assert [imported for imported in imported_names(MODULES[name]) if outside_the_emulator(imported)] == []


@pytest.mark.parametrize("name", ROOM_MODULES)
def test_rooms_import_only_themselves_and_the_rooms_below(name: str) -> None:
    allowed = ROOMS[ROOMS.index(room(name) or "") :]
    emulator_imports = [imported for imported in imported_names(ROOM_MODULES[name]) if relative(imported)]
    assert [imported for imported in emulator_imports if room(imported) not in allowed] == []


@pytest.mark.parametrize("name", CORE_MODULES)
def test_only_the_http_surface_imports_the_web_framework(name: str) -> None:
    assert [imported for imported in imported_names(MODULES[name]) if within(imported, WEB_FRAMEWORK)] == []


@pytest.mark.parametrize("name", ROOM_PACKAGES)
def test_a_room_package_is_only_its_docstring(name: str) -> None:
    tree = ast.parse(MODULES[name].read_text())
    assert ast.get_docstring(tree)
    assert len(tree.body) == 1


@pytest.mark.parametrize(("name", "third_party"), LIGHT.items())
def test_light_modules_import_the_standard_library_only(name: str, third_party: set[str]) -> None:
    tops = {imported.split(".")[0] for imported in imported_names(MODULES[f"{PACKAGE}.{name}"])}
    assert tops - set(sys.stdlib_module_names) - {"__future__"} == third_party
