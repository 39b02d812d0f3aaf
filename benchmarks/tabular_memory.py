"""
Peak memory of flattening predictions to JSON Lines, CSV and Parquet: a 16 MiB body against a 200 MiB one.

Both bodies are the worst case for a per-source parser: one source, one file, one group of face predictions
(48 emotions each), as a long video gives. Each run is a fresh process that reads the body from disk through
``write_prediction_tables`` into a temporary directory, as ``HumePredictionsToS3Operator`` does before the
upload. Peak RSS comes from ``resource.getrusage`` in each child.
Run: ``.venv/bin/python benchmarks/tabular_memory.py``.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _report import print_growth, run_child

MIB = 1024 * 1024
FORMATS = ("jsonl", "csv", "parquet")
SIZES_MIB = {"16 MiB": 16, "200 MiB": 200}


def write_body(path: Path, size_mib: int) -> int:
    """A face predictions body of about ``size_mib``, written one prediction at a time; returns its rows."""
    from airflow_provider_hume.client.tabular_schema import EXPRESSIONS_48

    rows = 0
    with path.open("wb") as out:
        out.write(
            b'[{"source":{"type":"url","url":"https://example.com/v.mp4"},"results":{"predictions":'
            b'[{"file":"v.mp4","models":{"face":{"metadata":null,"grouped_predictions":'
            b'[{"id":"unknown","predictions":['
        )
        while out.tell() < size_mib * MIB:
            prediction = {
                "frame": rows,
                "time": rows / 30,
                "prob": 0.99,
                "box": {"x": 1.5, "y": 2.5, "w": 100.0, "h": 120.0},
                "emotions": [
                    {"name": name, "score": (rows * 31 + k) % 1000 / 1000}
                    for k, name in enumerate(EXPRESSIONS_48)
                ],
                "facs": None,
                "descriptions": None,
            }
            out.write((b"," if rows else b"") + json.dumps(prediction, separators=(",", ":")).encode())
            rows += 1
        out.write(b']}]}}}],"errors":[]}}]')
    return rows


def _child(output_format: str, path: str) -> None:
    from airflow_provider_hume.transfers.tabular_files import write_prediction_tables

    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp, open(path, "rb") as body:
        files, report = write_prediction_tables(
            body, job_id="bench", output_format=output_format, directory=Path(tmp)
        )
        out_mib = sum(table.path.stat().st_size for table in files) / MIB
    figures = {
        "rows": report.rows,
        "out_mib": out_mib,
        "seconds": time.monotonic() - started,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    print(json.dumps(figures))


def _measure(output_format: str, path: Path) -> dict[str, float]:
    return run_child(__file__, output_format, str(path))


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="hume-tabular-mem-") as tmp:
        bodies = {}
        for label, size in SIZES_MIB.items():
            path = Path(tmp) / f"{size}.json"
            rows = write_body(path, size)
            bodies[label] = path
            print(f"body {label}: {rows} predictions, {path.stat().st_size / MIB:.1f} MiB")
        for output_format in FORMATS:
            runs = {label: _measure(output_format, path) for label, path in bodies.items()}
            print_growth(output_format, runs, "body", "12.5x the body")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--child", nargs=2, metavar=("FORMAT", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
    else:
        main()
