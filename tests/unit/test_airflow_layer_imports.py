"""The Airflow layer imports only public surfaces: the client packages and ``airflow.sdk``.

Hooks, operators, sensors, triggers, transfers, links and lineage are thin: they reach the Hume protocol only
through the public names of ``airflow_provider_hume.client`` (``v0``), ``airflow_provider_hume.client.v1`` and
its ``media`` and ``realtime`` packages (never one of their modules), never the emulator, and Airflow only
through the Task SDK (plus the trigger base class and other providers, which have no SDK home). Names that
joined ``airflow.sdk`` after Airflow 3.1 come from ``airflow_provider_hume._compat``, which falls back to
their older homes.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "airflow_provider_hume"
AIRFLOW_LAYER = sorted(
    [
        *(
            path
            for folder in ("hooks", "operators", "sensors", "triggers", "transfers", "links")
            for path in (PACKAGE / folder).glob("*.py")
        ),
        PACKAGE / "lineage.py",
        PACKAGE / "_extras.py",
        PACKAGE / "_s3.py",
        PACKAGE / "_source_errors.py",
    ]
)
#: The client's public packages: ``v0`` at the top, ``v1`` in its own room.
CLIENT_SURFACES = (
    "airflow_provider_hume.client",
    "airflow_provider_hume.client.v1",
    "airflow_provider_hume.client.v1.media",
    "airflow_provider_hume.client.v1.realtime",
)
#: Airflow modules with no home in ``airflow.sdk``: the trigger base, XCom reads for links, other providers.
AIRFLOW_ALLOWED = (
    "airflow.sdk",
    "airflow.sdk.types",
    "airflow.sdk.execution_time.xcom",
    "airflow.triggers.base",
    "airflow.providers.",
)
#: Names ``airflow.sdk`` has only from Airflow 3.2 on: ``_compat`` has them.
MOVED_TO_SDK_LATER = frozenset({"conf"})


def imported_modules(path: Path) -> list[str]:
    """Every module an ``import`` or ``from ... import`` in the file names (relative imports resolved)."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def names_from_sdk(path: Path) -> set[str]:
    """The names a ``from airflow.sdk import ...`` in the file takes."""
    return {
        alias.name
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and node.module == "airflow.sdk"
        for alias in node.names
    }


def violation(name: str) -> str | None:
    """Why importing ``name`` from the Airflow layer breaks the rule, or None."""
    if name == "airflow.sdk.exceptions":
        return "import Airflow's exceptions from airflow_provider_hume._compat (Airflow < 3.2 lacks them)"
    if name.startswith("airflow_provider_hume.client.") and name not in CLIENT_SURFACES:
        return f"import the client's public names from one of {', '.join(CLIENT_SURFACES)}"
    if name.startswith("airflow_provider_hume.emulator"):
        return "the emulator is not part of the provider's runtime"
    if name == "airflow" or name.startswith("airflow."):
        allowed = any(
            name == prefix or (prefix.endswith(".") and name.startswith(prefix)) for prefix in AIRFLOW_ALLOWED
        )
        return None if allowed else "use airflow.sdk (Airflow 3's public authoring surface)"
    return None


def test_rule_catches_what_it_should() -> None:
    assert violation("airflow_provider_hume.client.batch") is not None
    assert violation("airflow.models") is not None
    assert violation("airflow.sdk.bases.sensor") is not None
    assert violation("airflow_provider_hume.client.v1.client") is not None
    assert violation("airflow_provider_hume.client") is None
    assert violation("airflow_provider_hume.client.v1.media") is None
    assert violation("airflow.providers.amazon.aws.hooks.s3") is None
    assert violation("airflow.sdk.exceptions") is not None


@pytest.mark.parametrize("path", AIRFLOW_LAYER, ids=lambda path: str(path.relative_to(PACKAGE)))
def test_imports_only_public_surfaces(path: Path) -> None:
    found = {name: reason for name in imported_modules(path) if (reason := violation(name))}
    assert not found, f"{path.relative_to(PACKAGE)}: {found}"


@pytest.mark.parametrize("path", AIRFLOW_LAYER, ids=lambda path: str(path.relative_to(PACKAGE)))
def test_names_newer_than_airflow_3_1_come_from_compat(path: Path) -> None:
    moved = names_from_sdk(path) & MOVED_TO_SDK_LATER
    assert not moved, (
        f"{path.relative_to(PACKAGE)}: import {sorted(moved)} from airflow_provider_hume._compat"
    )


def test_compat_is_where_those_names_come_from() -> None:
    assert names_from_sdk(PACKAGE / "_compat.py") == MOVED_TO_SDK_LATER
