"""
Runs when ``hume_batch_to_s3`` has landed a job's predictions in S3: scheduled on the Asset its transfer
writes.

``HumePredictionsToS3Operator`` declares where it writes as an Airflow Asset. Its key there holds the job id,
a template, so the Asset is declared through an alias named after the DAG and the task
(``airflow_provider_hume.assets.output_alias``); each run of the transfer adds the object it wrote to that
alias, with the Hume job id and every object written in the event's ``extra``. This DAG reads those events and
reports what landed, as a loader into a warehouse would start.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.sdk import DAG, task

from airflow_provider_hume.assets import output_alias

PREDICTIONS_LANDED = output_alias("hume_batch_to_s3", "predictions_to_s3")

with DAG(
    dag_id="hume_predictions_landed",
    schedule=[PREDICTIONS_LANDED],
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["hume", "example"],
    doc_md=__doc__,
):

    @task
    def report_landed(*, triggering_asset_events: Any = None) -> list[dict[str, Any]]:
        """One entry per landed object: its URI, the Hume job and the run that wrote it."""
        landed = [
            {
                "uri": event.asset.uri,
                "hume_job_id": event.extra.get("hume_job_id"),
                "objects": event.extra.get("uris", []),
                "written_by": f"{event.source_dag_id}/{event.source_run_id}",
            }
            for event in triggering_asset_events[PREDICTIONS_LANDED]
        ]
        for entry in landed:
            print(f"Hume job {entry['hume_job_id']} landed {entry['uri']} ({entry['written_by']})")
        return landed

    report_landed()
