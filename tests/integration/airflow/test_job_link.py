"""``HumeJobLink`` on the submit operator and the sensor: stored before deferral, one per mapped task."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from airflow.sdk import DAG

from airflow_provider_hume.links.job import XCOM_KEY, HumeJobLink
from airflow_provider_hume.operators.batch import HumeBatchSubmitOperator
from airflow_provider_hume.sensors.job import HumeJobSensor
from tests.support.airflow_versions import AirflowException, TaskDeferred

START = datetime(2026, 1, 1)
LINK_XCOM = HumeJobLink().xcom_key


class _TI:
    def __init__(self) -> None:
        self.xcom: dict[str, Any] = {}

    def xcom_push(self, key: str, value: Any) -> None:
        self.xcom[key] = value


def test_link_is_pushed_before_deferral(connections: None, emulator: Any) -> None:
    op = HumeBatchSubmitOperator(
        task_id="submit", text=["Hello"], wait_for_completion=True, deferrable=True, poll_interval=0.2
    )
    ti = _TI()
    with pytest.raises(TaskDeferred):
        op.execute({"ti": ti})  # type: ignore[arg-type]
    job_id = ti.xcom["job_id"]
    assert ti.xcom[XCOM_KEY] == f"{emulator.url}/_emulator/console/jobs/{job_id}"
    assert emulator.api_key not in json.dumps(ti.xcom)


def test_console_url_extra_overrides(
    connections: None, emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = {
        "conn_type": "hume",
        "host": emulator.url,
        "password": emulator.api_key,
        "extra": {"console_url": "https://hume-console.example.com/ui/"},
    }
    monkeypatch.setenv("AIRFLOW_CONN_HUME_CONSOLE", json.dumps(conn))
    ti = _TI()
    sensor = HumeJobSensor(task_id="wait", job_id="abc", hume_conn_id="hume_console", deferrable=True)
    with pytest.raises(AirflowException, match="job not found"):  # the poke fails; the link came first
        sensor.execute({"ti": ti})  # type: ignore[arg-type]
    assert ti.xcom[XCOM_KEY] == "https://hume-console.example.com/ui/jobs/abc"


def _xcoms(dag_id: str) -> dict[tuple[str, int], dict[str, Any]]:
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    found: dict[tuple[str, int], dict[str, Any]] = {}
    with create_session() as session:
        for row in session.query(XComModel).filter_by(dag_id=dag_id):
            found.setdefault((row.task_id, row.map_index), {})[row.key] = row.value
    return found


def test_mapped_tasks_each_get_their_own_link(connections: None, emulator: Any, run_dag: Any) -> None:
    with DAG("job_link_mapped", schedule=None, start_date=START) as dag:
        submit = HumeBatchSubmitOperator.partial(
            task_id="submit", wait_for_completion=True, deferrable=True, poll_interval=0.2
        ).expand(text=[["First"], ["Second"], ["Third"]])
        HumeJobSensor.partial(task_id="wait", poke_interval=0.1, timeout=60).expand(job_id=submit.output)
    outcome = run_dag(dag)
    assert outcome["dag_state"] == "success"
    xcoms = _xcoms("job_link_mapped")
    links = set()
    for index in range(3):
        submitted, waited = xcoms[("submit", index)], xcoms[("wait", index)]
        job_id = submitted["job_id"]
        expected = f"{emulator.url}/_emulator/console/jobs/{job_id}"
        assert submitted[XCOM_KEY] == expected
        assert submitted[LINK_XCOM] == expected, "the link Airflow's UI reads must be the job's page"
        assert waited[XCOM_KEY] == expected
        links.add(expected)
    assert len(links) == 3
    assert emulator.api_key not in json.dumps(list(xcoms.values()), default=str)


def test_link_is_registered_at_class_level() -> None:
    assert any(isinstance(link, HumeJobLink) for link in HumeBatchSubmitOperator.operator_extra_links)
    assert any(isinstance(link, HumeJobLink) for link in HumeJobSensor.operator_extra_links)
