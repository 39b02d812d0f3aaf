"""Running a memory benchmark's fresh child processes, and printing their figures and the peak-RSS growth."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping

from _figures import at_most, figure


def run_child(script: str, *args: str) -> dict[str, float]:
    """Run ``script --child ARGS`` in a fresh interpreter; return the JSON figures on its last output line."""
    out = subprocess.run(
        [sys.executable, script, "--child", *args], check=True, capture_output=True, text=True
    ).stdout
    figures: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return figures


def print_growth(
    name: str,
    runs: Mapping[str, Mapping[str, float]],
    what: str,
    growth_label: str,
    target_mib: float | None = None,
) -> None:
    """``runs``: label -> figures (with ``peak_rss_mib``), smallest input first and largest last.

    Records two headline figures: the largest input's peak against the smallest's, and the growth between
    them (held to ``target_mib`` when given).
    """
    for label, figures in runs.items():
        details = ", ".join(f"{key} {value:.1f}" for key, value in figures.items())
        print(f"{name}: {label} {what}: {details}")
    (small_label, small), *_, (large_label, large) = runs.items()
    figure(
        f"{name}: peak RSS, {large_label} {what}",
        large["peak_rss_mib"],
        "MiB",
        baseline=small["peak_rss_mib"],
        baseline_name=f"{small_label} {what}",
    )
    figure(
        f"{name}: peak RSS growth for {growth_label}",
        large["peak_rss_mib"] - small["peak_rss_mib"],
        "MiB",
        target=None if target_mib is None else at_most(target_mib),
    )
