"""Stub clients injected through the hook: scripted Hume answers, a fake clock, no network.

The stubs subclass the real clients and replace only the network calls (``get_job_details``,
``submit_job``), so everything above them (the waiting policy, the operators, the sensor, the trigger) runs
for real. Tests give a task a :class:`StubHook` by assigning it to the task's ``hook`` attribute.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from airflow_provider_hume.client import (
    AsyncHumeBatchClient,
    HumeBatchClient,
    HumeError,
    JobDetails,
    JobRequest,
)
from airflow_provider_hume.hooks.hume import HumeConnectionSettings, HumeHook

API_KEY = "stub-api-key-0123456789abcdef0123456789abcdef"
BASE_URL = "http://hume.stub"
JOB_ID = "job-1"
START = 1_800_000_000.0

#: One scripted answer to a job-details poll: a status (``"QUEUED"``, ``"FAILED:<message>"``, ...), an error
#: raised instead of answering, or a ready :class:`JobDetails`.
Answer = str | HumeError | JobDetails


def details(answer: str, job_id: str = JOB_ID) -> JobDetails:
    """Job details for ``STATUS`` or ``FAILED:<message>``."""
    status, _, message = answer.partition(":")
    state: dict[str, Any] = {"status": status}
    if status == "COMPLETED":
        state.update(num_predictions=2, num_errors=0)
    if message:
        state["message"] = message
    return JobDetails.from_api({"job_id": job_id, "state": state})


class FakeClock:
    """Unix time that moves only when someone sleeps."""

    def __init__(self, start: float = START) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


@dataclass
class Script:
    """What the stub server answers, and what it was asked; the last answer repeats."""

    answers: Sequence[Answer] = ("COMPLETED",)
    submitted: list[JobRequest] = field(default_factory=list)
    polls: int = 0

    def next_details(self, job_id: str) -> JobDetails:
        answer = self.answers[min(self.polls, len(self.answers) - 1)]
        self.polls += 1
        if isinstance(answer, HumeError):
            raise answer
        return answer if isinstance(answer, JobDetails) else details(answer, job_id)


class StubClient(HumeBatchClient):
    """The sync client with scripted answers instead of HTTP."""

    def __init__(self, script: Script, clock: FakeClock) -> None:
        super().__init__(API_KEY, BASE_URL, sleep=clock.sleep, clock=clock)
        self.script = script

    def get_job_details(self, job_id: str, *, deadline: float = math.inf) -> JobDetails:
        return self.script.next_details(job_id)

    def submit_job(self, request: JobRequest, files: Any = ()) -> str:
        self.script.submitted.append(request)
        return JOB_ID


class AsyncStubClient(AsyncHumeBatchClient):
    """The async client with scripted answers instead of HTTP."""

    def __init__(self, script: Script, clock: FakeClock) -> None:
        super().__init__(API_KEY, BASE_URL, sleep=clock.async_sleep, clock=clock)
        self.script = script

    async def get_job_details(self, job_id: str, *, deadline: float = math.inf) -> JobDetails:
        return self.script.next_details(job_id)


class StubHook(HumeHook):
    """A hook whose settings are fixed and whose clients are the stubs above."""

    def __init__(self, script: Script, clock: FakeClock, console_url: str | None = None) -> None:
        super().__init__("hume_stub")
        self.script = script
        self.clock = clock
        self._settings = HumeConnectionSettings(
            base_url=BASE_URL, api_key=API_KEY, timeout=5.0, max_retries=0, console_url=console_url
        )

    def get_client(self, **overrides: Any) -> StubClient:
        return StubClient(self.script, self.clock)

    async def get_async_client(self, **overrides: Any) -> AsyncStubClient:
        return AsyncStubClient(self.script, self.clock)


class FakeTaskInstance:
    """The part of a task instance the provider's tasks touch: XCom pushes and the try number."""

    def __init__(self, try_number: int = 1) -> None:
        self.xcom: dict[str, Any] = {}
        self.try_number = try_number

    def xcom_push(self, key: str, value: Any) -> None:
        self.xcom[key] = value


class FakeStateStore:
    """Airflow 3.3's task state store, in memory."""

    def __init__(self, **values: Any) -> None:
        self.values = dict(values)

    def get(self, key: str) -> Any:
        return self.values.get(key)

    def set(self, key: str, value: Any) -> None:
        if value is None:  # as Airflow's store does
            raise ValueError("Cannot set value as None")
        self.values[key] = value

    def delete(self, key: str) -> None:
        self.values.pop(key, None)


def context(ti: FakeTaskInstance | None = None, store: FakeStateStore | None = None) -> Any:
    """A task context with just what the provider reads."""
    values: dict[str, Any] = {"ti": ti or FakeTaskInstance()}
    if store is not None:
        values["task_state_store"] = store
    return values
