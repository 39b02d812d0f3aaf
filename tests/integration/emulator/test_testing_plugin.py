"""The pytest plugin we ship (``airflow_provider_hume.testing``), run by pytester on a user-like test file."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

pytest_plugins = ["pytester"]

USER_TESTS = """
import json

import requests

from airflow_provider_hume.emulator.backend.settings import FaultSettings


def test_session_emulator(hume_emulator):
    headers = {"X-Hume-Api-Key": hume_emulator.api_key}
    response = requests.post(f"{hume_emulator.url}/v0/batch/jobs", json={"text": ["hi"]}, headers=headers)
    assert response.status_code == 200
    assert hume_emulator.admin.jobs_created() == 1
    with hume_emulator.admin.faults_injected(error_rate=1, error_statuses=[503], times=1):
        assert requests.get(f"{hume_emulator.url}/v0/batch/jobs", headers=headers).status_code == 503
    assert hume_emulator.admin.faults()["error_rate"] == 0
    hume_emulator.admin.reset()
    assert hume_emulator.admin.counters()["jobs_created"] == 0


def test_connection_env(hume_connection_env, hume_emulator, monkeypatch):
    import os

    assert json.loads(os.environ["AIRFLOW_CONN_HUME_DEFAULT"]) == {
        "conn_type": "hume", "host": hume_emulator.url, "password": hume_emulator.api_key,
    }
    assert hume_connection_env == os.environ["AIRFLOW_CONN_HUME_DEFAULT"]


def test_factory(hume_emulator_factory, hume_emulator):
    legacy = hume_emulator_factory(job_details_shape="2022", faults=FaultSettings(job_failure_rate=1))
    assert legacy.url != hume_emulator.url
    headers = {"X-Hume-Api-Key": legacy.api_key}
    jobs = f"{legacy.url}/v0/batch/jobs"
    job_id = requests.post(jobs, json={"text": ["x"]}, headers=headers).json()["job_id"]
    assert requests.get(f"{jobs}/{job_id}", headers=headers).json()["status"] == "QUEUED"
    assert hume_emulator.admin.jobs_created() == 0, "each emulator has its own jobs"
"""


@pytest.fixture
def run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A pytester whose runs load only the plugin (by name, installed entry point or not)."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    for name in ("HUME_EMULATOR_URL", "HUME_EMULATOR_API_KEY", "AIRFLOW_CONN_HUME_DEFAULT"):
        monkeypatch.delenv(name, raising=False)
    pytester.makepyfile(test_user=USER_TESTS)
    return pytester


def test_fixtures_in_a_user_test_suite(run: pytest.Pytester) -> None:
    result = run.runpytest("-p", "airflow_provider_hume.testing")
    result.assert_outcomes(passed=3)


def test_an_already_running_emulator_is_used(run: pytest.Pytester, hume_url_and_key: tuple[str, str]) -> None:
    url, key = hume_url_and_key
    run.makepyfile(
        test_external=f"""
def test_external(hume_emulator):
    assert hume_emulator.url == {url!r}
    assert hume_emulator.api_key == {key!r}
    assert hume_emulator.admin.counters()["jobs_created"] == 0
"""
    )
    args = ["-p", "airflow_provider_hume.testing", "--hume-emulator-url", url, "--hume-emulator-api-key", key]
    run.runpytest(*args, "test_external.py").assert_outcomes(passed=1)
    missing_key = run.runpytest(
        "-p", "airflow_provider_hume.testing", "--hume-emulator-url", url, "test_external.py"
    )
    missing_key.assert_outcomes(errors=1)
    missing_key.stdout.fnmatch_lines(["*--hume-emulator-url needs --hume-emulator-api-key*"])


@pytest.fixture
def hume_url_and_key() -> Iterator[tuple[str, str]]:
    """An emulator running outside the inner test session, and its key."""
    from airflow_provider_hume.emulator.server import EmulatorServer

    with EmulatorServer(["external-key"]) as server:
        yield server.url, "external-key"


def test_importing_the_plugin_imports_neither_airflow_nor_the_server() -> None:
    code = (
        "import sys, airflow_provider_hume.testing; "
        "loaded = [name for name in ('airflow', 'fastapi', 'uvicorn') if name in sys.modules]; "
        "assert not loaded, loaded"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
