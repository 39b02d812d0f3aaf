"""
The emulator's memory while it streams a 1 GiB padded artifacts ZIP.

Starts ``hume-emulator --artifacts-pad-bytes 1073741824``, completes one job, reads the emulator's RSS when
idle, then downloads the artifacts (discarding them) while sampling the emulator's RSS every 20 ms from /proc.
Run: ``.venv/bin/python benchmarks/emulator_artifacts_memory.py``.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import requests
from _figures import figure

from airflow_provider_hume.emulator.process import emulator_process

PAD_BYTES = 1024**3
MIB = 1024**2


def rss_mib(pid: int) -> float:
    """Current resident set size of a process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def main() -> None:
    flags = ("--artifacts-pad-bytes", str(PAD_BYTES), "--queue-seconds", "0", "--run-seconds", "0.2")
    with emulator_process(*flags) as emulator, requests.Session() as http:
        http.headers["X-Hume-Api-Key"] = emulator.api_key
        job = http.post(f"{emulator.url}/v0/batch/jobs", json={"text": ["Padding test."]}, timeout=30)
        job_url = f"{emulator.url}/v0/batch/jobs/{job.json()['job_id']}"
        while http.get(job_url, timeout=30).json()["state"]["status"] != "COMPLETED":
            time.sleep(0.1)
        idle = rss_mib(emulator.pid)
        samples: list[float] = []
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                samples.append(rss_mib(emulator.pid))
                time.sleep(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        started = time.monotonic()
        received = 0
        with http.get(f"{job_url}/artifacts", stream=True, timeout=300) as response:
            response.raise_for_status()
            for chunk in response.iter_content(1024 * 1024):
                received += len(chunk)
        elapsed = time.monotonic() - started
        done.set()
        sampler.join()
    peak = max(samples)
    print(f"artifacts streamed: {received / 1024**3:.3f} GiB in {elapsed:.1f} s")
    print(f"emulator RSS idle {idle:.1f} MiB, peak while streaming {peak:.1f} MiB (+{peak - idle:.1f} MiB)")
    figure("emulator RSS growth while streaming 1 GiB of artifacts", peak - idle, "MiB")
    figure("download rate of the artifacts", received / MIB / elapsed, "MiB/s")


if __name__ == "__main__":
    main()
