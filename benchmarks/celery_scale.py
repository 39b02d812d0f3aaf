"""
Scale-out on the CeleryExecutor: N chains whose sensor defers, against the same chains poking.

The sensor defers to the triggerer, or with ``deferrable=False`` pokes from the worker slot it holds. Both
DAGs of ``scripts/scale_dag.py`` (submit -> ``HumeJobSensor`` -> predictions to S3, mapped N times) run one
after the other on one stack, the scale-out lane's (``scripts/celery_stack.py``: CeleryExecutor, Redis,
PostgreSQL, two Celery workers, two triggerers; emulator jobs queued 5 s and running 40 s). For each run:

* wall time: the first submit's start to the last transfer's end (task instances' dates, REST API);
* worker-slot-seconds: the time task instances held a worker slot, summed over each stretch from a
  ``running`` event of the audit log to the next state event (``deferred``, ``success``, ``failed``, ...).
  Airflow keeps a deferred task's ``start_date`` when it resumes, so ``end_date - start_date`` (and
  ``duration``) would count the time deferred too: that sum is printed alongside, for reference.

Run: ``.venv/bin/python benchmarks/celery_scale.py [--chains 200] [--worker-concurrency 8]``
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(Path(__file__).parent), str(REPO / "scripts")]

from _figures import figure  # noqa: E402
from celery_stack import CeleryAirflow, celery_airflow, missing_packages, wait_for  # noqa: E402
from scale_dag import EMULATOR_FLAGS, write_scale_dag  # noqa: E402

#: Audit-log events that end a stretch of running on a worker.
STATE_EVENTS = {"deferred", "success", "failed", "up_for_retry", "up_for_reschedule", "skipped"}


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def slot_seconds(events: list[dict[str, Any]]) -> float:
    """Seconds spent running, summed over every ``running`` event and the state event that follows it."""
    started: dict[tuple[str, int], datetime] = {}
    total = 0.0
    for event in sorted(events, key=lambda e: (_when(e["when"]), e["event_log_id"])):
        ti = (event["task_id"], event["map_index"])
        if event["event"] == "running":
            started[ti] = _when(event["when"])
        elif event["event"] in STATE_EVENTS and ti in started:
            total += (_when(event["when"]) - started.pop(ti)).total_seconds()
    return total


def measure(airflow: CeleryAirflow, dag_id: str, chains: int) -> dict[str, float]:
    """Run ``dag_id`` to the end and return its figures."""
    run_id = airflow.trigger_dag(dag_id)
    final = wait_for(f"{dag_id} to end", lambda: airflow.run_state(dag_id, run_id), timeout=7200, every=5)
    if final != "success":
        raise SystemExit(f"{dag_id} run {run_id} ended {final}")
    tis = airflow.task_instances(dag_id, run_id)
    starts = [_when(ti["start_date"]) for ti in tis if ti["task_id"] == "chain.submit"]
    ends = [_when(ti["end_date"]) for ti in tis if ti["task_id"] == "chain.transfer"]
    events = airflow.listing("/eventLogs", "event_logs", dag_id=dag_id, run_id=run_id)
    return {
        "wall": (max(ends) - min(starts)).total_seconds(),
        "slots": slot_seconds(events),
        "dates": sum((_when(ti["end_date"]) - _when(ti["start_date"])).total_seconds() for ti in tis),
        "tasks": len(tis) / chains,
        "deferred": len({event["map_index"] for event in events if event["event"] == "deferred"}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--chains", type=int, default=200)
    parser.add_argument("--worker-concurrency", type=int, default=8, help="slots per Celery worker")
    args = parser.parse_args()
    missing = missing_packages()
    if missing:
        raise SystemExit(f"Debian packages not installed: {', '.join(missing)}")
    runs: dict[bool, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="hume-bench-celery-") as tmp:
        dags = Path(tmp) / "dags"
        dags.mkdir()
        dag_ids = {
            deferrable: write_scale_dag(dags, args.chains, deferrable=deferrable)
            for deferrable in (True, False)
        }
        with celery_airflow(
            Path(tmp), dags, worker_concurrency=args.worker_concurrency, emulator_flags=EMULATOR_FLAGS
        ) as airflow:
            for deferrable, dag_id in dag_ids.items():
                began = time.monotonic()
                runs[deferrable] = measure(airflow, dag_id, args.chains)
                print(
                    f"{dag_id}: {args.chains} chains, run ended after {time.monotonic() - began:.0f} s",
                    flush=True,
                )
    for deferrable, run in runs.items():
        print(
            f"deferrable={deferrable}: wall {run['wall']:.0f} s, worker-slot-seconds {run['slots']:.0f} s"
            f" (end - start summed: {run['dates']:.0f} s), {run['tasks']:.0f} task instances per chain,"
            f" {run['deferred']:.0f} sensors deferred"
        )
    for name, key in (("wall time", "wall"), ("worker-slot-seconds", "slots")):
        value, baseline = runs[True][key], runs[False][key]
        figure(f"{name}, deferrable", value, "s", baseline=baseline, baseline_name="deferrable=False")


if __name__ == "__main__":
    main()
