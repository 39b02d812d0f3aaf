"""``HumeJobTrigger``: waits for a Hume batch job in the triggerer, polling asynchronously."""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import cached_property
from typing import Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from airflow_provider_hume.client import check_error_budget, check_poll_interval
from airflow_provider_hume.hooks.hume import HumeHook
from airflow_provider_hume.triggers.events import event_from_step


class HumeJobTrigger(BaseTrigger):
    """
    Poll a Hume job's details until it is COMPLETED or FAILED, or until an absolute deadline.

    Yields exactly one event ``{"status": "success"|"failed"|"timeout"|"error", "job_id", "message", ...}``.
    The waiting itself is the client's ``wait_for_job`` (the policy every waiting path shares, see
    :mod:`airflow_provider_hume.client.waiting`): it sleeps ``poll_interval`` seconds between polls, after
    errors too, and never blocks the event loop.

    :param job_id: The Hume job to wait for.
    :param hume_conn_id: The ``hume`` connection.
    :param end_time: Unix time (seconds) after which the trigger gives up with a ``timeout`` event;
        computed before deferring so a triggerer restart does not extend it.
    :param poll_interval: Seconds between polls (at least 1).
    :param max_consecutive_poll_errors: Failed polls in a row before the trigger gives up with an ``error``
        event naming the last error (default: about five minutes' worth).
    """

    def __init__(
        self,
        job_id: str,
        hume_conn_id: str,
        end_time: float,
        poll_interval: float = 10.0,
        max_consecutive_poll_errors: int | None = None,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.job_id = job_id
        self.hume_conn_id = hume_conn_id
        self.end_time = end_time
        self.poll_interval = check_poll_interval(poll_interval)
        self.max_consecutive_poll_errors = check_error_budget(max_consecutive_poll_errors, self.poll_interval)

    @cached_property
    def hook(self) -> HumeHook:
        """The hook the trigger's client comes from."""
        return HumeHook(self.hume_conn_id)

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "job_id": self.job_id,
                "hume_conn_id": self.hume_conn_id,
                "end_time": self.end_time,
                "poll_interval": self.poll_interval,
                "max_consecutive_poll_errors": self.max_consecutive_poll_errors,
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        yield TriggerEvent(await self._outcome())  # type: ignore[no-untyped-call]

    async def _outcome(self) -> dict[str, Any]:
        """Wait for the job and return the one event describing how the wait ended."""
        try:
            client = await self.hook.get_async_client()
        except ValueError as err:
            return {"status": "error", "job_id": self.job_id, "message": str(err), "final": True}
        async with client:
            step = await client.wait_for_job(
                self.job_id,
                deadline=self.end_time,
                poll_interval=self.poll_interval,
                max_consecutive_poll_errors=self.max_consecutive_poll_errors,
                logger=self.log,
            )
        return event_from_step(step)
