"""``HumeRunsToS3Operator``: the runs (billing and audit records) of a data interval, exported to S3."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from airflow.sdk import BaseOperator, Context

from airflow_provider_hume._compat import AirflowFailException
from airflow_provider_hume._extras import require_parquet
from airflow_provider_hume._s3 import S3Uri, require_amazon_provider, s3_hook
from airflow_provider_hume.assets import OutputAssets
from airflow_provider_hume.client import HumeAuthError, HumeValidationError
from airflow_provider_hume.client.v1 import ENDPOINTS, MODES, STATUSES, HumeNotServingV1Error
from airflow_provider_hume.client.v1 import rows as v1_rows
from airflow_provider_hume.hooks.hume import HumeHook

if TYPE_CHECKING:
    from airflow_provider_hume.lineage import HumeLineage

RUN_FORMATS = ("jsonl", "parquet")
RUN_COLUMNS: tuple[v1_rows.Column, ...] = (
    v1_rows.Column("run_id", "string"),
    v1_rows.Column("user_id", "string"),
    v1_rows.Column("status", "string"),
    v1_rows.Column("endpoint", "string"),
    v1_rows.Column("mode", "string"),
    v1_rows.Column("started_at", "string"),
    v1_rows.Column("ended_at", "string"),
    v1_rows.Column("bytes_received", "int"),
    v1_rows.Column("bytes_recorded", "int"),
    v1_rows.Column("metered_seconds", "float"),
)
"""One row per run: the ``RunSummary`` fields of hume-api-v1.md §8 (times as RFC 3339 UTC strings)."""


class HumeRunsToS3Operator(OutputAssets, BaseOperator):
    """
    Export the runs started in the task's data interval to one S3 object: the daily usage and billing export.

    Runs are Hume's records of each upload and realtime session (hume-api-v1.md §8): status, endpoint,
    mode, bytes and ``metered_seconds`` (billable seconds), not results. The runs started in
    ``[data_interval_start, data_interval_end)`` are read newest first through the list's cursor
    (``started_after`` inclusive, ``started_before`` exclusive, so adjacent intervals neither skip nor
    repeat a run), written to a local file row by row, and uploaded whole: rerunning an interval overwrites
    its object in one step, and a failed run leaves the previous object untouched. A run "can take a moment
    to appear" and a live run's figures still change, so export an interval a little after it ends.

    Returns (and pushes to XCom) ``{"uri", "count", "metered_seconds", "started_after", "started_before"}``.

    :param output_uri: ``s3://bucket/key`` of the export (templated), e.g.
        ``s3://bucket/hume/runs/{{ ds }}.parquet``.
    :param output_format: ``jsonl`` (one run per line, every field Hume sent) or ``parquet`` (the
        ``RunSummary`` columns; needs the ``parquet`` extra, checked when the operator is built).
    :param started_after: Interval start (templated; default the data interval's start).
    :param started_before: Interval end, exclusive (templated; default the data interval's end).
    :param status: Only runs in this status (``live``, ``ended``, ``errored``).
    :param mode: Only ``file`` or ``realtime`` runs.
    :param endpoint: Only ``audio`` or ``video`` runs.
    :param user_id: Only the runs of this user.
    :param page_size: Runs per page request.
    :param hume_conn_id: The ``hume`` connection (templated).
    :param aws_conn_id: The AWS connection for the output (templated; the ``amazon`` extra, checked when the
        operator is built).
    """

    template_fields: Sequence[str] = (
        "output_uri",
        "started_after",
        "started_before",
        "user_id",
        "hume_conn_id",
        "aws_conn_id",
    )
    ui_color = "#d7f0ff"
    _FILTERS: ClassVar[dict[str, tuple[str, ...]]] = {
        "status": STATUSES,
        "mode": MODES,
        "endpoint": ENDPOINTS,
    }

    def __init__(
        self,
        *,
        output_uri: str,
        output_format: str = "jsonl",
        started_after: str | datetime | None = None,
        started_before: str | datetime | None = None,
        status: str | None = None,
        mode: str | None = None,
        endpoint: str | None = None,
        user_id: str | None = None,
        page_size: int = 100,
        hume_conn_id: str = HumeHook.default_conn_name,
        aws_conn_id: str | None = "aws_default",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if output_format not in RUN_FORMATS:
            raise ValueError(f"output_format must be one of {', '.join(RUN_FORMATS)} (got {output_format!r})")
        for name, value in (("status", status), ("mode", mode), ("endpoint", endpoint)):
            if value is not None and value not in self._FILTERS[name]:
                raise ValueError(f"{name} must be one of {', '.join(self._FILTERS[name])} (got {value!r})")
        require_amazon_provider()
        require_parquet(output_format)
        self.output_uri = output_uri
        self.output_format = output_format
        self.started_after = started_after
        self.started_before = started_before
        self.status = status
        self.mode = mode
        self.endpoint = endpoint
        self.user_id = user_id
        self.page_size = page_size
        self.hume_conn_id = hume_conn_id
        self.aws_conn_id = aws_conn_id
        #: The object ``execute`` wrote, for the outlets' events.
        self.output_uris: list[str] = []
        self.declare_output_assets(kwargs)

    def destination_uris(self) -> list[str]:
        return [self.output_uri]

    def output_extra(self) -> dict[str, Any]:
        return {"format": self.output_format}

    @cached_property
    def hook(self) -> HumeHook:
        """The hook the operator's ``v1`` client comes from."""
        return HumeHook(self.hume_conn_id)

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> HumeLineage:
        """Outputs: the export object."""
        from airflow_provider_hume.lineage import s3_outputs_lineage

        return s3_outputs_lineage([self.output_uri])

    def _interval(self, context: Context) -> tuple[datetime, datetime]:
        start = _moment(self.started_after, "started_after") or context.get("data_interval_start")
        end = _moment(self.started_before, "started_before") or context.get("data_interval_end")
        if not isinstance(start, datetime) or not isinstance(end, datetime):
            raise AirflowFailException(
                "The task has no data interval (a manual run of an unscheduled DAG?): "
                "pass started_after and started_before."
            )
        if start.tzinfo is None or end.tzinfo is None:
            raise AirflowFailException("started_after and started_before must carry a time zone (UTC).")
        if end <= start:
            raise AirflowFailException(
                f"The interval is empty: [{start.isoformat()}, {end.isoformat()}). A DAG whose runs have no "
                "data interval (Airflow 3's default timetable for schedule='@daily' and the like) gives an "
                "empty one: pass started_after and started_before, or schedule with a "
                "CronDataIntervalTimetable."
            )
        return start, end

    def execute(self, context: Context) -> dict[str, Any]:
        try:
            target = S3Uri.parse(self.output_uri, "output_uri")
            if target.is_prefix:
                raise HumeValidationError(f"output_uri must name one object (got {self.output_uri!r})")
        except HumeValidationError as err:
            raise AirflowFailException(f"Invalid HumeRunsToS3Operator arguments: {err}") from err
        start, end = self._interval(context)
        filters = {
            "status": self.status,
            "mode": self.mode,
            "endpoint": self.endpoint,
            "user_id": self.user_id,
        }
        chosen = ", ".join(f"{key}={value}" for key, value in filters.items() if value) or "no filters"
        self.log.info(
            "Exporting the Hume runs started in [%s, %s) (%s)", start.isoformat(), end.isoformat(), chosen
        )
        count, metered = 0, 0.0
        with tempfile.TemporaryDirectory(prefix="hume-runs-") as folder:
            path = Path(folder) / f"runs.{self.output_format}"
            writer = _writer(path, self.output_format)
            try:
                with self.hook.get_v1_client() as client:
                    runs = client.iter_runs(
                        started_after=start,
                        started_before=end,
                        page_size=self.page_size,
                        **{key: value for key, value in filters.items() if value},
                    )
                    for run in runs:
                        writer.write(run.to_api())
                        count += 1
                        metered += run.metered_seconds
            except (HumeAuthError, HumeNotServingV1Error, HumeValidationError) as err:
                raise AirflowFailException(str(err)) from err
            finally:
                writer.close()
            s3_hook(self.aws_conn_id, caller=type(self).__name__).load_file(
                str(path), key=target.key, bucket_name=target.bucket, replace=True
            )
        self.log.info("Wrote %d run(s), %.1f metered seconds, to %s", count, metered, target.uri)
        self.output_uris = [target.uri]
        return {
            "uri": target.uri,
            "count": count,
            "metered_seconds": round(metered, 3),
            "started_after": start.isoformat(),
            "started_before": end.isoformat(),
        }


class _RunsJsonLines:
    """Every field of each run, as Hume sent it (unknown fields included)."""

    def __init__(self, path: Path) -> None:
        self._file = path.open("w", encoding="utf-8", newline="\n")
        self.rows = 0

    def write(self, row: Mapping[str, Any]) -> None:
        self._file.write(json.dumps(row, ensure_ascii=False) + "\n")
        self.rows += 1

    def close(self) -> None:
        self._file.close()


def _writer(path: Path, output_format: str) -> v1_rows.RowsWriter:
    if output_format == "jsonl":
        return _RunsJsonLines(path)
    return v1_rows.open_rows_writer(path, output_format, RUN_COLUMNS)


def _moment(value: str | datetime | None, field: str) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as err:
        raise AirflowFailException(f"{field} must be an ISO 8601 time with a zone (got {value!r})") from err
