"""The XCom summary of a ``v1`` measuring task: what the outputs hold and what it was billed.

Only small totals go to XCom (hume-api-v1.md §12.1): counts, run ids (the first :data:`MAX_RUN_IDS`), failures
(the first :data:`MAX_LISTED`), and ``metered_seconds`` read from the runs' records, or estimated from the
media (10 s at least per request, hume-api-v1.md §8) for runs that could not be read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from airflow_provider_hume.client import HumeError
from airflow_provider_hume.operators._v1_staging import Outputs
from airflow_provider_hume.operators._v1_uploads import CLOCK_SKEW, LostRuns

if TYPE_CHECKING:
    from airflow_provider_hume.client.v1 import HumeV1Client

#: Failures listed in the XCom summary (the count is always exact).
MAX_LISTED = 20
#: Run ids listed in the XCom summary.
MAX_RUN_IDS = 200
#: Hume bills at least this many seconds per run that took in media (hume-api-v1.md §8).
MIN_BILLED_SECONDS = 10.0


@dataclass
class FileFailure:
    source: str
    error: str
    transient: bool


@dataclass
class Tally:
    """What the outputs hold, gathered while they are written."""

    files: int = 0
    measured: int = 0
    failed: list[FileFailure] = field(default_factory=list)
    run_ids: list[str] = field(default_factory=list)
    estimates: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    first_started: datetime | None = None

    def add(
        self, line: Mapping[str, Any], requests_key: str, estimate: Callable[[Mapping[str, Any]], float]
    ) -> None:
        self.files += 1
        if line.get("status") != "measured":
            self.failed.append(FileFailure(str(line.get("source")), str(line.get("error")), transient=False))
            return
        self.measured += 1
        for request in line.get(requests_key) or []:
            run_id = request.get("run_id")
            if run_id and run_id not in self.estimates:  # still images share their request's run
                self.run_ids.append(run_id)
                self.estimates[run_id] = estimate(request)
            started = request.get("started_at")
            if started:
                moment = datetime.fromisoformat(started)
                self.first_started = min(self.first_started or moment, moment)
        for name, value in (line.get("counts") or {}).items():
            self.counts[name] = self.counts.get(name, 0) + int(value)


def metered_seconds(client: HumeV1Client, endpoint: str, tally: Tally, log: Any) -> tuple[float, str]:
    """Billed seconds of the runs behind the outputs, and where they come from: ``runs`` (their records),
    ``estimate``, or ``runs+estimate``."""
    wanted = dict(tally.estimates)
    found: dict[str, float] = {}
    if wanted and tally.first_started is not None:
        try:
            for run in client.iter_runs(
                started_after=tally.first_started - CLOCK_SKEW, mode="file", endpoint=endpoint
            ):
                if run.run_id in wanted:
                    found[run.run_id] = run.metered_seconds
                    if len(found) == len(wanted):
                        break
        except HumeError as err:
            log.warning("Could not read the runs' metered seconds (%s); estimating them.", err)
    total = sum(found.values()) + sum(seconds for run, seconds in wanted.items() if run not in found)
    if not wanted or len(found) == len(wanted):
        return total, "runs"
    return total, "estimate" if not found else "runs+estimate"


def summarise(
    tally: Tally, outputs: Outputs, rows: int, sent: int, lost: LostRuns, metered: tuple[float, str]
) -> dict[str, Any]:
    """The task's return value; ``metered_seconds`` includes the runs billed for answers that were lost."""
    lost_seconds = sum(item.run.metered_seconds for item in lost.found if item.run is not None)
    return {
        "output_uri": outputs.lines.uri,
        "table_uri": outputs.table.uri if outputs.table else None,
        "files": tally.files,
        "measured": tally.measured,
        "failed": len(tally.failed),
        "failures": [{"source": f.source, "error": f.error[:300]} for f in tally.failed[:MAX_LISTED]],
        "requests_sent": sent,
        "rows": rows,
        **tally.counts,
        "run_ids": tally.run_ids[:MAX_RUN_IDS],
        "run_count": len(tally.run_ids),
        "metered_seconds": round(metered[0] + lost_seconds, 3),
        "metered_seconds_source": metered[1],
        "lost_runs": [item.to_json() for item in lost.found][:MAX_LISTED],
    }
