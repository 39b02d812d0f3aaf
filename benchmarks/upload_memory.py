"""
Peak memory of a multipart upload of local files: 16 MiB (baseline) against 1 GiB, in fresh processes.

The emulator runs in its own process, so only the uploading side is measured: the process that builds the
request and submits the job, exactly what ``HumeBatchSubmitOperator`` does on a worker. Peak RSS comes from
``resource.getrusage`` in each child. Run: ``.venv/bin/python benchmarks/upload_memory.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MIB = 1024 * 1024
FILE_SIZE = 95 * MIB  # under Hume's 100 MB limit per uploaded file


def _make_files(folder: Path, total: int) -> list[Path]:
    paths = []
    remaining, index = total, 0
    block = os.urandom(MIB)
    while remaining > 0:
        size = min(FILE_SIZE, remaining)
        path = folder / f"part-{index:03d}.bin"
        with path.open("wb") as out:
            for _ in range(size // MIB):
                out.write(block)
        paths.append(path)
        remaining -= size
        index += 1
    return paths


def _child(url: str, key: str, paths: list[str]) -> None:
    """Submit one job uploading ``paths``; print the peak RSS as JSON."""
    from airflow_provider_hume.client import HumeBatchClient, JobRequest

    started = time.monotonic()
    with HumeBatchClient(key, url, timeout=600) as client:
        job_id = client.submit_job(JobRequest.build(models={"burst": {}}), files=paths)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps({"job_id": job_id, "peak_rss_mib": peak_kib / 1024, "seconds": time.monotonic() - started})
    )


def _measure(url: str, key: str, paths: list[Path]) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", url, key, *map(str, paths)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> None:
    key = secrets.token_hex(24)
    with tempfile.TemporaryDirectory(prefix="hume-upload-bench-") as tmp:
        folder = Path(tmp)
        log = (folder / "emulator.log").open("wb")
        emulator = subprocess.Popen(
            [sys.executable, "-m", "airflow_provider_hume.emulator", "--host", "127.0.0.1", "--port", "0"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "HUME_EMULATOR_API_KEYS": key},
        )
        try:
            deadline = time.monotonic() + 60
            url = None
            while url is None and time.monotonic() < deadline:
                match = re.search(r"listening on (\S+)", (folder / "emulator.log").read_text())
                url = match.group(1) if match else None
                time.sleep(0.1)
            if url is None:
                raise SystemExit("the emulator did not start")
            small_dir, large_dir = folder / "small", folder / "large"
            small_dir.mkdir()
            large_dir.mkdir()
            small = _measure(url, key, _make_files(small_dir, 16 * MIB))
            large = _measure(url, key, _make_files(large_dir, 1024 * MIB))
        finally:
            emulator.terminate()
            emulator.wait(timeout=10)
            log.close()
    print(f"16 MiB upload: peak RSS {small['peak_rss_mib']:.1f} MiB ({small['seconds']:.1f} s)")
    print(f"1 GiB upload:  peak RSS {large['peak_rss_mib']:.1f} MiB ({large['seconds']:.1f} s)")
    print(f"growth for 64x the data: {large['peak_rss_mib'] - small['peak_rss_mib']:+.1f} MiB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", nargs="+", metavar=("URL", "KEY"))
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], args.child[1], args.child[2:])
    else:
        main()
