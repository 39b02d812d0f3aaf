"""
Peak memory of a multipart upload of local files: 16 MiB (baseline) against 1 GiB, in fresh processes.

The emulator runs in its own process, so only the uploading side is measured, twice: the bare client, and
``HumeBatchSubmitOperator.execute`` (Airflow loaded, connection from the environment) as a worker runs it.
Peak RSS comes from ``resource.getrusage`` in each child.
Run: ``.venv/bin/python benchmarks/upload_memory.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _report import print_growth, run_child

from airflow_provider_hume.emulator.process import emulator_process

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


class _TaskInstance:
    """Just enough of a task instance for ``execute``: it records XComs."""

    def __init__(self) -> None:
        self.xcom: dict[str, object] = {}

    def xcom_push(self, key: str, value: object) -> None:
        self.xcom[key] = value


def _submit_with_client(url: str, key: str, paths: list[str]) -> str:
    from airflow_provider_hume.client import HumeBatchClient, JobRequest

    with HumeBatchClient(key, url, timeout=600) as client:
        return client.submit_job(JobRequest.build(models={"burst": {}}), files=paths)


def _submit_with_operator(url: str, key: str, paths: list[str]) -> str:
    os.environ["AIRFLOW_CONN_HUME_DEFAULT"] = json.dumps({"conn_type": "hume", "host": url, "password": key})
    from airflow_provider_hume.operators.batch import HumeBatchSubmitOperator

    operator = HumeBatchSubmitOperator(task_id="submit", files=paths, models={"burst": {}})
    return operator.execute({"ti": _TaskInstance()})  # type: ignore[arg-type]


def _child(mode: str, url: str, key: str, paths: list[str]) -> None:
    """Submit one job uploading ``paths``; print its figures (peak RSS, seconds) as JSON."""
    started = time.monotonic()
    submit = _submit_with_operator if mode == "operator" else _submit_with_client
    submit(url, key, paths)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"peak_rss_mib": peak_kib / 1024, "seconds": time.monotonic() - started}))


def _measure(mode: str, url: str, key: str, paths: list[Path]) -> dict[str, float]:
    return run_child(__file__, mode, url, key, *map(str, paths))


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="hume-upload-bench-") as tmp, emulator_process() as emulator:
        small_dir, large_dir = Path(tmp) / "small", Path(tmp) / "large"
        small_dir.mkdir()
        large_dir.mkdir()
        small_files = _make_files(small_dir, 16 * MIB)
        large_files = _make_files(large_dir, 1024 * MIB)
        for mode in ("client", "operator"):
            small = _measure(mode, emulator.url, emulator.api_key, small_files)
            large = _measure(mode, emulator.url, emulator.api_key, large_files)
            print_growth(mode, {"16 MiB": small, "1 GiB": large}, "upload", "64x the data")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", nargs="+", metavar=("MODE", "URL"))
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], args.child[1], args.child[2], args.child[3:])
    else:
        main()
