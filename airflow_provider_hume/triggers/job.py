"""``HumeJobTrigger``: waits for a Hume batch job in the triggerer, polling asynchronously."""

from __future__ import annotations

import time
from asyncio import sleep
from collections.abc import AsyncIterator
from typing import Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from airflow_provider_hume.client import (
    HumeAuthError,
    HumeError,
    HumeNotFoundError,
    HumeValidationError,
    JobDetails,
    JobStatus,
)
from airflow_provider_hume.hooks.hume import HumeHook

#: Errors that polling again cannot fix.
PERMANENT_ERRORS = (HumeAuthError, HumeNotFoundError, HumeValidationError)


def terminal_event(job_id: str, details: JobDetails) -> dict[str, Any]:
    """The event for a job that reached COMPLETED or FAILED."""
    state = details.state
    if state.status is JobStatus.COMPLETED:
        return {
            "status": "success",
            "job_id": job_id,
            "job_status": state.status.value,
            "message": f"Hume job {job_id} completed: {state.num_predictions} predictions, "
            f"{state.num_errors} errors.",
        }
    return {
        "status": "failed",
        "job_id": job_id,
        "job_status": state.status.value,
        "hume_message": state.message or "",
        "message": f"Hume job {job_id} failed: {state.message or 'no message from Hume'}",
    }


class HumeJobTrigger(BaseTrigger):
    """
    Poll a Hume job's details until it is COMPLETED or FAILED, or until an absolute deadline.

    Yields exactly one event ``{"status": "success"|"failed"|"timeout"|"error", "job_id", "message", ...}``.
    It sleeps ``poll_interval`` seconds between polls, after errors too; transient errors (already retried
    by the client) are logged and polling goes on, while a rejected key or an unknown job ends it at once.

    :param job_id: The Hume job to wait for.
    :param hume_conn_id: The ``hume`` connection.
    :param end_time: Unix time (seconds) after which the trigger gives up with a ``timeout`` event;
        computed before deferring so a triggerer restart does not extend it.
    :param poll_interval: Seconds between polls.
    """

    def __init__(self, job_id: str, hume_conn_id: str, end_time: float, poll_interval: float = 10.0) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.job_id = job_id
        self.hume_conn_id = hume_conn_id
        self.end_time = end_time
        self.poll_interval = poll_interval

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "job_id": self.job_id,
                "hume_conn_id": self.hume_conn_id,
                "end_time": self.end_time,
                "poll_interval": self.poll_interval,
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        yield TriggerEvent(await self._wait())  # type: ignore[no-untyped-call]

    async def _wait(self) -> dict[str, Any]:
        """Poll until an outcome is known and return the one event describing it."""
        try:
            client = await HumeHook(self.hume_conn_id).get_async_client()
        except ValueError as err:
            return self._event("error", str(err))
        async with client:
            last_status: JobStatus | None = None
            while True:
                try:
                    details = await client.get_job_details(self.job_id)
                except PERMANENT_ERRORS as err:
                    return self._event("error", f"Stopped polling Hume job {self.job_id}: {err}")
                except HumeError as err:
                    self.log.warning("Polling Hume job %s failed, will poll again: %s", self.job_id, err)
                else:
                    status = details.state.status
                    if status.is_terminal:
                        return terminal_event(self.job_id, details)
                    if status is not last_status:
                        self.log.info("Hume job %s is %s", self.job_id, status.value)
                        last_status = status
                remaining = self.end_time - time.time()
                if remaining <= 0:
                    return self._event(
                        "timeout",
                        f"Hume job {self.job_id} did not finish before the deadline "
                        f"(last status {last_status.value if last_status else 'unknown'}); "
                        "the job may still finish on Hume's side.",
                    )
                await sleep(min(self.poll_interval, remaining))

    def _event(self, status: str, message: str) -> dict[str, Any]:
        return {"status": status, "job_id": self.job_id, "message": message}
