"""
Emulator throughput: 200 concurrent jobs, sustained job-details and listing requests per second, keep-alive.

The load comes from one asyncio process (aiohttp, keep-alive, 32 requests in flight) on loopback. Each figure
has its baseline from the same run, measured by the same generator: in each round a figure and its baseline
take turns, one slice of load (``--slice``, 1 s) each, until each has had ``--seconds``, so that both see the
same machine; the ratios printed are the medians of the rounds' ratios. Each server's CPU time per request
(from ``/proc``) is printed too: on a busy machine it varies less than requests per second.

* job details (``GET /v0/batch/jobs/{id}``) against a bare ASGI app on uvicorn answering a small JSON body
  (target ≥ 0.7x; issue 12 measured 0.46x);
* the listing (``GET /v0/batch/jobs?limit=10``) with 10,000 more stored jobs against the same listing with
  only the 10 it returns (target: flat, ≥ 0.9x the req/s and ≤ 1.11x the CPU per request; issue 12
  measured 1/30 of the req/s against an empty store);
* keep-alive: two polls ``--keepalive-gap`` seconds apart (default 6, past uvicorn's default of 5 s) on one
  connection, which the emulator must keep open.

The job-details emulator is ``hume-emulator`` in its own process (``emulator_process``); the two listing
emulators are ``EmulatorServer``s in child processes of this script, their jobs added to the state before they
listen (10 and 10,010 COMPLETED text jobs). Every emulator runs with its default settings (keep-alive 75 s).
Run: ``.venv/bin/python benchmarks/emulator_throughput.py [--seconds 10] [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from _figures import at_least, figure

from airflow_provider_hume.emulator.process import KEYS_ENV, emulator_process

CONCURRENCY = 32
JOBS = 200
LIST_LIMIT = 10
STORED_JOBS = 10_000
DETAILS_TARGET = 0.7
DETAILS_BEFORE = 0.46
LISTING_TARGET = 0.9


async def _baseline_app(scope: dict[str, Any], receive: Callable[[], Awaitable[Any]], send: Any) -> None:
    body = json.dumps({"job_id": "00000000-0000-4000-8000-000000000000", "state": {"status": "COMPLETED"}})
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]}
    )
    await send({"type": "http.response.body", "body": body.encode()})


def _serve_baseline(port: int) -> None:
    import uvicorn

    uvicorn.run(_baseline_app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _serve_listing(port: int, jobs: int) -> None:
    """An emulator on ``port`` holding ``jobs`` COMPLETED text jobs of the key in ``KEYS_ENV``."""
    from airflow_provider_hume.emulator.backend.request import JobRequest
    from airflow_provider_hume.emulator.backend.settings import EmulatorSettings
    from airflow_provider_hume.emulator.media.ingest import text_source
    from airflow_provider_hume.emulator.server import EmulatorServer

    key = os.environ[KEYS_ENV]
    settings = EmulatorSettings(queue_seconds=0, run_seconds=0)
    server = EmulatorServer([key], settings=settings, port=port)
    user = server.state.user_for_key(key)
    assert user is not None
    for index in range(jobs):  # before it listens, so that the first answer sees them all
        text = (f"Job number {index} is a happy one.",)
        server.state.add_job(user, JobRequest(text=text), [text_source(text)])
    with server:
        threading.Event().wait()


@contextmanager
def _child(*args: str, key: str = "") -> Iterator[tuple[str, int]]:
    """Run this script with ``args`` (then a free port); yield its base URL and pid once it answers."""
    port = _free_port()
    env = {**os.environ, KEYS_ENV: key}
    process = subprocess.Popen([sys.executable, __file__, *args, str(port)], env=env)
    try:
        url = f"http://127.0.0.1:{port}"
        asyncio.run(_wait_ready(f"{url}/v0/batch/jobs?limit=0", {"X-Hume-Api-Key": key}))
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds the process ``pid`` has used so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Figure:
    """Requests per second, p99 latency (ms) and the server's CPU per request (µs)."""

    rps: float
    p99_ms: float
    cpu_us: float


Target = tuple[str, dict[str, str], int]
"""What to load: URL, request headers and the server's process id."""


@dataclass
class _Tally:
    """What the slices of load on one target added up to."""

    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    cpu_seconds: float = 0.0

    def figure(self) -> Figure:
        ordered = sorted(self.latencies)
        count = len(ordered)
        return Figure(count / self.seconds, ordered[int(count * 0.99)] * 1000, self.cpu_seconds / count * 1e6)


def _paired(first: Target, second: Target, seconds: float, slice_seconds: float) -> tuple[Figure, Figure]:
    """Load each target for ``seconds`` in alternating slices of about ``slice_seconds``, so that both see the
    same machine: on a busy one the load of other processes changes from second to second."""
    tallies = (_Tally(), _Tally())
    slices = max(1, round(seconds / slice_seconds))
    for _ in range(slices):
        for (url, headers, pid), tally in zip((first, second), tallies, strict=True):
            cpu_before = _cpu_seconds(pid)
            latencies, elapsed = asyncio.run(_load(url, headers, seconds / slices))
            tally.cpu_seconds += _cpu_seconds(pid) - cpu_before
            tally.latencies += latencies
            tally.seconds += elapsed
    return tallies[0].figure(), tallies[1].figure()


async def _load(url: str, headers: dict[str, str], seconds: float) -> tuple[list[float], float]:
    """Latencies (s) of GET ``url`` with CONCURRENCY requests in flight for ``seconds``; the time taken."""
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + seconds
    connector = aiohttp.TCPConnector(limit=CONCURRENCY)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:

        async def worker() -> None:
            nonlocal errors
            while time.monotonic() < deadline:
                started = time.perf_counter()
                async with session.get(url) as response:
                    await response.read()
                    if response.status != 200:
                        errors += 1
                latencies.append(time.perf_counter() - started)

        began = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        elapsed = time.monotonic() - began
    if errors:
        raise RuntimeError(f"{errors} requests to {url} failed")
    return latencies, elapsed


async def _wait_ready(url: str, headers: dict[str, str] | None = None) -> None:
    """Wait until ``url`` answers (the listing children answer only once their jobs are stored)."""
    deadline = time.monotonic() + 120
    async with aiohttp.ClientSession(headers=headers) as session:
        while True:
            try:
                async with session.get(url) as response:
                    await response.read()
                    return
            except aiohttp.ClientConnectionError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.1)


async def _concurrent_jobs(base: str, headers: dict[str, str]) -> tuple[float, float]:
    """Submit JOBS jobs at once; return seconds to submit them all and seconds until all are COMPLETED."""
    async with aiohttp.ClientSession(headers=headers) as session:

        async def submit(index: int) -> str:
            body = {"text": [f"Job number {index} is a happy one."], "models": {"language": {}}}
            async with session.post(f"{base}/v0/batch/jobs", json=body) as response:
                response.raise_for_status()
                return str((await response.json())["job_id"])

        started = time.monotonic()
        job_ids = await asyncio.gather(*(submit(i) for i in range(JOBS)))
        submitted = time.monotonic() - started
        pending = set(job_ids)
        while pending:
            for job_id in list(pending):
                async with session.get(f"{base}/v0/batch/jobs/{job_id}") as response:
                    if (await response.json())["state"]["status"] == "COMPLETED":
                        pending.discard(job_id)
            await asyncio.sleep(0.2)
        return submitted, time.monotonic() - started


async def _first_job(base: str, headers: dict[str, str]) -> str:
    async with (
        aiohttp.ClientSession(headers=headers) as session,
        session.get(f"{base}/v0/batch/jobs", params={"limit": "1"}) as response,
    ):
        return str((await response.json())[0]["job_id"])


def _connection_reused(url: str, headers: dict[str, str], gap: float) -> bool:
    """Whether a second GET ``gap`` seconds after the first goes over the same TCP connection."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        connection.request("GET", parts.path, headers=headers)
        connection.getresponse().read()
        first = connection.sock
        time.sleep(gap)
        try:
            connection.request("GET", parts.path, headers=headers)
            connection.getresponse().read()
        except (http.client.RemoteDisconnected, ConnectionError):
            return False  # the server closed the idle connection; http.client does not reconnect by itself
        return connection.sock is first
    finally:
        connection.close()


def _median(runs: list[Figure]) -> Figure:
    return Figure(
        *(statistics.median(getattr(run, name) for run in runs) for name in ("rps", "p99_ms", "cpu_us"))
    )


def _line(label: str, figure: Figure) -> str:
    text = f"{label:<44} {figure.rps:>7,.0f} req/s, p99 {figure.p99_ms:5.1f} ms"
    return f"{text}, server CPU {figure.cpu_us:4.0f} µs/request"


def _median_ratio(runs: list[Figure], bases: list[Figure], name: str) -> float:
    """The median of the per-round ratios (each round's pair measured back to back, under the same load)."""
    return float(
        statistics.median(
            getattr(run, name) / getattr(base, name) for run, base in zip(runs, bases, strict=True)
        )
    )


def _ratios(runs: list[Figure], bases: list[Figure]) -> str:
    rps, cpu = _median_ratio(runs, bases, "rps"), _median_ratio(runs, bases, "cpu_us")
    return f"{'':<44} {rps:.2f}x the baseline's req/s, {cpu:.2f}x its server CPU per request"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each measurement")
    parser.add_argument("--rounds", type=int, default=1, help="interleaved rounds; medians are printed")
    parser.add_argument("--slice", type=float, default=1.0, help="seconds of each alternating slice of load")
    parser.add_argument("--stored-jobs", type=int, default=STORED_JOBS, help="extra jobs for the listing")
    parser.add_argument("--keepalive-gap", type=float, default=6.0, help="seconds between two polls; 0 skips")
    args = parser.parse_args()

    key = os.urandom(16).hex()
    headers = {"X-Hume-Api-Key": key}
    list_path = f"/v0/batch/jobs?limit={LIST_LIMIT}"
    measured: dict[str, list[Figure]] = {"baseline": [], "details": [], "small": [], "large": []}
    with (
        _child("--baseline-server") as (baseline, baseline_pid),
        emulator_process("--queue-seconds", "1", "--run-seconds", "2") as emulator,
        _child("--listing-server", str(LIST_LIMIT), key=key) as (small, small_pid),
        _child("--listing-server", str(LIST_LIMIT + args.stored_jobs), key=key) as (large, large_pid),
    ):
        emulator_headers = {"X-Hume-Api-Key": emulator.api_key}
        submitted, completed = asyncio.run(_concurrent_jobs(emulator.url, emulator_headers))
        job_url = f"{emulator.url}/v0/batch/jobs/{asyncio.run(_first_job(emulator.url, emulator_headers))}"
        targets: dict[str, Target] = {
            "baseline": (f"{baseline}/", {}, baseline_pid),
            "details": (job_url, emulator_headers, emulator.pid),
            "small": (small + list_path, headers, small_pid),
            "large": (large + list_path, headers, large_pid),
        }
        for round_ in range(args.rounds):
            for pair in (("baseline", "details"), ("small", "large")):
                first, second = pair if round_ % 2 == 0 else pair[::-1]
                figures = _paired(targets[first], targets[second], args.seconds, args.slice)
                measured[first].append(figures[0])
                measured[second].append(figures[1])
        reused = (
            _connection_reused(job_url, emulator_headers, args.keepalive_gap) if args.keepalive_gap else None
        )

    base, details = _median(measured["baseline"]), _median(measured["details"])
    small_list, large_list = _median(measured["small"]), _median(measured["large"])
    rounds = f"medians of {args.rounds} rounds of {args.seconds:g} s per figure in {args.slice:g} s slices"
    print(f"{JOBS} concurrent jobs: submitted in {submitted:.2f} s, all COMPLETED after {completed:.2f} s")
    print(f"figures: {rounds}, {CONCURRENCY} requests in flight")
    print(_line("baseline (bare ASGI app on uvicorn):", base))
    print(_line("job details:", details))
    print(_ratios(measured["details"], measured["baseline"]))
    print(
        f"  target: >= {DETAILS_TARGET:.2f}x the baseline's req/s (issue 12 measured {DETAILS_BEFORE:.2f}x)"
    )
    listing = f"listing limit={LIST_LIMIT},"
    print(_line(f"{listing} {LIST_LIMIT} stored jobs (baseline):", small_list))
    print(_line(f"{listing} {LIST_LIMIT + args.stored_jobs:,} stored jobs:", large_list))
    print(_ratios(measured["large"], measured["small"]))
    flat = f">= {LISTING_TARGET:.2f}x the req/s and <= {1 / LISTING_TARGET:.2f}x the CPU per request"
    print(f"  target: flat, {flat} (issue 12 measured 1/30 of the req/s against an empty store)")
    if reused is not None:
        verdict = "the same connection" if reused else "a NEW connection (keep-alive too short)"
        print(f"keep-alive: a poll {args.keepalive_gap:g} s after the previous one went over {verdict}")
    _headline(measured, base, details, small_list, large_list, args.stored_jobs)


def _headline(
    measured: dict[str, list[Figure]],
    base: Figure,
    details: Figure,
    small_list: Figure,
    large_list: Figure,
    stored_jobs: int,
) -> None:
    """The issue's targets as figures: ratios are medians of the per-round ratios."""
    figure(
        "job details, requests per second",
        details.rps,
        "req/s",
        baseline=base.rps,
        baseline_name="bare ASGI app on uvicorn",
        ratio=_median_ratio(measured["details"], measured["baseline"], "rps"),
        target=at_least(DETAILS_TARGET, of="ratio"),
    )
    figure(
        f"listing with {LIST_LIMIT + stored_jobs:,} stored jobs, requests per second",
        large_list.rps,
        "req/s",
        baseline=small_list.rps,
        baseline_name=f"the same page with {LIST_LIMIT} stored jobs",
        ratio=_median_ratio(measured["large"], measured["small"], "rps"),
        target=at_least(LISTING_TARGET, of="ratio"),
    )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--baseline-server":
        _serve_baseline(int(sys.argv[2]))
    elif len(sys.argv) == 4 and sys.argv[1] == "--listing-server":
        _serve_listing(int(sys.argv[3]), int(sys.argv[2]))
    else:
        main()
