"""
What importing each of the provider's operator, sensor, trigger, transfer, hook and link modules adds over
``airflow.sdk``: the dag-processor pays it on every parse of every DAG file that uses them. Target: <= 50 ms.

Each figure is the median of ``--runs`` fresh interpreters. A child imports ``airflow.sdk`` (timed on its
own), then the module (timed on its own): the second time is ``import airflow.sdk; import <module>`` minus
``import airflow.sdk`` alone, measured in one interpreter so the large, noisy ``airflow.sdk`` import does not
blur it. The baseline, in the same run and interleaved with the rest, is the official Amazon provider's S3
operators module (``airflow.providers.amazon.aws.operators.s3``). Children run with a throwaway
``AIRFLOW_HOME`` and with bytecode cached (in a throwaway ``PYTHONPYCACHEPREFIX``, after one warm-up import
of each module), as an installed provider is: ``PYTHONDONTWRITEBYTECODE`` would charge the project, and not
the already compiled site-packages, for compiling its sources on every import.
Run: ``.venv/bin/python benchmarks/import_cost.py [--runs 5]``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from _figures import at_most, figure

BASELINE = "airflow.providers.amazon.aws.operators.s3"
MODULES = (
    "airflow_provider_hume.operators.batch",
    "airflow_provider_hume.operators.stream",
    "airflow_provider_hume.operators.measure_audio",
    "airflow_provider_hume.operators.measure_images",
    "airflow_provider_hume.operators.runs_export",
    "airflow_provider_hume.sensors.job",
    "airflow_provider_hume.triggers.job",
    "airflow_provider_hume.transfers.hume_to_s3",
    "airflow_provider_hume.hooks.hume",
    "airflow_provider_hume.links.job",
)
#: Libraries that must not load at parse time; a module that loads one is flagged.
HEAVY = ("aiohttp", "requests", "requests_toolbelt", "urllib3", "websockets", "pyarrow", "PIL", "av", "boto3")
TARGET_MS = 50.0


def child(module: str) -> None:
    """Import ``airflow.sdk`` then ``module``; print both times, the modules added and the heavy ones."""
    started = time.perf_counter()
    import airflow.sdk  # noqa: F401

    sdk_done = time.perf_counter()
    before = set(sys.modules)
    importlib.import_module(module)
    done = time.perf_counter()
    added = {name.split(".")[0] for name in set(sys.modules) - before}
    figures = {
        "sdk_ms": (sdk_done - started) * 1000,
        "module_ms": (done - sdk_done) * 1000,
        "modules_added": len(set(sys.modules) - before),
        "heavy": sorted(added & set(HEAVY)),
    }
    print(json.dumps(figures))


def run_child(module: str, env: dict[str, str]) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", module], check=True, capture_output=True, text=True, env=env
    ).stdout
    figures: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5, help="fresh interpreters per module (median)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    with tempfile.TemporaryDirectory(prefix="hume-import-cost-") as home:
        env = {
            **{name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"},
            "AIRFLOW_HOME": home,
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "PYTHONPYCACHEPREFIX": os.path.join(home, "pycache"),
        }
        targets = (BASELINE, *MODULES)
        for module in targets:  # warm-up: bytecode compiled and cached, AIRFLOW_HOME initialised
            run_child(module, env)
        runs: dict[str, list[dict[str, object]]] = {module: [] for module in targets}
        for _ in range(args.runs):  # interleaved, so the machine's load weighs on every module alike
            for module in targets:
                runs[module].append(run_child(module, env))
    sdk_ms = statistics.median(float(str(r["sdk_ms"])) for rs in runs.values() for r in rs)
    baseline_ms = statistics.median(float(str(r["module_ms"])) for r in runs[BASELINE])
    print(f"import cost: median of {args.runs} fresh interpreters each; airflow.sdk itself {sdk_ms:.0f} ms")
    print(f"import cost: baseline {BASELINE} +{baseline_ms:.1f} ms")
    worst = 0.0
    for module in MODULES:
        times = [float(str(r["module_ms"])) for r in runs[module]]
        median = statistics.median(times)
        worst = max(worst, median)
        heavy = sorted({name for r in runs[module] for name in r["heavy"]})  # type: ignore[attr-defined]
        print(
            f"import cost: {module} +{median:.1f} ms (min {min(times):.1f}), "
            f"{runs[module][0]['modules_added']} modules added, {median / baseline_ms:.2f}x the baseline"
            + (f", loads {', '.join(heavy)}" if heavy else "")
        )
    figure(
        "import cost over airflow.sdk, the worst of the provider's modules",
        worst,
        "ms",
        baseline=baseline_ms,
        baseline_name=f"{BASELINE} (official S3 operators)",
        target=at_most(TARGET_MS),
    )


if __name__ == "__main__":
    main()
