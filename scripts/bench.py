"""
``make bench``: run every benchmark, take the median of each headline figure, rewrite ``BENCHMARKS.md``.

Each benchmark in ``benchmarks/`` prints its headline figures with ``benchmarks/_figures.py``, each next to
the baseline measured in the same run; this script runs the benchmark ``runs`` times (those that interleave
their own rounds run once and say so), collects the figures, and keeps their medians, together with the
machine, the date and the command, in ``benchmarks/results.json``. ``BENCHMARKS.md`` is rendered from that
file, so ``--only NAME`` re-measures some benchmarks and keeps the others' last figures (each with its date).

Run: ``make bench`` or ``.venv/bin/python scripts/bench.py [--only triggers_scale] [--runs 3]``.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
BENCHMARKS = REPO / "benchmarks"
RESULTS = BENCHMARKS / "results.json"
REPORT = REPO / "BENCHMARKS.md"
sys.path.insert(0, str(BENCHMARKS))

from _figures import FIGURES_FILE_VARIABLE, Target  # noqa: E402


@dataclass(frozen=True)
class Benchmark:
    """One script of ``benchmarks/``, its arguments, and how many times ``make bench`` runs it."""

    script: str
    args: tuple[str, ...] = ()
    #: ``None``: as many as ``--runs`` says; 1 for a script that interleaves its own ``rounds_inside``.
    runs: int | None = None
    rounds_inside: str = ""

    @property
    def name(self) -> str:
        return Path(self.script).stem

    def command(self) -> str:
        return " ".join([".venv/bin/python", f"benchmarks/{self.script}", *self.args])


SUITE = (
    Benchmark("triggers_scale.py", ("--repeat", "3"), runs=1, rounds_inside="median of 3 interleaved runs"),
    Benchmark("transfers.py", ("--rounds", "3"), runs=1, rounds_inside="median of 3 interleaved rounds"),
    Benchmark("import_cost.py", ("--runs", "5"), runs=1, rounds_inside="median of 5 fresh interpreters"),
    Benchmark(
        "emulator_throughput.py",
        ("--seconds", "5", "--rounds", "3"),
        runs=1,
        rounds_inside="median of 3 rounds of alternating 1 s slices",
    ),
    Benchmark("celery_scale.py", runs=1, rounds_inside="one run of each DAG"),
    Benchmark("upload_memory.py"),
    Benchmark("tabular_memory.py"),
    Benchmark("stream_memory.py"),
    Benchmark("stream_throughput.py"),
    Benchmark("emulator_artifacts_memory.py"),
    Benchmark("v1_long_audio.py"),
    Benchmark("v1_audio_operator.py"),
)


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    memory_kib = int(Path("/proc/meminfo").read_text().split()[1])
    versions = subprocess.run(
        [sys.executable, "-c", "import airflow, boto3; print(airflow.__version__, boto3.__version__)"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    return {
        "cpu": f"{os.cpu_count()} x {cpu}",
        "memory": f"{memory_kib / 1024**2:.0f} GiB",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "airflow": versions[0] if versions else "?",
        "boto3": versions[1] if len(versions) > 1 else "?",
    }


def describe(script: Path) -> tuple[str, str]:
    """The script's docstring: a title (its first sentence, cut at ``: `` when long) and the rest without
    ``Run:`` lines."""
    docstring = ast.get_docstring(ast.parse(script.read_text())) or script.stem
    first, _, rest = docstring.strip().partition("\n\n")
    heading = " ".join(first.split())
    title, separator, more = heading.partition(": ") if len(heading) > 100 else (heading, "", "")
    paragraphs = [more.strip()] if separator else []
    paragraphs += [part.split("Run:")[0].strip() for part in rest.strip().split("\n\n")]
    return title.strip().rstrip("."), "\n\n".join(part for part in paragraphs if part)


def run_once(benchmark: Benchmark) -> tuple[list[dict[str, Any]], str, float]:
    """Run the script once; its recorded figures, its printed output, and its wall time in seconds."""
    with tempfile.NamedTemporaryFile("r", suffix=".jsonl") as sink:
        env = {**os.environ, FIGURES_FILE_VARIABLE: sink.name}
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, str(BENCHMARKS / benchmark.script), *benchmark.args],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            sys.stdout.write(f"  {line}")
            lines.append(line)
        if process.wait() != 0:
            raise SystemExit(f"{benchmark.script} exited with {process.returncode}")
        figures = [json.loads(line) for line in sink.read().splitlines() if line.strip()]
    return figures, "".join(lines), time.monotonic() - started


def _median(values: list[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return float(statistics.median(present)) if present else None


def aggregate(runs: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Per figure name (in the order first printed): the median value, baseline and ratio over the runs."""
    by_name: dict[str, list[dict[str, Any]]] = {}
    for figures in runs:
        for record in figures:
            by_name.setdefault(record["name"], []).append(record)
    summary = []
    for name, records in by_name.items():
        first = records[0]
        value = _median([record["value"] for record in records])
        ratio = _median([record["ratio"] for record in records])
        target = Target(**first["target"]) if first["target"] else None
        summary.append(
            {
                "name": name,
                "unit": first["unit"],
                "values": [record["value"] for record in records],
                "value": value,
                "baseline": _median([record["baseline"] for record in records]),
                "baseline_name": first["baseline_name"],
                "ratio": ratio,
                "target": target.describe(first["unit"]) if target else None,
                "met": target.met(value, ratio) if target and value is not None else None,
            }
        )
    return summary


def measure(benchmark: Benchmark, default_runs: int) -> dict[str, Any]:
    runs = benchmark.runs or default_runs
    print(f"== {benchmark.name}: {benchmark.command()} ({runs} run{'s' * (runs != 1)})", flush=True)
    figures, outputs, seconds = [], [], []
    load_before = os.getloadavg()[0]
    for _ in range(runs):
        recorded, output, wall = run_once(benchmark)
        figures.append(recorded)
        outputs.append(output)
        seconds.append(wall)
    return {
        "command": benchmark.command(),
        "runs": runs,
        "rounds_inside": benchmark.rounds_inside,
        "seconds": seconds,
        "load": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "measured": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "figures": aggregate(figures),
        "last_output": outputs[-1],
    }


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    text = f"{value:,.3g}" if abs(value) < 100 else f"{value:,.0f}"
    return f"{text} {unit}".strip()


def _figure_row(figure: dict[str, Any]) -> str:
    unit = figure["unit"]
    runs = ", ".join(_number(value) for value in figure["values"])
    baseline = (
        f"{_number(figure['baseline'], unit)} ({figure['baseline_name']})"
        if figure["baseline"] is not None
        else "-"
    )
    ratio = f"{figure['ratio']:.2f}x" if figure["ratio"] is not None else "-"
    verdict = {True: "**met**", False: "**NOT met**", None: "-"}[figure["met"]]
    target = figure["target"] or "-"
    cells = (figure["name"], _number(figure["value"], unit), runs, baseline, ratio, target, verdict)
    return "| " + " | ".join(cells) + " |"


def render(results: dict[str, dict[str, Any]]) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`scripts/bench.py`) from `benchmarks/results.json`: do not edit by",
        "hand. Each benchmark prints its headline figures next to a baseline measured in the same run; a",
        "figure here is the median over the runs (or the rounds a benchmark interleaves itself), and so are",
        "its baseline and its ratio (the median of the runs' ratios). Peak RSS is a whole process's, from",
        "`resource.getrusage(RUSAGE_SELF).ru_maxrss` in a fresh child process unless a section says",
        "otherwise.",
        "",
        "## Targets at a glance",
        "",
        "| Benchmark | Figure | Median | Target | Met |",
        "|---|---|---|---|---|",
    ]
    ordered = [results[b.name] | {"name": b.name} for b in SUITE if b.name in results]
    for entry in ordered:
        for figure in entry["figures"]:
            if figure["target"]:
                verdict = "met" if figure["met"] else "**NOT met**"
                value = _number(figure["value"], figure["unit"])
                shown = f"{value} ({figure['ratio']:.2f}x)" if "baseline" in figure["target"] else value
                lines.append(
                    f"| {entry['name']} | {figure['name']} | {shown} | {figure['target']} | {verdict} |"
                )
    missing = [b for b in SUITE if b.name not in results]
    if missing:
        lines += ["", 'Not measured by `make bench` yet (run `make bench BENCH_ARGS="--only NAME"`):', ""]
        lines += [f"- `{b.name}`: `{b.command()}`" for b in missing]
    for entry in ordered:
        machine_text = ", ".join(f"{key} {value}" for key, value in entry["machine"].items())
        repeats = entry["rounds_inside"] or f"median of {entry['runs']} runs"
        title, description = describe(BENCHMARKS / f"{entry['name']}.py")
        walls = ", ".join(f"{seconds:.0f} s" for seconds in entry["seconds"])
        load = "load average {:.1f} before, {:.1f} after".format(*entry["load"])
        lines += [
            "",
            f"## {title}",
            "",
            description,
            "",
            f"Command: `{entry['command']}` ({repeats}; wall time {walls}). Measured {entry['measured']} on",
            f"{machine_text}; {load}.",
            "",
            "| Figure | Median | Runs | Baseline (same run) | Ratio | Target | Met |",
            "|---|---|---|---|---|---|---|",
            *(_figure_row(figure) for figure in entry["figures"]),
            "",
            "<details><summary>Output of the last run</summary>",
            "",
            "```text",
            entry["last_output"].rstrip(),
            "```",
            "",
            "</details>",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    names = [benchmark.name for benchmark in SUITE]
    parser.add_argument("--only", action="append", choices=names, help="run only these (repeatable)")
    parser.add_argument(
        "--runs", type=int, default=3, help="runs of each benchmark without rounds of its own"
    )
    parser.add_argument("--render-only", action="store_true", help="rewrite BENCHMARKS.md from results.json")
    args = parser.parse_args()
    results: dict[str, dict[str, Any]] = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    if not args.render_only:
        for benchmark in SUITE:
            if args.only and benchmark.name not in args.only:
                continue
            results[benchmark.name] = measure(benchmark, args.runs)
            RESULTS.write_text(
                json.dumps(results, indent=1) + "\n"
            )  # kept after each, should a later one fail
            REPORT.write_text(render(results))
    REPORT.write_text(render(results))
    print(f"wrote {REPORT.relative_to(REPO)} and {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
