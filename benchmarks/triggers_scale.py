"""
Triggers at scale: N ``HumeJobTrigger.run()`` coroutines in one event loop, as a triggerer runs them, polling
every few seconds against the emulator in a process of its own; the naive thread-per-poll baseline in the same
run.

Each mode runs in a fresh child process (so CPU and memory are its own), one after the other against one
emulator whose jobs stay IN_PROGRESS through the measuring window and complete right after it:

* ``shared`` - the provider's ``HumeJobTrigger`` (the loop's shared connection pool);
* ``naive`` - the baseline: ``await asyncio.to_thread(requests.get, ...)`` per poll, a new session (and
  connection) per poll, ``requests``' environment lookups included;
* ``private`` (only with ``--modes``) - ``HumeJobTrigger`` with a pool of its own per trigger.

A child creates its jobs, starts its triggers spread over one poll interval (as they arrive in a running
triggerer), waits one interval more, then measures for ``--seconds``: CPU seconds (``getrusage``, all
threads) per 1,000 polls (counted by the emulator), net of the harness (the ticker and the sampling, measured
alone for 5 s before the triggers start; the raw figure is printed too), the most TCP connections to the
emulator open at once (sampled every 2 s) and
the most file descriptors (``/proc/self``), the longest event-loop block (see :class:`Ticker`), and RSS
per trigger (RSS at the end of the window minus RSS before the triggers started, over N). After the window the
jobs complete; detection latency is each trigger's event time minus its job's ``ended_timestamp_ms``.

Run: ``.venv/bin/python benchmarks/triggers_scale.py [--triggers 1000] [--seconds 60] [--poll-interval 5]
[--repeat 1] [--modes shared,naive] [--json]``; quick: ``--triggers 200 --seconds 30``. With ``--repeat 3``
the modes run interleaved three times and the medians are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from _figures import at_most, figure

KEY_ENV = "HUME_BENCH_API_KEY"
RESULT = "RESULT "
DETAILS_ROUTE = "GET /v0/batch/jobs/{job_id}"
CONN_ID = "hume_bench"
TICK = 0.01
SAMPLE_EVERY = 2.0
#: Seconds the harness alone (ticker, sampling) is measured before the triggers start, to net it out.
IDLE_SECONDS = 5.0
TERMINAL = {"COMPLETED", "FAILED"}

# Targets (issue 12).
CPU_RATIO_TARGET = 0.4
CONNECTIONS_TARGET = 16
BLOCK_TARGET_MS = 50.0
RSS_TARGET_KIB = 10.0
DETECTION_SLACK_S = 1.0


def _creation_allowance(triggers: int) -> float:
    """Seconds set aside to create the jobs and warm the client up (the emulator takes well over 100 a
    second)."""
    return max(8.0, triggers / 50)


def _run_seconds(args: argparse.Namespace) -> float:
    """How long jobs stay IN_PROGRESS: creation, idle, ramp-up, warm-up and window, then 2 s of margin."""
    allowance = _creation_allowance(args.triggers)
    return float(allowance + IDLE_SECONDS + 2 * args.poll_interval + 1 + args.seconds + 2)


# --- the child: one mode, measured ------------------------------------------------------------


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _sockets(port: int) -> tuple[int, int]:
    """Open TCP connections of this process to ``port``, and its file descriptors."""
    inodes: set[str] = set()
    fds = os.listdir("/proc/self/fd")
    for fd in fds:
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    connections = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[2].rsplit(":", 1)[1], 16) == port and fields[3] != "0A" and fields[9] in inodes:
                connections += 1
    return connections, len(fds)


def _create_jobs(url: str, key: str, count: int) -> list[str]:
    import requests

    def create(indexes: range) -> list[str]:
        with requests.Session() as session:
            session.trust_env = False
            ids = []
            for index in indexes:
                response = session.post(
                    f"{url}/v0/batch/jobs",
                    json={"text": [f"triggers_scale {index}"]},
                    headers={"X-Hume-Api-Key": key},
                    timeout=30,
                )
                response.raise_for_status()
                ids.append(str(response.json()["job_id"]))
            return ids

    workers = 8
    with ThreadPoolExecutor(workers) as pool:
        chunks = pool.map(create, [range(i, count, workers) for i in range(workers)])
    return [job_id for chunk in chunks for job_id in chunk]


def _ended_at(url: str, key: str, job_ids: list[str]) -> dict[str, float]:
    """Each job's ``ended_timestamp_ms``, in Unix seconds."""
    import requests

    ended: dict[str, float] = {}
    with requests.Session() as session:
        session.trust_env = False
        for job_id in job_ids:
            state = session.get(
                f"{url}/v0/batch/jobs/{job_id}", headers={"X-Hume-Api-Key": key}, timeout=30
            ).json()["state"]
            if state.get("ended_timestamp_ms"):
                ended[job_id] = state["ended_timestamp_ms"] / 1000
    return ended


def _detail_polls(url: str, key: str) -> int:
    from airflow_provider_hume.emulator.admin_client import EmulatorAdmin

    with EmulatorAdmin(url, key) as admin:
        return admin.request_count(DETAILS_ROUTE)


def _naive_poll(url: str, key: str) -> str:
    """One poll as naive code writes it: ``requests.get``, a session and a connection of its own."""
    import requests

    response = requests.get(url, headers={"X-Hume-Api-Key": key}, timeout=60)
    response.raise_for_status()
    return str(response.json()["state"]["status"])


async def _naive_trigger(url: str, key: str, job_id: str, poll_interval: float) -> str:
    while True:
        try:
            status = await asyncio.to_thread(_naive_poll, f"{url}/v0/batch/jobs/{job_id}", key)
        except Exception:  # a poll that failed is polled again, as a trigger would
            status = "ERROR"
        if status in TERMINAL:
            return "success" if status == "COMPLETED" else "failed"
        await asyncio.sleep(poll_interval)


def _trigger_runner(mode: str, poll_interval: float, end_time: float) -> Callable[[str], Any]:
    """A coroutine function running one trigger of ``mode`` for a job, returning its event's status."""
    url, key = os.environ["HUME_BENCH_URL"], os.environ[KEY_ENV]
    if mode == "naive":
        return lambda job_id: _naive_trigger(url, key, job_id, poll_interval)

    from airflow_provider_hume.hooks.hume import HumeHook
    from airflow_provider_hume.triggers.job import HumeJobTrigger

    class PrivatePoolHook(HumeHook):
        async def get_async_client(self, **overrides: Any) -> Any:
            return await super().get_async_client(share_connections=False, **overrides)

    async def run(job_id: str) -> str:
        trigger = HumeJobTrigger(job_id, CONN_ID, end_time=end_time, poll_interval=poll_interval)
        if mode == "private":
            trigger.hook = PrivatePoolHook(CONN_ID)
        status = "none"
        async for event in trigger.run():
            status = str(event.payload["status"])
        return status

    return run


async def _measure(port: int, seconds: float) -> tuple[float, float, int, int]:
    """CPU seconds used and seconds passed while sampling sockets every ``SAMPLE_EVERY`` s for ``seconds``,
    and the most connections and file descriptors seen."""
    cpu_before, started = _cpu_seconds(), time.monotonic()
    connections = fds = 0
    while (left := started + seconds - time.monotonic()) > 0:
        await asyncio.sleep(min(SAMPLE_EVERY, left))
        sampled_connections, sampled_fds = await asyncio.to_thread(_sockets, port)
        connections, fds = max(connections, sampled_connections), max(fds, sampled_fds)
    return _cpu_seconds() - cpu_before, time.monotonic() - started, connections, fds


class Ticker:
    """A task waking every ``TICK`` seconds: how long something else held the loop.

    ``longest`` is the loop thread's CPU time between two ticks (all it ran in between, so at least its
    longest block): what code in the loop costs, whatever else the machine runs. ``latest`` is the most a
    tick came late by the wall clock, which also counts the time the process waited for a CPU (on a loaded
    machine) or for the GIL (held by another thread).
    """

    def __init__(self) -> None:
        self.longest = 0.0
        self.latest = 0.0
        self.measuring = False

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            expected, cpu = loop.time() + TICK, time.thread_time()
            await asyncio.sleep(TICK)
            late, busy = loop.time() - expected, time.thread_time() - cpu
            if self.measuring:
                self.longest, self.latest = max(self.longest, busy), max(self.latest, late)


async def _child(
    mode: str, triggers: int, seconds: float, poll_interval: float, run_seconds: float
) -> dict[str, Any]:
    url, key = os.environ["HUME_BENCH_URL"], os.environ[KEY_ENV]
    port = urlsplit(url).port or 80
    allowance = _creation_allowance(triggers)
    end_time = time.time() + run_seconds + 900
    runner = _trigger_runner(mode, poll_interval, end_time)  # imports what it runs, before the clock starts
    first_created = time.time()
    job_ids = await asyncio.to_thread(_create_jobs, url, key, triggers)
    created_in = time.time() - first_created
    if mode != "naive":  # load the code the triggers will run before RSS is measured without them
        from airflow_provider_hume.hooks.hume import HumeHook

        async with await HumeHook(CONN_ID).get_async_client() as client:
            await client.get_job_details(job_ids[0])
    else:
        await asyncio.to_thread(_naive_poll, f"{url}/v0/batch/jobs/{job_ids[0]}", key)
    ticker = Ticker()
    ticker_task = asyncio.create_task(ticker.run())
    await asyncio.sleep(max(0.0, first_created + allowance - time.time()))
    idle_cpu, idle_seconds, _, _ = await _measure(port, IDLE_SECONDS)
    rss_before = _rss_kib()
    detected: dict[str, float] = {}
    statuses: dict[str, str] = {}

    async def one(job_id: str, delay: float) -> None:
        await asyncio.sleep(delay)
        statuses[job_id] = await runner(job_id)
        detected[job_id] = time.time()

    started = time.monotonic()
    tasks = [asyncio.create_task(one(job_id, random.uniform(0, poll_interval))) for job_id in job_ids]
    await asyncio.sleep(max(0.0, started + 2 * poll_interval + 1 - time.monotonic()))

    polls_before = await asyncio.to_thread(_detail_polls, url, key)
    ticker.measuring = True
    # The window ends before the first job completes, even when the steps above ran late.
    window_left = min(seconds, first_created + run_seconds - 1.5 - time.time())
    cpu, window, connections, fds = await _measure(port, window_left)
    ticker.measuring = False
    polls = await asyncio.to_thread(_detail_polls, url, key) - polls_before
    net_cpu = cpu - idle_cpu / idle_seconds * window
    rss_during = _rss_kib()
    still_waiting = sum(1 for task in tasks if not task.done())

    await asyncio.wait_for(asyncio.gather(*tasks), timeout=run_seconds + created_in + 120)
    ticker_task.cancel()
    ended = await asyncio.to_thread(_ended_at, url, key, job_ids)
    latencies = sorted(detected[job_id] - ended[job_id] for job_id in job_ids if job_id in ended)
    return {
        "mode": mode,
        "triggers": triggers,
        "window_s": round(window, 2),
        "created_in_s": round(created_in, 2),
        "waiting_through_window": still_waiting,
        "polls": polls,
        "cpu_s": round(cpu, 3),
        "cpu_s_per_1000_polls": round(net_cpu / polls * 1000, 4) if polls else float("nan"),
        "raw_cpu_s_per_1000_polls": round(cpu / polls * 1000, 4) if polls else float("nan"),
        "harness_cpu_s_per_s": round(idle_cpu / idle_seconds, 4),
        "connections_max": connections,
        "fds_max": fds,
        "longest_block_ms": round(ticker.longest * 1000, 1),
        "most_late_tick_ms": round(ticker.latest * 1000, 1),
        "rss_per_trigger_kib": round((rss_during - rss_before) / triggers, 2),
        "detection_p50_s": round(latencies[len(latencies) // 2], 3) if latencies else float("nan"),
        "detection_p95_s": round(latencies[int(len(latencies) * 0.95)], 3) if latencies else float("nan"),
        "events": {status: list(statuses.values()).count(status) for status in set(statuses.values())},
    }


# --- the parent: emulator, children, report ---------------------------------------------------


def _run_child(mode: str, args: argparse.Namespace, url: str, key: str, airflow_home: str) -> dict[str, Any]:
    env = {
        **os.environ,
        "HUME_BENCH_URL": url,
        KEY_ENV: key,
        f"AIRFLOW_CONN_{CONN_ID.upper()}": json.dumps({"conn_type": "hume", "host": url, "password": key}),
        "AIRFLOW_HOME": airflow_home,
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    }
    command = [
        sys.executable,
        __file__,
        "--child",
        mode,
        "--triggers",
        str(args.triggers),
        "--seconds",
        str(args.seconds),
        "--poll-interval",
        str(args.poll_interval),
        "--run-seconds",
        str(_run_seconds(args)),
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    results = [line[len(RESULT) :] for line in done.stdout.splitlines() if line.startswith(RESULT)]
    if done.returncode != 0 or not results:
        raise RuntimeError(f"the {mode} child failed ({done.returncode}):\n{done.stderr[-4000:]}")
    figures: dict[str, Any] = json.loads(results[-1])
    return figures


def _median(runs: list[dict[str, Any]], name: str) -> float:
    return float(statistics.median(run[name] for run in runs))


def _report(args: argparse.Namespace, runs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    modes = list(runs)
    figures = {mode: {name: _median(results, name) for name in NUMERIC} for mode, results in runs.items()}
    repeat = f", median of {args.repeat}" if args.repeat > 1 else ""
    print(
        f"triggers_scale: {args.triggers} triggers in one loop, poll every {args.poll_interval:g} s, "
        f"{args.seconds:g} s window{repeat}; {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}"
    )
    print(f"{'figure':<26}" + "".join(f"{mode:>12}" for mode in modes))
    for name in NUMERIC:
        print(f"{name:<26}" + "".join(f"{figures[mode][name]:>12g}" for mode in modes))
    for mode, results in runs.items():
        print(f"{mode}: events {[run['events'] for run in results]}")
        if any(run["waiting_through_window"] < args.triggers for run in results):
            print(f"{mode}: WARNING some triggers ended inside the window: its figures are not comparable")
    if "shared" in figures:
        _headline(args, figures["shared"], figures.get("naive"))
    return {"args": vars(args), "figures": figures, "runs": runs}


def _headline(args: argparse.Namespace, shared: dict[str, float], naive: dict[str, float] | None) -> None:
    """The issue's targets, each figure of the shared pool next to the naive baseline of the same run."""
    targets = {
        "cpu_s_per_1000_polls": ("CPU per 1,000 polls", "s", at_most(CPU_RATIO_TARGET, of="ratio")),
        "connections_max": ("TCP connections open at once", "connections", at_most(CONNECTIONS_TARGET)),
        "longest_block_ms": ("longest event-loop block", "ms", at_most(BLOCK_TARGET_MS)),
        "rss_per_trigger_kib": ("RSS per trigger", "KiB", at_most(RSS_TARGET_KIB)),
        "detection_p95_s": (
            "detection latency p95",
            "s",
            at_most(args.poll_interval + DETECTION_SLACK_S),
        ),
    }
    for name, (label, unit, target) in targets.items():
        figure(
            f"{label}, {args.triggers:,} triggers",
            shared[name],
            unit,
            baseline=naive[name] if naive else None,
            baseline_name="naive thread-per-poll",
            target=target,
        )


NUMERIC = (
    "window_s",
    "polls",
    "cpu_s_per_1000_polls",
    "raw_cpu_s_per_1000_polls",
    "harness_cpu_s_per_s",
    "connections_max",
    "fds_max",
    "longest_block_ms",
    "most_late_tick_ms",
    "rss_per_trigger_kib",
    "detection_p50_s",
    "detection_p95_s",
    "waiting_through_window",
)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--triggers", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=60.0, help="measuring window (default 60)")
    parser.add_argument("--poll-interval", type=float, default=5.0)
    parser.add_argument("--repeat", type=int, default=1, help="interleaved runs of every mode (medians)")
    parser.add_argument("--modes", default="shared,naive", help="of shared, naive, private")
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--run-seconds", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        figures = asyncio.run(
            _child(args.child, args.triggers, args.seconds, args.poll_interval, args.run_seconds)
        )
        print(RESULT + json.dumps(figures), flush=True)
        return

    from airflow_provider_hume.emulator.admin_client import EmulatorAdmin
    from airflow_provider_hume.emulator.process import emulator_process

    modes = [mode.strip() for mode in args.modes.split(",") if mode.strip()]
    unknown = set(modes) - {"shared", "naive", "private"}
    if unknown:
        parser.error(f"unknown modes: {sorted(unknown)}")
    flags = ("--queue-seconds", "0", "--run-seconds", str(_run_seconds(args)))
    runs: dict[str, list[dict[str, Any]]] = {mode: [] for mode in modes}
    with (
        tempfile.TemporaryDirectory(prefix="triggers-scale-") as airflow_home,
        emulator_process(*flags) as emu,
    ):
        for _ in range(args.repeat):
            for mode in modes:
                with EmulatorAdmin(emu.url, emu.api_key) as admin:
                    admin.reset()
                runs[mode].append(_run_child(mode, args, emu.url, emu.api_key, airflow_home))
    report = _report(args, runs)
    if args.json:
        print(json.dumps(report))


if __name__ == "__main__":
    main()
