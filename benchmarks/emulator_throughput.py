"""
Emulator throughput: 200 concurrent jobs, then sustained job-details requests per second.

The load comes from one asyncio process (aiohttp, keep-alive, 32 requests in flight) on loopback. The same
generator first measures a baseline: a bare ASGI app on uvicorn answering a small JSON body, in the same run,
so the emulator's figure is also given as a ratio of that baseline.
Run: ``.venv/bin/python benchmarks/emulator_throughput.py [--seconds 10]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from airflow_provider_hume.emulator.process import emulator_process

CONCURRENCY = 32
JOBS = 200


async def _baseline_app(scope: dict[str, Any], receive: Callable[[], Awaitable[Any]], send: Any) -> None:
    body = json.dumps({"job_id": "00000000-0000-4000-8000-000000000000", "state": {"status": "COMPLETED"}})
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]}
    )
    await send({"type": "http.response.body", "body": body.encode()})


def _serve_baseline(port: int) -> None:
    import uvicorn

    uvicorn.run(_baseline_app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _sustained(url: str, headers: dict[str, str], seconds: float) -> tuple[float, float]:
    """Requests per second and p99 latency (ms) of GET ``url`` with CONCURRENCY requests in flight."""
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
        raise RuntimeError(f"{errors} requests failed")
    latencies.sort()
    return len(latencies) / elapsed, latencies[int(len(latencies) * 0.99)] * 1000


async def _wait_ready(url: str) -> None:
    deadline = time.monotonic() + 30
    async with aiohttp.ClientSession() as session:
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()

    port = _free_port()
    baseline = subprocess.Popen([sys.executable, __file__, "--baseline-server", str(port)])
    try:
        asyncio.run(_wait_ready(f"http://127.0.0.1:{port}/"))
        base_rps, base_p99 = asyncio.run(_sustained(f"http://127.0.0.1:{port}/", {}, args.seconds))
    finally:
        baseline.terminate()
        baseline.wait(timeout=10)

    with emulator_process("--queue-seconds", "1", "--run-seconds", "2") as emulator:
        headers = {"X-Hume-Api-Key": emulator.api_key}
        submitted, completed = asyncio.run(_concurrent_jobs(emulator.url, headers))
        job_id = asyncio.run(_first_job(emulator.url, headers))
        rps, p99 = asyncio.run(_sustained(f"{emulator.url}/v0/batch/jobs/{job_id}", headers, args.seconds))

    print(f"{JOBS} concurrent jobs: submitted in {submitted:.2f} s, all COMPLETED after {completed:.2f} s")
    print(f"baseline (bare ASGI app): {base_rps:.0f} req/s, p99 {base_p99:.1f} ms")
    print(f"job details:              {rps:.0f} req/s, p99 {p99:.1f} ms ({rps / base_rps:.2f} of baseline)")


async def _first_job(base: str, headers: dict[str, str]) -> str:
    async with (
        aiohttp.ClientSession(headers=headers) as session,
        session.get(f"{base}/v0/batch/jobs", params={"limit": "1"}) as response,
    ):
        return str((await response.json())[0]["job_id"])


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--baseline-server":
        _serve_baseline(int(sys.argv[2]))
    else:
        main()
