"""Printing a memory benchmark's runs: their figures, then the peak-RSS growth from smallest to largest."""

from __future__ import annotations

from collections.abc import Mapping


def print_growth(name: str, runs: Mapping[str, Mapping[str, float]], what: str, growth_label: str) -> None:
    """``runs``: label -> figures (with ``peak_rss_mib``), smallest input first and largest last."""
    for label, figures in runs.items():
        details = ", ".join(f"{key} {value:.1f}" for key, value in figures.items())
        print(f"{name}: {label} {what}: {details}")
    peaks = [figures["peak_rss_mib"] for figures in runs.values()]
    print(f"{name}: growth for {growth_label} {peaks[-1] - peaks[0]:+.1f} MiB")
