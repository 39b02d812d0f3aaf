"""``HumeJobSensor``: waits for a Hume batch job to finish."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from airflow.sdk import BaseSensorOperator, Context, conf
from airflow.sdk.bases.sensor import PokeReturnValue
from airflow.sdk.exceptions import AirflowSensorTimeout

from airflow_provider_hume.client import (
    HumeConnectionError,
    HumeJobFailedError,
    HumeRateLimitError,
    HumeServerError,
    JobStatus,
)
from airflow_provider_hume.hooks.hume import HumeHook
from airflow_provider_hume.links.job import HumeJobLink, persist_job_link
from airflow_provider_hume.triggers.events import HumeJobTimeoutError, job_id_from_event
from airflow_provider_hume.triggers.job import HumeJobTrigger

#: Errors after which the next poke may well succeed.
TRANSIENT_ERRORS = (HumeConnectionError, HumeRateLimitError, HumeServerError)


class HumeJobSensor(BaseSensorOperator):
    """
    Wait until a Hume batch job is COMPLETED; fail with Hume's message if it FAILED.

    Works in ``poke`` and ``reschedule`` modes, or deferrable: the triggerer then polls the job without
    holding a worker slot. Returns (and pushes to XCom) the job id. The task gets a "Hume Job" link (see
    :mod:`airflow_provider_hume.links.job`), stored as soon as the sensor starts.

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

    def poke(self, context: Context) -> PokeReturnValue:
        with HumeHook(self.hume_conn_id).get_client() as client:
            try:
                details = client.get_job_details(self.job_id)
            except TRANSIENT_ERRORS as err:
                self.log.warning("Could not read Hume job %s, will try again: %s", self.job_id, err)
                return PokeReturnValue(is_done=False)
        state = details.state
        self.log.info("Hume job %s is %s", self.job_id, state.status.value)
        if state.status is JobStatus.FAILED:
            raise HumeJobFailedError(self.job_id, state.message or "no message from Hume")
        return PokeReturnValue(is_done=state.status is JobStatus.COMPLETED, xcom_value=self.job_id)

    def execute(self, context: Context) -> Any:
        persist_job_link(context, self.hume_conn_id, self.job_id)
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
