"""What importing the emulator really loads, in a fresh interpreter (the static scan is the unit test
``test_emulator_boundaries``): no Airflow and no provider code, and the light modules no web framework."""

from __future__ import annotations

import subprocess
import sys

PROVIDER_PARTS = ("client", "hooks", "operators", "sensors", "triggers", "transfers", "links")
FORBIDDEN = ("airflow", *(f"airflow_provider_hume.{part}" for part in PROVIDER_PARTS))
WEB_FRAMEWORK = ("fastapi", "starlette", "uvicorn")


def loaded_modules(*modules: str) -> list[str]:
    """``sys.modules`` of a fresh interpreter after importing ``modules``."""
    code = f"import sys, {', '.join(modules)}\nprint('\\n'.join(sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return result.stdout.split()


def within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == prefix or name.startswith(f"{prefix}.") for prefix in prefixes)


def test_the_whole_emulator_loads_no_airflow_and_no_provider_code() -> None:
    loaded = loaded_modules("airflow_provider_hume.emulator.cli", "airflow_provider_hume.emulator.http.app")
    assert [name for name in loaded if within(name, FORBIDDEN)] == []
    assert "airflow_provider_hume.emulator.streaming.route" in loaded
    assert "airflow_provider_hume.emulator.v1.routes.uploads" in loaded


def test_the_plugin_and_the_launcher_load_no_web_framework() -> None:
    loaded = loaded_modules("airflow_provider_hume.testing", "airflow_provider_hume.emulator.process")
    assert [name for name in loaded if within(name, (*FORBIDDEN, *WEB_FRAMEWORK))] == []
    assert "airflow_provider_hume.emulator.backend.settings" in loaded
