"""The client package loads neither Airflow nor the emulator, even transitively, in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys

FORBIDDEN = ("airflow", "airflow_provider_hume.emulator")
#: The client's public packages; their names load lazily, so the test asks for every one of them.
PACKAGES = (
    "airflow_provider_hume.client",
    "airflow_provider_hume.client.v1",
    "airflow_provider_hume.client.v1.media",
    "airflow_provider_hume.client.v1.realtime",
)


def forbidden(name: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in FORBIDDEN)


def test_no_forbidden_module_loaded_transitively() -> None:
    star_imports = "".join(f"from {package} import *\n" for package in PACKAGES)
    code = f"import sys\n{star_imports}print('\\n'.join(sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert [name for name in result.stdout.split() if forbidden(name)] == []
    assert "airflow_provider_hume.client.batch" in result.stdout.split()
