"""``HumeJobSensor``: waits for a Hume batch job to finish."""

from __future__ import annotations

import time
from collections.abc import Sequence
from functools import cached_property
from typing import Any

from airflow.sdk import BaseSensorOperator, Context, PokeReturnValue

from airflow_provider_hume._compat import AirflowSensorTimeout, conf
from airflow_provider_hume._source_errors import check_source_errors
from airflow_provider_hume.client import (
    JobWait,
    OnSourceError,
    check_error_budget,
    check_on_source_error,
    check_poll_interval,
    log_step,
)
from airflow_provider_hume.hooks.hume import HumeHook
from airflow_provider_hume.links.job import HumeJobLink
from airflow_provider_hume.triggers.events import HumeJobTimeoutError, event_from_step, job_id_from_event

#: Task state store key of the failed polls in a row, carried across reschedules.
POLL_ERRORS_STATE_KEY = "hume_poll_errors_in_a_row"


class HumeJobSensor(BaseSensorOperator):
    """
    Wait until a Hume batch job is COMPLETED; fail with Hume's message if it FAILED.

    Works in ``poke`` and ``reschedule`` modes, or deferrable: the triggerer then polls the job without
    holding a worker slot. Every mode judges each poll by the one waiting policy of
    :mod:`airflow_provider_hume.client.waiting` (a rejected key or an unknown job fails at once; errors that
    may pass are polled through; unreadable answers fail after a few in a row). Returns (and pushes to XCom)
    the job id. The task gets a "Hume Job" link (see :mod:`airflow_provider_hume.links.job`), stored as soon
    as the sensor starts.

    A job can complete with some inputs failed (Hume's ``num_errors``). The sensor then streams the job's
    predictions on the worker and logs each failed source with Hume's message (the first 50, then a count);
    ``on_source_error`` decides whether the task then fails. Jobs without errors cost no extra request.

    :param job_id: The Hume job id (templated), e.g. ``"{{ ti.xcom_pull('submit') }}"``.
    :param hume_conn_id: The ``hume`` connection (templated).
    :param deferrable: Wait in the triggerer (default: ``[operators] default_deferrable``).
    :param poke_interval: Seconds between polls (at least 1; negative is an error).
    :param max_consecutive_poll_errors: Failed polls in a row (connection errors, 5xx, 429, unreadable
        answers) before the sensor gives up naming the last error; default about five minutes' worth. In
        ``reschedule`` mode the count is kept across reschedules in the task state store (Airflow >= 3.3).
    :param on_source_error: What a COMPLETED job with failed sources does to the task: ``"warn"`` (default)
        logs them and succeeds; ``"fail"`` fails the task (no retries) naming how many failed and the first
        five.
    """

    template_fields: Sequence[str] = ("job_id", "hume_conn_id")
    ui_color = "#f0e4ff"
    operator_extra_links = (HumeJobLink(),)

    def __init__(
        self,
        *,
        job_id: str,
        hume_conn_id: str = HumeHook.default_conn_name,
        deferrable: bool = conf.getboolean("operators", "default_deferrable", fallback=False),
        poke_interval: float = 10.0,
        max_consecutive_poll_errors: int | None = None,
        on_source_error: OnSourceError = "warn",
        **kwargs: Any,
    ) -> None:
        super().__init__(poke_interval=check_poll_interval(poke_interval, "poke_interval"), **kwargs)
        self.on_source_error = check_on_source_error(on_source_error)
        self.max_consecutive_poll_errors = check_error_budget(max_consecutive_poll_errors, self.poke_interval)
        self.job_id = job_id
        self.hume_conn_id = hume_conn_id
        self.deferrable = deferrable
        self._job_wait: JobWait | None = None

    @cached_property
    def hook(self) -> HumeHook:
        """The hook the sensor's client comes from."""
        return HumeHook(self.hume_conn_id)

    def poke(self, context: Context) -> PokeReturnValue:
        """One poll of the job, judged by the shared waiting policy.

        In ``poke`` mode the sensor's ``timeout`` counts from the first poke, so a timeout names the last
        status and error; in ``reschedule`` mode Airflow's own timeout applies, and the count of failed polls
        in a row is carried from poke to poke in the task state store (Airflow >= 3.3).
        """
        store = context.get("task_state_store") if self.reschedule else None
        if self._job_wait is None:
            timeout = None if self.reschedule else float(self.timeout)
            self._job_wait = JobWait(
                self.job_id,
                poll_interval=float(self.poke_interval),
                max_consecutive_poll_errors=self.max_consecutive_poll_errors,
                timeout=timeout,
            )
            if store is not None:
                carried = store.get(POLL_ERRORS_STATE_KEY)
                self._job_wait.errors_in_a_row = carried if isinstance(carried, int) else 0
        with self.hook.get_client() as client:
            step = client.check_job(self._job_wait)
        if store is not None:
            store.set(POLL_ERRORS_STATE_KEY, self._job_wait.errors_in_a_row)
        log_step(step, self.log)
        if not step.is_final:
            return PokeReturnValue(is_done=False)
        return PokeReturnValue(is_done=True, xcom_value=self.execute_complete(context, event_from_step(step)))

    def execute(self, context: Context) -> Any:
        HumeJobLink.persist(context, self, self.hook.get_settings(), self.job_id)
        if not self.deferrable:
            return super().execute(context)
        if self.poke(context).is_done:
            return self.job_id
        # Imported here: the trigger brings Airflow's trigger base, which parsing a DAG need not load.
        from airflow_provider_hume.triggers.job import HumeJobTrigger

        self.log.info("Deferring to HumeJobTrigger: the triggerer now waits for Hume job %s", self.job_id)
        self.defer(
            trigger=HumeJobTrigger(
                job_id=self.job_id,
                hume_conn_id=self.hume_conn_id,
                end_time=time.time() + float(self.timeout),
                poll_interval=float(self.poke_interval),
                max_consecutive_poll_errors=self.max_consecutive_poll_errors,
            ),
            method_name="execute_complete",
        )

    def execute_complete(self, context: Context, event: dict[str, Any] | None = None) -> str:
        """End of every wait (poke, reschedule, deferred): return the job id or raise for any other outcome.

        A completed job's failed sources are logged; they fail the task with ``on_source_error="fail"``.
        """
        try:
            job_id = job_id_from_event(event)
        except HumeJobTimeoutError as err:
            raise AirflowSensorTimeout(str(err)) from err
        self.log.info("Hume job %s completed", job_id)
        if event is not None:
            check_source_errors(event, self.hook, self.on_source_error, self.log)
        return job_id
