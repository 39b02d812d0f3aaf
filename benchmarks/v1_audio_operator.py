"""
``HumeMeasureAudioOperator`` run for real through ``dag.test()``: its peak memory on 1 minute against 2 hours
of audio, and its wall time with ``max_concurrency=1`` against ``max_concurrency=4``.

Every measurement is a fresh child process that builds a one-task DAG, serializes it to a throwaway SQLite
metadata database (one ``AIRFLOW_HOME`` per run, reset once) and runs it with ``dag.test()``, which runs the
task in that same process. ``hume_default`` points at the emulator, started in a process of its own, and
``aws_default`` at moto's S3 server in a thread of this (unmeasured) parent; the results land in S3.

1. Memory: peak RSS (``resource.getrusage`` in the child, so Airflow, the interpreter and FFmpeg's libraries
   are in it) measuring a 1-minute against a 2-hour recording, as a 32 kbit/s mono MP3 (decoded to a
   temporary 16 kHz PCM file) and as a 16 kHz mono s16 WAV (sent as it is), ``max_concurrency=4`` and the
   default ``max_request_bytes`` (25 MB, about 13 minutes a request: 2 hours is 10 requests). No latency
   is added in the emulator. Target: 2 hours within 64 MiB of 1 minute.
2. Speed: the same requests (``--recordings`` 16 kHz mono WAVs of ``--recording-seconds`` each, one request
   apiece) with ``max_concurrency=1`` and then 4, the emulator started with ``--v1-upload-latency-ms``
   (default 3000: a guess, Hume publishes no processing time). The figure is the wall time of the
   operator's ``execute()`` (timed by a subclass); the task instance's duration from the metadata database is
   printed beside it, and includes Airflow's task start-up under ``dag.test()`` (about 6 s here: imports and
   the in-process execution API), which no concurrency hides. Target: ``execute()`` 3x faster at least. The
   same runs against the emulator without added latency are the reference: what the task costs besides
   Hume's processing time.

Inputs are generated in a temporary folder with ``v1_long_audio``'s generators (speech-like tone bursts).
Run: ``.venv/bin/python benchmarks/v1_audio_operator.py`` (about four minutes; ``--long-seconds 900
--recordings 4 --recording-seconds 24`` for a quick run; lengths in whole 6 s).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _figures import at_least, figure
from _report import print_growth
from v1_long_audio import _write_mp3, _write_wav

from airflow_provider_hume.emulator.process import emulator_process

BUCKET = "hume-bench-bucket"
MEMORY_TARGET_MIB = 64
SPEED_TARGET = 3.0


# ---- child -------------------------------------------------------------------------------------------------


def _serialize(dag: Any) -> None:
    """Write the DAG to the metadata DB, as the DAG processor does for the files it parses."""
    from airflow.dag_processing.bundles.manager import DagBundlesManager
    from airflow.dag_processing.dagbag import DagBag, sync_bag_to_db

    DagBundlesManager().sync_bundles_to_db()
    bag = DagBag(dag_folder=None, collect_dags=False)
    bag.bag_dag(dag)
    sync_bag_to_db(bag, "dags-folder", None)


def _child_initdb() -> None:
    from airflow.utils import db

    db.resetdb()
    print(json.dumps({}))


def _child_run(concurrency: int, paths: list[str]) -> None:
    """Measure ``paths`` with the operator through ``dag.test()``; print its figures as JSON."""
    started = time.monotonic()
    from datetime import datetime, timezone

    from airflow.models import TaskInstance
    from airflow.models.xcom import XComModel
    from airflow.sdk import DAG
    from airflow.utils.session import create_session

    from airflow_provider_hume.operators.measure_audio import HumeMeasureAudioOperator

    class TimedMeasureAudioOperator(HumeMeasureAudioOperator):
        """The operator, its ``execute()`` timed: the task's own work, without Airflow's task start-up."""

        def execute(self, context: Any) -> Any:
            began = time.monotonic()
            try:
                return super().execute(context)
            finally:
                context["ti"].xcom_push(key="execute_seconds", value=time.monotonic() - began)

    dag_id = f"bench_v1_audio_{uuid.uuid4().hex[:8]}"
    with DAG(dag_id, schedule=None, start_date=datetime(2026, 1, 1, tzinfo=timezone.utc)) as dag:
        TimedMeasureAudioOperator(
            task_id="measure",
            sources=paths,
            output_uri=f"s3://{BUCKET}/{dag_id}/calls.jsonl",
            max_concurrency=concurrency,
        )
    _serialize(dag)
    test_started = time.monotonic()
    dag_run = dag.test()
    test_seconds = time.monotonic() - test_started
    with create_session() as session:
        ti = session.query(TaskInstance).filter_by(dag_id=dag_id, run_id=dag_run.run_id).one()
        xcoms = {
            row.key: row.value
            for row in session.query(XComModel).filter_by(
                dag_id=dag_id, run_id=dag_run.run_id, task_id="measure"
            )
        }
        state, duration = str(ti.state), ti.duration
        summary = xcoms.get("return_value")
        execute_seconds = float(
            json.loads(xcoms["execute_seconds"])
            if isinstance(xcoms.get("execute_seconds"), str)
            else xcoms.get("execute_seconds") or 0.0
        )
    if state != "success" or summary is None:
        raise SystemExit(f"task ended {state}")
    if isinstance(summary, str):
        summary = json.loads(summary)
    self_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    figures = {
        "peak_rss_mib": max(self_kib, children_kib) / 1024,
        "requests": len(summary.get("run_ids") or []),
        "execute_s": execute_seconds,
        "task_s": float(duration or 0.0),
        "dag_test_s": test_seconds,
        "process_s": time.monotonic() - started,
    }
    print(json.dumps(figures))


# ---- parent ------------------------------------------------------------------------------------------------


def _run_child(*args: str) -> dict[str, float]:
    """Run ``--child ARGS`` in a fresh interpreter; its JSON figures (its stderr shown if it fails)."""
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-8000:])
        raise SystemExit(f"child {args[:2]} exited with {done.returncode}")
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def _point_at(emulator: Any) -> None:
    os.environ["AIRFLOW_CONN_HUME_DEFAULT"] = json.dumps(
        {"conn_type": "hume", "host": emulator.url, "password": emulator.api_key}
    )


def _memory(folder: Path, long_seconds: int) -> None:
    minutes = long_seconds / 60
    with emulator_process() as emulator:
        _point_at(emulator)
        for kind, write in (("mp3", _write_mp3), ("wav", _write_wav)):
            made = time.monotonic()
            short = write(folder / f"one-minute.{kind}", 60)
            long = write(folder / f"long.{kind}", long_seconds)
            print(f"(generated the {kind} inputs in {time.monotonic() - made:.0f} s)", flush=True)
            runs = {
                "1 min": _run_child("run", "4", str(short)),
                f"{minutes:g} min": _run_child("run", "4", str(long)),
            }
            print_growth(
                f"operator {kind}", runs, kind, f"{long_seconds / 60:g}x the audio", MEMORY_TARGET_MIB
            )
            long.unlink()


def _speed_runs(paths: list[str], *flags: str) -> dict[int, dict[str, float]]:
    with emulator_process(*flags) as emulator:
        _point_at(emulator)
        return {concurrency: _run_child("run", str(concurrency), *paths) for concurrency in (1, 4)}


def _speed(folder: Path, latency_ms: int, recordings: int, seconds: int) -> None:
    paths = [str(_write_wav(folder / f"call-{index:02d}.wav", seconds)) for index in range(recordings)]
    slow = _speed_runs(paths, "--v1-upload-latency-ms", str(latency_ms))
    bare = _speed_runs(paths)  # the reference: what the task costs besides Hume's processing time
    label = f"{recordings} x {seconds} s WAV"
    for name, runs in ((f"{latency_ms} ms per upload (a guess)", slow), ("no added latency", bare)):
        for concurrency, figures in runs.items():
            print(
                f"speed: {label}, {name}: max_concurrency={concurrency}: "
                f"execute() {figures['execute_s']:.1f} s, "
                f"task instance {figures['task_s']:.1f} s ({figures['requests']:.0f} requests), "
                f"dag.test() {figures['dag_test_s']:.1f} s"
            )
        print(
            f"speed: {name}: speed-up of execute() {runs[1]['execute_s'] / runs[4]['execute_s']:.2f}x, "
            f"of the task instance {runs[1]['task_s'] / runs[4]['task_s']:.2f}x"
        )
    figure(
        f"speed-up of execute(), max_concurrency=4, {latency_ms} ms per upload",
        slow[1]["execute_s"] / slow[4]["execute_s"],
        "x",
        target=at_least(SPEED_TARGET),
    )
    figure(
        f"speed-up of the task instance, max_concurrency=4, {latency_ms} ms per upload",
        slow[1]["task_s"] / slow[4]["task_s"],
        "x",
    )


def main(args: argparse.Namespace) -> None:
    import boto3
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's server logs every request
    started = time.monotonic()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        with tempfile.TemporaryDirectory(prefix="hume-v1-operator-bench-") as tmp:
            folder = Path(tmp)
            (folder / "dags").mkdir()
            os.environ.update(
                {
                    "AIRFLOW_HOME": str(folder / "airflow"),
                    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                    "AIRFLOW__CORE__DAGS_FOLDER": str(folder / "dags"),
                    "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
                    "AIRFLOW_CONN_AWS_DEFAULT": json.dumps(
                        {
                            "conn_type": "aws",
                            "login": "testing",
                            "password": "testing",
                            "extra": {"endpoint_url": endpoint, "region_name": "us-east-1"},
                        }
                    ),
                }
            )
            boto3.client(
                "s3",
                endpoint_url=endpoint,
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
                region_name="us-east-1",
            ).create_bucket(Bucket=BUCKET)
            _run_child("initdb")
            if not args.skip_memory:
                _memory(folder, args.long_seconds)
            if not args.skip_speed:
                _speed(folder, args.latency_ms, args.recordings, args.recording_seconds)
    finally:
        server.stop()
    print(f"(whole run {time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--long-seconds", type=int, default=2 * 3600, help="the long recording (default 2 h)")
    parser.add_argument("--latency-ms", type=int, default=3000, help="emulator's added time per upload")
    parser.add_argument("--recordings", type=int, default=12, help="recordings in the speed run")
    parser.add_argument("--recording-seconds", type=int, default=120, help="length of each of them")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    args = parser.parse_args()
    if args.long_seconds % 6 or args.recording_seconds % 6:
        parser.error("the generator writes whole 6 s blocks: give lengths in multiples of 6 s")
    if args.child:
        if args.child[0] == "initdb":
            _child_initdb()
        else:
            _child_run(int(args.child[1]), args.child[2:])
    else:
        main(args)
