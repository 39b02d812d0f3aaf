"""The client's public packages export their names lazily (PEP 562) and still export every one of them.

Each package lists its names three times: ``__all__``, the ``TYPE_CHECKING`` imports that type checkers and
IDEs read, and the ``_HOMES`` table its ``__getattr__`` imports from. The three must agree, and every name
must resolve to the object its module defines. What an import really loads (no ``requests``, ``aiohttp``,
``websockets``...) needs a fresh interpreter: ``tests/integration/test_import_footprint.py``.
"""

from __future__ import annotations

import ast
import importlib
from importlib.util import resolve_name
from pathlib import Path
from types import ModuleType

import pytest

PACKAGES = (
    "airflow_provider_hume.client",
    "airflow_provider_hume.client.v1",
    "airflow_provider_hume.client.v1.media",
    "airflow_provider_hume.client.v1.realtime",
)


def package(name: str) -> ModuleType:
    return importlib.import_module(name)


def type_checking_imports(module: ModuleType) -> dict[str, str]:
    """``name -> module`` of the imports under the package's ``if TYPE_CHECKING:``."""
    assert module.__file__ is not None
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom), ast.dump(statement)
                assert statement.module, ast.dump(statement)
                found.update({alias.name: statement.module for alias in statement.names})
    return found


def eager_imports(module: ModuleType) -> list[str]:
    """Modules the package imports at its top level, outside ``TYPE_CHECKING`` (only light ones allowed)."""
    assert module.__file__ is not None
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


@pytest.mark.parametrize("name", PACKAGES)
def test_the_three_lists_agree(name: str) -> None:
    module = package(name)
    homes = {export: resolve_name(home, name) for export, home in module._HOMES.items()}
    assert sorted(module.__all__) == sorted(set(module.__all__)), "__all__ repeats a name"
    assert set(homes) == set(module.__all__)
    assert type_checking_imports(module) == homes


@pytest.mark.parametrize("name", PACKAGES)
def test_the_package_itself_imports_nothing_of_its_own(name: str) -> None:
    assert eager_imports(package(name)) == ["__future__", "importlib", "typing"]


@pytest.mark.parametrize("name", PACKAGES)
def test_every_exported_name_imports(name: str) -> None:
    module = package(name)
    for export in module.__all__:
        namespace: dict[str, object] = {}
        exec(f"from {name} import {export}", namespace)
        home = importlib.import_module(resolve_name(module._HOMES[export], name))
        assert namespace[export] is getattr(home, export), export
        assert getattr(module, export) is getattr(home, export), export
        assert export in dir(module)


@pytest.mark.parametrize("name", PACKAGES)
def test_an_unknown_name_is_an_attribute_error(name: str) -> None:
    module = package(name)
    with pytest.raises(AttributeError, match="no attribute 'NoSuchName'"):
        module.NoSuchName  # noqa: B018
    with pytest.raises(ImportError, match="NoSuchName"):
        exec(f"from {name} import NoSuchName", {})


def test_submodules_still_import_through_the_package() -> None:
    namespace: dict[str, object] = {}
    exec("from airflow_provider_hume.client.v1 import rows", namespace)
    assert namespace["rows"] is importlib.import_module("airflow_provider_hume.client.v1.rows")


def test_star_import_brings_every_name() -> None:
    namespace: dict[str, object] = {}
    exec("from airflow_provider_hume.client import *", namespace)
    assert set(package("airflow_provider_hume.client").__all__) <= set(namespace)
