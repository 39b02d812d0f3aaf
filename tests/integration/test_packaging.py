"""The wheel builds, installs with the ``amazon`` extra into a clean virtualenv, and Airflow finds it.

Slow-ish (about ten seconds with a warm uv cache): it builds with ``uv build``, installs with ``uv pip`` (from
the package index, or from uv's cache with ``--offline`` when the index is unreachable) and runs Airflow's CLI
in that environment with a throwaway ``AIRFLOW_HOME``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_hume import DOCUMENTATION_URL, __version__, get_provider_info
from airflow_provider_hume._connection_form import CONN_FIELDS

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.provisioning

DISCOVERY = """
import json, warnings
from importlib.resources import files
warnings.simplefilter("ignore")
import jsonschema
from airflow.providers_manager import ProvidersManager
from airflow_provider_hume import get_provider_info
manager = ProvidersManager()
hook = manager.hooks["hume"]
provider = manager.providers["airflow-provider-hume"]
schema = json.loads(files("airflow").joinpath("provider_info.schema.json").read_text())
print(json.dumps({
    "version": provider.version,
    "documentation_url": provider.data["documentation-url"],
    "integrations": provider.data["integrations"],
    "hook_class": hook.hook_class_name if hook else None,
    "connection_type": hook.connection_type if hook else None,
    "hook_name": hook.hook_name if hook else None,
    "links": sorted(manager.extra_links_class_names),
    "form_fields": sorted(manager.connection_form_widgets),
    "hidden_fields": manager.field_behaviours["hume"]["hidden_fields"],
    "schema_errors": [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(get_provider_info())],
}))
"""


def _uv() -> str | None:
    for candidate in (os.environ.get("UV"), shutil.which("uv"), str(REPO / ".tools" / "bin" / "uv")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def _run(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=600, env=env, check=False)


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, f"{result.args} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, freshly built from the working tree."""
    uv = _uv()
    if uv is None:
        pytest.skip("uv is not installed (set UV or put uv on PATH)")
    dist = tmp_path_factory.mktemp("dist")
    _ok(_run([uv, "build", "--wheel", "--out-dir", str(dist), str(REPO)]))
    wheels = list(dist.glob("airflow_provider_hume-*.whl"))
    assert [w.name for w in wheels] == [f"airflow_provider_hume-{__version__}-py3-none-any.whl"]
    return wheels[0]


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clean virtual environment with the freshly built wheel installed with its ``amazon`` extra."""
    uv = _uv()
    assert uv is not None
    venv = tmp_path_factory.mktemp("packaging") / "venv"
    _ok(_run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)]))
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    install = [uv, "pip", "install", "--quiet", "--python", str(python), f"{wheel}[amazon]"]
    result = _run(install)
    if result.returncode != 0:  # no index reachable: everything needed may still be in uv's cache
        result = _run([*install, "--offline"])
    _ok(result)
    return venv


def _airflow_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update(
        AIRFLOW_HOME=str(tmp_path / "airflow-home"),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        PYTHONWARNINGS="ignore",
    )
    return env


def test_airflow_lists_the_provider_with_its_version(installed: Path, tmp_path: Path) -> None:
    airflow = installed / "bin" / "airflow"
    out = _ok(_run([str(airflow), "providers", "list", "-o", "json"], env=_airflow_env(tmp_path)))
    providers = json.loads(next(line for line in out.splitlines() if line.startswith("[")))
    ours = [p for p in providers if p["package_name"] == "airflow-provider-hume"]
    assert ours, f"airflow-provider-hume missing from {[p['package_name'] for p in providers]}"
    assert ours[0]["version"] == __version__


@pytest.fixture(scope="module")
def discovered(installed: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What Airflow's providers manager finds in the wheel's environment."""
    python = installed / "bin" / "python"
    env = _airflow_env(tmp_path_factory.mktemp("discovery"))
    return json.loads(_ok(_run([str(python), "-c", DISCOVERY], env=env)).strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_connection_type_hook_and_extra_link_are_discovered(discovered: dict[str, Any]) -> None:
    found = discovered
    assert found["version"] == __version__
    assert found["hook_class"] == "airflow_provider_hume.hooks.hume.HumeHook"
    assert found["connection_type"] == "hume"
    assert "airflow_provider_hume.links.job.HumeJobLink" in found["links"]
    assert found["hook_name"] == "Hume"
    assert {f"extra__hume__{name}" for name in CONN_FIELDS} <= set(found["form_fields"])
    assert "extra__hume__console_url" in found["form_fields"]
    assert found["hidden_fields"] == ["login", "schema", "port", "extra"]
    assert found["schema_errors"] == []


def test_providers_page_links_the_docs_site(discovered: dict[str, Any]) -> None:
    """Airflow's Providers page links ``documentation-url`` (Airflow 3.3 takes it from the package metadata).

    tests/unit/test_docs_site.py checks that these URLs are pages of the docs site.
    """
    assert discovered["documentation_url"] == DOCUMENTATION_URL
    (integration,) = discovered["integrations"]
    assert integration["how-to-guide"] == get_provider_info()["integrations"][0]["how-to-guide"]
    assert integration["logo"] == f"{DOCUMENTATION_URL}assets/logo.svg"


def test_the_wheel_ships_the_logo(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        logo = archive.read("airflow_provider_hume/static/logo.svg").decode()
    assert logo.lstrip().startswith("<svg")


def test_operators_import_openlineage_lazily(installed: Path, tmp_path: Path) -> None:
    python = installed / "bin" / "python"
    code = (
        "import sys, airflow_provider_hume.operators.batch, airflow_provider_hume.sensors.job, "
        "airflow_provider_hume.transfers.hume_to_s3; "
        "print(any(name.split('.')[0] == 'openlineage' for name in sys.modules))"
    )
    out = _ok(_run([str(python), "-c", code], env=_airflow_env(tmp_path)))
    assert out.strip().splitlines()[-1] == "False"
