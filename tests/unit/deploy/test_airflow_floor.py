"""``make test-airflow-floor`` installs the lowest Airflow ``pyproject.toml`` allows, as of its release."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

REPO = Path(__file__).resolve().parents[3]


def airflow_requirement() -> Requirement:
    """The ``apache-airflow`` requirement among the project's dependencies."""
    quoted = re.findall(r'^\s*"(apache-airflow[^"]*)",?$', (REPO / "pyproject.toml").read_text(), re.M)
    (found,) = [req for spec in quoted if (req := Requirement(spec)).name == "apache-airflow"]
    return found


def makefile_setting(name: str) -> str:
    match = re.search(rf"^{name} := (\S+)$", (REPO / "Makefile").read_text(), re.M)
    assert match, f"the Makefile sets no {name}"
    return match.group(1)


def test_the_floor_is_the_lowest_release_pyproject_allows() -> None:
    requirement = airflow_requirement()
    (bound,) = requirement.specifier
    floor = makefile_setting("AIRFLOW_FLOOR")
    assert bound.operator == ">="
    assert floor == bound.version
    assert Version(floor) in requirement.specifier


def test_the_floor_is_resolved_as_of_a_utc_moment() -> None:
    published = datetime.fromisoformat(makefile_setting("AIRFLOW_FLOOR_PUBLISHED").replace("Z", "+00:00"))
    assert published.utcoffset() == timedelta(0)
