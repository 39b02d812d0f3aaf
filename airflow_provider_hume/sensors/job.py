"""``HumeJobSensor``: waits for a Hume batch job to finish."""

from __future__ import annotations

import time
from collections.abc import Sequence
from functools import cached_property
from typing import Any

from airflow.sdk import BaseSensorOperator, Context, PokeReturnValue, conf
from airflow.sdk.exceptions import AirflowSensorTimeout

from airflow_provider_hume.client import JobWait, log_step
from airflow_provider_hume.hooks.hume import HumeHook
from airflow_provider_hume.links.job import HumeJobLink
from airflow_provider_hume.triggers.events import HumeJobTimeoutError, event_from_step, job_id_from_event
from airflow_provider_hume.triggers.job import HumeJobTrigger


class HumeJobSensor(BaseSensorOperator):
    """
    Wait until a Hume batch job is COMPLETED; fail with Hume's message if it FAILED.

    Works in ``poke`` and ``reschedule`` modes, or deferrable: the triggerer then polls the job without
    holding a worker slot. Every mode judges each poll by the one waiting policy of
    :mod:`airflow_provider_hume.client.waiting` (a rejected key or an unknown job fails at once; errors that
    may pass are polled through; unreadable answers fail after a few in a row). Returns (and pushes to XCom)
    the job id. The task gets a "Hume Job" link (see :mod:`airflow_provider_hume.links.job`), stored as soon
    as the sensor starts.

    :param job_id: The Hume job id (templated), e.g. ``"{{ ti.xcom_pull('submit') }}"``.
    :param hume_conn_id: The ``hume`` connection.
    :param deferrable: Wait in the triggerer (default: ``[operators] default_deferrable``).
    """

    template_fields: Sequence[str] = ("job_id",)
    ui_color = "#f0e4ff"
    operator_extra_links = (HumeJobLink(),)

    def __init__(
        self,
        *,
        job_id: str,
        hume_conn_id: str = HumeHook.default_conn_name,
        deferrable: bool = conf.getboolean("operators", "default_deferrable", fallback=False),
        poke_interval: float = 10.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(poke_interval=poke_interval, **kwargs)
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
        status and error; in ``reschedule`` mode Airflow's own timeout applies.
        """
        if self._job_wait is None:
            timeout = None if self.reschedule else float(self.timeout)
            self._job_wait = JobWait(self.job_id, poll_interval=float(self.poke_interval), timeout=timeout)
        with self.hook.get_client() as client:
            step = client.check_job(self._job_wait)
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
        self.log.info("Deferring to HumeJobTrigger: the triggerer now waits for Hume job %s", self.job_id)
        self.defer(
            trigger=HumeJobTrigger(
                job_id=self.job_id,
                hume_conn_id=self.hume_conn_id,
                end_time=time.time() + float(self.timeout),
                poll_interval=float(self.poke_interval),
            ),
            method_name="execute_complete",
        )

    def execute_complete(self, context: Context, event: dict[str, Any] | None = None) -> str:
        """Resume after the trigger fired: return the job id or raise for any other outcome."""
        try:
            job_id = job_id_from_event(event)
        except HumeJobTimeoutError as err:
            raise AirflowSensorTimeout(str(err)) from err
        self.log.info("Hume job %s completed", job_id)
        return job_id
