"""``HumeJobLink``: where the "Hume Job" button points, and how the URL is stored for it."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_hume.hooks.hume import HumeConnectionSettings
from airflow_provider_hume.links.job import XCOM_KEY, HumeJobLink, job_console_url
from airflow_provider_hume.operators.batch import HumeBatchSubmitOperator
from airflow_provider_hume.sensors.job import HumeJobSensor
from tests.unit.airflow.conftest import Logs
from tests.unit.airflow.stubs import API_KEY, FakeTaskInstance, context


def settings(base_url: str, console_url: str | None = None) -> HumeConnectionSettings:
    return HumeConnectionSettings(
        base_url=base_url, api_key=API_KEY, timeout=5.0, max_retries=0, console_url=console_url
    )


def task(**kwargs: Any) -> HumeBatchSubmitOperator:
    return HumeBatchSubmitOperator(task_id="submit", text="hello", **kwargs)


@pytest.mark.parametrize(
    ("base_url", "console_url", "expected"),
    [
        ("http://127.0.0.1:8000", None, "http://127.0.0.1:8000/_emulator/console/jobs/j%2F1"),
        ("http://emulator.local/proxy/", None, "http://emulator.local/proxy/_emulator/console/jobs/j%2F1"),
        ("https://api.hume.ai", None, "https://platform.hume.ai/jobs/j%2F1"),
        ("https://API.Hume.AI/", None, "https://platform.hume.ai/jobs/j%2F1"),
        ("https://u:secret@hume.example.com", None, "https://hume.example.com/_emulator/console/jobs/j%2F1"),
        ("https://api.hume.ai", "https://console.example.com/", "https://console.example.com/jobs/j%2F1"),
        ("http://x", "https://c.example.com/job?id={job_id}", "https://c.example.com/job?id=j%2F1"),
        ("http://x", "https://u:secret@c.example.com:8443/ui", "https://c.example.com:8443/ui/jobs/j%2F1"),
    ],
)
def test_link_rules(base_url: str, console_url: str | None, expected: str) -> None:
    assert job_console_url(base_url, "j/1", console_url) == expected


def test_persist_stores_the_console_url_and_logs_it(logs: Logs) -> None:
    ti = FakeTaskInstance()
    url = HumeJobLink.persist(
        context(ti), task(), settings("http://127.0.0.1:8000", "https://console.example/{job_id}/view"), "j-1"
    )
    assert url == ti.xcom[XCOM_KEY] == "https://console.example/j-1/view"
    assert "Hume job j-1: https://console.example/j-1/view" in logs.at("info")


def test_persist_stores_nothing_for_a_task_without_xcom() -> None:
    ti = FakeTaskInstance()
    url = HumeJobLink.persist(context(ti), task(do_xcom_push=False), settings("https://api.hume.ai"), "j-1")
    assert url == "https://platform.hume.ai/jobs/j-1"
    assert ti.xcom == {}


class BrokenTaskInstance(FakeTaskInstance):
    def xcom_push(self, key: str, value: Any) -> None:
        raise RuntimeError("XCom backend down: token=hunter2")


def test_a_failed_push_is_logged_and_never_fails_the_task(logs: Logs) -> None:
    url = HumeJobLink.persist(context(BrokenTaskInstance()), task(), settings("https://api.hume.ai"), "j-1")
    assert url is None
    warning = logs.at("warning")
    assert "Could not store the Hume job link for job j-1: RuntimeError" in warning
    assert "hunter2" not in logs.text


def test_the_link_never_carries_the_key_or_userinfo() -> None:
    ti = FakeTaskInstance()
    url = HumeJobLink.persist(
        context(ti), task(), settings(f"https://apiuser:{API_KEY}@hume.example.com:9443/base/"), "j-1"
    )
    assert url == "https://hume.example.com:9443/base/_emulator/console/jobs/j-1"
    assert API_KEY not in str(ti.xcom)
    assert "apiuser" not in str(ti.xcom)


@pytest.mark.parametrize("operator_class", [HumeBatchSubmitOperator, HumeJobSensor])
def test_tasks_declare_the_link_at_class_level(operator_class: type[Any]) -> None:
    (link,) = operator_class.operator_extra_links
    assert isinstance(link, HumeJobLink)
    assert link.name == "Hume Job"
