"""The Compose CLI's own ``config`` check accepts ``docker-compose.yaml`` and rejects a broken copy.

It runs ``docker compose`` (v2) or ``docker-compose`` (v1), neither of which needs an engine, and skips when
neither is installed: the static checks in ``tests/unit/deploy/`` stand in for it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
COMPOSE_FILE = REPO / "docker-compose.yaml"
ENV_EXAMPLE = REPO / ".env.example"


def compose_cli() -> list[str] | None:
    """``docker compose`` (v2) or ``docker-compose`` (v1), if either is installed."""
    docker = shutil.which("docker")
    if (
        docker
        and subprocess.run([docker, "compose", "version"], capture_output=True, check=False).returncode == 0
    ):
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def compose_config(compose_path: Path, env_file: Path) -> subprocess.CompletedProcess[str]:
    """``config --quiet`` of the Compose CLI on a file, with only ``env_file``'s variables; skip if no CLI."""
    cli = compose_cli()
    if cli is None:
        pytest.skip("no Compose CLI installed (the schema and reference checks stand in for it)")
    env = {key: os.environ[key] for key in ("PATH", "HOME") if key in os.environ}
    args = ["--project-directory", str(REPO), "-f", str(compose_path), "--env-file", str(env_file)]
    return subprocess.run(
        [*cli, *args, "config", "--quiet"], capture_output=True, text=True, env=env, check=False
    )


@pytest.mark.parametrize("env_file", [None, ENV_EXAMPLE], ids=["defaults", "env-example"])
def test_the_compose_cli_accepts_the_file(env_file: Path | None, tmp_path: Path) -> None:
    empty = tmp_path / "empty.env"  # keeps a developer's own .env out of the defaults case
    empty.write_text("")
    done = compose_config(COMPOSE_FILE, env_file or empty)
    assert done.returncode == 0, done.stderr


def test_the_compose_cli_rejects_a_broken_copy(tmp_path: Path) -> None:
    compose = yaml.safe_load(COMPOSE_FILE.read_text())
    compose["services"]["airflow-worker"]["depends_on"]["ghost"] = {"condition": "service_started"}
    broken = tmp_path / "docker-compose.yaml"
    broken.write_text(yaml.safe_dump(compose))
    assert compose_config(broken, ENV_EXAMPLE).returncode != 0
