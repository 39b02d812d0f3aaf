"""No second paid job when a submit's outcome is unknown: a proxy between the task and the emulator loses the
answer after the emulator created the job, or the worker dies before it stores the job id.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

import pytest
import requests
from airflow.sdk import DAG

from airflow_provider_hume.operators.batch import HumeBatchSubmitOperator
from tests.support import fault_proxy as proxies
from tests.support.airflow_versions import needs_task_state_store
from tests.support.fault_proxy import FaultProxy, drop_mid_body, status_after_upstream

fault_proxy = proxies.fault_proxy
START = datetime(2026, 1, 1)
SUBMIT = r"/v0/batch/jobs"


@pytest.fixture
def via_proxy(
    connections: None, fault_proxy: FaultProxy, emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``hume_default`` points at the proxy in front of the emulator."""
    conn = {"conn_type": "hume", "host": fault_proxy.url, "password": emulator.api_key}
    monkeypatch.setenv("AIRFLOW_CONN_HUME_DEFAULT", json.dumps(conn))


def _jobs_with(emulator: Any, text: str) -> list[str]:
    """Ids of the emulator's jobs whose request holds ``text``."""
    response = requests.get(
        f"{emulator.url}/v0/batch/jobs",
        params={"limit": 1000},
        headers={"X-Hume-Api-Key": emulator.api_key},
        timeout=10,
    )
    response.raise_for_status()
    return [job["job_id"] for job in response.json() if text in job["request"].get("text", [])]


class _DiesAfterPosting(HumeBatchSubmitOperator):
    """The first try's worker dies after the POST created the job, before the job id was stored."""

    def submit_job(self, context: Any) -> str:
        job_id = super().submit_job(context)
        if context["ti"].try_number == 1:
            raise RuntimeError(f"worker lost before storing {job_id}")
        return job_id


@needs_task_state_store
@pytest.mark.parametrize(
    "fault",
    [status_after_upstream(502), drop_mid_body(after_bytes=0)],
    ids=["502 after the job was created", "connection dropped before the answer"],
)
def test_a_lost_answer_is_found_again_in_the_same_try(
    via_proxy: None, fault_proxy: FaultProxy, emulator: Any, run_dag: Any, fault: Any, capfd: Any
) -> None:
    text = f"lost answer {uuid.uuid4()}"
    rule = fault_proxy.inject("POST", SUBMIT, fault)
    with DAG(f"lost_answer_{uuid.uuid4().hex[:8]}", schedule=None, start_date=START) as dag:
        HumeBatchSubmitOperator(task_id="submit", text=[text], retries=2, retry_delay=0)
    outcome = run_dag(dag)
    created = _jobs_with(emulator, text)
    assert rule.hits == 1
    assert len(created) == 1, f"expected one paid job, got {created}"
    assert outcome["submit"]["state"] == "success"
    assert outcome["submit"]["try_number"] == 1
    assert outcome["submit"]["xcom"]["return_value"] == created[0]
    assert "looking for the job it created" in capfd.readouterr().out


@needs_task_state_store
def test_a_worker_killed_before_storing_the_id_is_re_attached_on_retry(
    via_proxy: None, emulator: Any, run_dag: Any
) -> None:
    text = f"killed worker {uuid.uuid4()}"
    with DAG(f"killed_worker_{uuid.uuid4().hex[:8]}", schedule=None, start_date=START) as dag:
        _DiesAfterPosting(task_id="submit", text=[text], retries=1, retry_delay=0)
    outcome = run_dag(dag)
    created = _jobs_with(emulator, text)
    assert len(created) == 1, f"expected one paid job, got {created}"
    assert outcome["submit"]["state"] == "success"
    assert outcome["submit"]["try_number"] == 2
    assert outcome["submit"]["xcom"]["return_value"] == created[0]


@needs_task_state_store
def test_several_matching_jobs_stop_the_task_and_name_them(
    via_proxy: None, fault_proxy: FaultProxy, emulator: Any, run_dag: Any, capfd: Any
) -> None:
    text = f"ambiguous {uuid.uuid4()}"
    twin = requests.post(
        f"{emulator.url}/v0/batch/jobs",
        json={"text": [text]},
        headers={"X-Hume-Api-Key": emulator.api_key},
        timeout=10,
    ).json()["job_id"]
    fault_proxy.inject("POST", SUBMIT, status_after_upstream(502))
    with DAG(f"ambiguous_{uuid.uuid4().hex[:8]}", schedule=None, start_date=START) as dag:
        HumeBatchSubmitOperator(task_id="submit", text=[text], retries=2, retry_delay=0)
    outcome = run_dag(dag)
    output = capfd.readouterr().out
    assert len(_jobs_with(emulator, text)) == 2
    assert outcome["submit"]["state"] == "failed"
    assert outcome["submit"]["try_number"] == 1, "an ambiguous match must not be retried into a third job"
    assert "2 Hume jobs created since this task's submit match its request" in output
    assert twin in output


def test_durable_false_keeps_the_old_behaviour(
    via_proxy: None, fault_proxy: FaultProxy, emulator: Any, run_dag: Any
) -> None:
    text = f"not durable {uuid.uuid4()}"
    fault_proxy.inject("POST", SUBMIT, status_after_upstream(502))
    with DAG(f"not_durable_{uuid.uuid4().hex[:8]}", schedule=None, start_date=START) as dag:
        HumeBatchSubmitOperator(task_id="submit", text=[text], durable=False, retries=1, retry_delay=0)
    outcome = run_dag(dag)
    assert outcome["submit"]["state"] == "success"
    assert outcome["submit"]["try_number"] == 2
    assert len(_jobs_with(emulator, text)) == 2, "without the state store a lost answer costs a second job"
