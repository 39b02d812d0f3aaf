"""Running a memory benchmark's fresh child processes, and printing their figures and the peak-RSS growth."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping


def run_child(script: str, *args: str) -> dict[str, float]:
    """Run ``script --child ARGS`` in a fresh interpreter; return the JSON figures on its last output line."""
    out = subprocess.run(
        [sys.executable, script, "--child", *args], check=True, capture_output=True, text=True
    ).stdout
    figures: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return figures


def print_growth(name: str, runs: Mapping[str, Mapping[str, float]], what: str, growth_label: str) -> None:
    """``runs``: label -> figures (with ``peak_rss_mib``), smallest input first and largest last."""
    for label, figures in runs.items():
        details = ", ".join(f"{key} {value:.1f}" for key, value in figures.items())
        print(f"{name}: {label} {what}: {details}")
    peaks = [figures["peak_rss_mib"] for figures in runs.values()]
    print(f"{name}: growth for {growth_label} {peaks[-1] - peaks[0]:+.1f} MiB")
