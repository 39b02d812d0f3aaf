"""The Airflow UI of ``make airflow`` in headless Chromium, as a new user walks it.

One Airflow start (connections stored in the metadata database, ``[core] test_connection`` enabled, as
``make airflow`` does), one run of ``hume_batch_to_s3``. The browser logs in, opens ``hume_default``'s form
(every field, ``console_url`` among them), presses Test (success), opens the run's ``submit`` task and follows
its **Hume Job** link to the emulator console, where the key is entered once: the job's page must answer 200.
Skipped without Debian's ``chromium``.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
import requests

from tests.support.cdp import Page, chromium_page, find_chromium

#: Its own Airflow start would push `make test` past 15 minutes: `make test-ui` runs it (CI does, after it).
pytestmark = pytest.mark.skipif(
    os.environ.get("HUME_UI_LANE") != "1", reason="runs in `make test-ui` (HUME_UI_LANE=1), as CI does"
)

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
sys.path.insert(0, str(SCRIPTS))

from airflow_local import LOCAL_ENV  # noqa: E402
from airflow_stack import BUCKET, AirflowHandle, airflow_services  # noqa: E402
from local_stack import Stack, local_stack  # noqa: E402

T = TypeVar("T")
DAG_ID = "hume_batch_to_s3"
EMULATOR_FLAGS = ("--queue-seconds", "0.5", "--run-seconds", "1")
FORM_INPUTS = {
    "host": "Base URL",
    "password": "API Key",
    "element_timeout": "Request timeout (seconds)",
    "element_max_retries": "Max retries",
    "element_console_url": "Console URL",
}
ROW = "Array.from(document.querySelectorAll('tr')).find(r => r.innerText.includes('hume_default'))"


@dataclass(frozen=True)
class UiStack:
    stack: Stack
    airflow: AirflowHandle
    api: requests.Session


@pytest.fixture(scope="module")
def chromium() -> str:
    found = find_chromium()
    if found is None:
        pytest.skip("chromium is not installed: install Debian's 'chromium' package (.ci/run does, as root)")
    return found


@pytest.fixture(scope="module")
def ui_stack(chromium: str) -> Iterator[UiStack]:
    with contextlib.ExitStack() as exits:
        tmp = Path(exits.enter_context(tempfile.TemporaryDirectory(prefix="hume-ui-")))
        stack = exits.enter_context(local_stack(tmp, EMULATOR_FLAGS))
        s3 = stack.s3_client()
        s3.create_bucket(Bucket=BUCKET)
        airflow = exits.enter_context(
            airflow_services(stack, tmp, extra_env=LOCAL_ENV, store_connections=True)
        )
        api = requests.Session()
        token = api.post(
            f"{airflow.url}/auth/token",
            json={"username": airflow.username, "password": airflow.password},
            timeout=30,
        )
        token.raise_for_status()
        api.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        yield UiStack(stack, airflow, api)


@pytest.fixture(scope="module")
def page(chromium: str, ui_stack: UiStack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    """A browser logged in to the Airflow UI through its login form."""
    with chromium_page(chromium, tmp_path_factory.mktemp("chromium")) as page:
        page.navigate(f"{ui_stack.airflow.url}/connections")
        page.wait_for("!!document.querySelector('input[name=username]')", "the login form")
        page.type_into("input[name=username]", ui_stack.airflow.username)
        page.type_into("input[name=password]", ui_stack.airflow.password)
        page.evaluate("document.querySelector('button[type=submit]').click()")
        page.wait_for(f"!!({ROW})", "hume_default in the connections list")
        yield page


def test_the_connection_form_shows_every_field(page: Page, ui_stack: UiStack) -> None:
    page.click(f"{ROW}.querySelector('button[aria-label=\"Edit Connection\"]')")
    page.wait_for("!!document.querySelector('[role=dialog] input[name=element_console_url]')", "the form")
    page.click(  # the extras are folded away under "Extra Fields"
        "Array.from(document.querySelectorAll('[role=dialog] button'))"
        ".find(b => b.innerText.trim() === 'Extra Fields')"
    )
    dialog = page.wait_for(
        "document.querySelector('[role=dialog]').innerText.includes('Console URL')"
        " && document.querySelector('[role=dialog]').innerText",
        "the extra fields to unfold",
    )
    names = page.evaluate("Array.from(document.querySelectorAll('[role=dialog] input')).map(i => i.name)")
    for name, label in FORM_INPUTS.items():
        assert name in names, (name, names)
        assert label in dialog, (label, dialog)
    assert "Hume" in dialog  # the connection type's name, not 'hume'
    assert ui_stack.stack.hume_api_key not in page.evaluate("document.documentElement.outerHTML")
    page.click("document.querySelector('[role=dialog] button[aria-label=Close]')")
    page.wait_for("!document.querySelector('[role=dialog]')", "the form to close")


def test_the_test_button_reports_success(page: Page) -> None:
    page.click(f"{ROW}.querySelector('button[aria-label=\"Test Connection\"]')")
    toast = page.wait_for(
        "Array.from(document.querySelectorAll('[data-scope=toast][data-part=root]'))"
        ".map(t => t.innerText).join(' | ')",
        "the test's result",
    )
    assert "Connection to Hume succeeded" in toast, toast


def _wait_until(check: Callable[[], T | None], what: str, timeout: float = 60) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def _run_dag(ui_stack: UiStack) -> str:
    """Trigger the example DAG through the REST API; its run id once it succeeded."""
    base = f"{ui_stack.airflow.url}/api/v2/dags/{DAG_ID}"
    _wait_until(lambda: ui_stack.api.get(base, timeout=30).status_code == 200, f"{DAG_ID} to be parsed")
    started = ui_stack.api.post(f"{base}/dagRuns", json={"logical_date": None}, timeout=30)
    assert started.status_code == 200, started.text
    run_id = str(started.json()["dag_run_id"])

    def state() -> str | None:
        value = str(ui_stack.api.get(f"{base}/dagRuns/{run_id}", timeout=30).json()["state"])
        return value if value in ("success", "failed") else None

    assert _wait_until(state, f"run {run_id} to finish", timeout=180) == "success"
    return run_id


def test_the_hume_job_link_opens_the_job(page: Page, ui_stack: UiStack) -> None:
    run_id = _run_dag(ui_stack)
    job_id = str(
        ui_stack.api.get(
            f"{ui_stack.airflow.url}/api/v2/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances/submit"
            "/xcomEntries/return_value",
            timeout=30,
        ).json()["value"]
    ).strip('"')
    page.navigate(f"{ui_stack.airflow.url}/dags/{DAG_ID}/runs/{run_id}/tasks/submit/details")
    href = page.wait_for(
        "Array.from(document.querySelectorAll('a')).find(a => a.innerText.includes('Hume Job'))?.href",
        "the Hume Job link",
    )
    assert href == f"{ui_stack.stack.hume_url}/_emulator/console/jobs/{job_id}"
    assert ui_stack.stack.hume_api_key not in href

    page.navigate(href)  # a fresh browser: the console asks for the key once
    page.wait_for("!!document.querySelector('#apikey')", "the console's key form")
    assert page.status() == 401
    page.type_into("#apikey", ui_stack.stack.hume_api_key)
    page.click("document.querySelector('#login')")
    has_job = "!!document.querySelector('h1')?.innerText.includes(" + json.dumps(job_id) + ")"
    page.wait_for(has_job, "the job's page")
    assert page.evaluate("location.href") == href
    assert page.status() == 200
    assert "COMPLETED" in page.evaluate("document.body.innerText")
    shown = page.evaluate("location.href + document.documentElement.outerHTML")
    assert ui_stack.stack.hume_api_key not in shown

    page.navigate(href)  # from now on the link opens the job directly
    page.wait_for(has_job, "the job's page, at once")
    assert page.status() == 200
