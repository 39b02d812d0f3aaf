"""A submit whose outcome is unknown: the record before the POST, the search after it, and what decides."""

from __future__ import annotations

from typing import Any

import pytest
from airflow.sdk.exceptions import AirflowFailException

from airflow_provider_hume.client import (
    HumeConnectionError,
    HumeError,
    HumeRateLimitError,
    HumeServerError,
    JobDetails,
    JobRequest,
    JobStatus,
)
from airflow_provider_hume.operators._lost_submission import SUBMISSION_STATE_KEY
from airflow_provider_hume.operators.batch import HumeBatchSubmitOperator
from tests.unit.airflow.stubs import FakeClock, FakeStateStore, Script, StubClient, StubHook, context

TEXT = "only once"


def job(job_id: str, text: str = TEXT, status: str = "QUEUED") -> JobDetails:
    return JobDetails.from_api(
        {"job_id": job_id, "state": {"status": status}, "request": {"text": [text], "urls": [], "files": []}}
    )


class LostAnswerClient(StubClient):
    """The POST fails with ``error`` (after the server may have acted); ``jobs`` is what the list shows."""

    def __init__(self, script: Script, clock: FakeClock, error: HumeError, jobs: list[JobDetails]) -> None:
        super().__init__(script, clock)
        self.error = error
        self.jobs = jobs
        self.listed = 0

    def submit_job(self, request: JobRequest, files: Any = ()) -> str:
        self.script.submitted.append(request)
        raise self.error

    def list_jobs(self, **kwargs: Any) -> list[JobDetails]:
        self.listed += 1
        return list(self.jobs)


class LostAnswerHook(StubHook):
    def __init__(self, error: HumeError, jobs: list[JobDetails]) -> None:
        super().__init__(Script(), FakeClock())
        self.client = LostAnswerClient(self.script, self.clock, error, jobs)

    def get_client(self, **overrides: Any) -> StubClient:
        return self.client


def run(hook: LostAnswerHook, store: FakeStateStore | None = None, **kwargs: Any) -> str:
    op = HumeBatchSubmitOperator(task_id="submit", text=[TEXT], **kwargs)
    op.hook = hook
    return str(op.execute(context(store=store if store is not None else FakeStateStore())))


@pytest.mark.parametrize(
    "error",
    [
        HumeServerError("Hume server error (HTTP 502)", 502),
        HumeConnectionError("connection reset"),
        HumeError("?"),
    ],
)
def test_one_matching_job_is_adopted_in_the_same_try(error: HumeError) -> None:
    hook = LostAnswerHook(error, [job("other", text="someone else's"), job("mine")])
    store = FakeStateStore()
    assert run(hook, store) == "mine"
    assert store.values == {HumeBatchSubmitOperator.external_id_key: "mine"}, "the record is cleared"


def test_no_match_re_raises_the_error_for_airflow_to_retry() -> None:
    error = HumeServerError("Hume server error (HTTP 502)", 502)
    hook = LostAnswerHook(error, [job("other", text="someone else's"), job("failed", status="FAILED")])
    store = FakeStateStore()
    with pytest.raises(HumeServerError):
        run(hook, store)
    assert SUBMISSION_STATE_KEY in store.values, "the record stays for the retry's search"


def test_several_matches_fail_the_task_naming_them() -> None:
    hook = LostAnswerHook(HumeServerError("502", 502), [job("first"), job("second")])
    with pytest.raises(AirflowFailException, match=r"2 Hume jobs .* \(first, second\)"):
        run(hook)


def test_a_429_means_no_job_was_created() -> None:
    hook = LostAnswerHook(HumeRateLimitError("rate limit hit"), [job("mine")])
    with pytest.raises(HumeRateLimitError):
        run(hook)
    assert hook.client.listed == 0


def test_not_durable_never_records_or_searches() -> None:
    hook = LostAnswerHook(HumeServerError("502", 502), [job("mine")])
    store = FakeStateStore()
    with pytest.raises(HumeServerError):
        run(hook, store, durable=False)
    assert (store.values, hook.client.listed) == ({}, 0)


def test_a_retry_with_a_record_and_no_job_id_re_attaches() -> None:
    first = LostAnswerHook(HumeConnectionError("reset"), [])
    store = FakeStateStore()
    with pytest.raises(HumeConnectionError):
        run(first, store)
    retry = LostAnswerHook(
        HumeServerError("never called", 500), [job("created-by-try-1", status="IN_PROGRESS")]
    )
    assert run(retry, store) == "created-by-try-1"
    assert retry.script.submitted == [], "no second POST"
    assert store.values[HumeBatchSubmitOperator.external_id_key] == "created-by-try-1"


def test_a_retry_whose_record_matches_only_a_failed_job_submits_again() -> None:
    store = FakeStateStore()
    with pytest.raises(HumeConnectionError):
        run(LostAnswerHook(HumeConnectionError("reset"), []), store)
    retry = LostAnswerHook(HumeServerError("502", 502), [job("dead", status=JobStatus.FAILED.value)])
    with pytest.raises(HumeServerError):
        run(retry, store)
    assert len(retry.script.submitted) == 1
