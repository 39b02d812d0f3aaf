"""A benchmark's headline figures: printed for a reader, and recorded for ``make bench`` to aggregate.

Each script calls :func:`figure` once per headline figure, with the baseline measured in the same run when
there is one and the target when the figure has one. The line printed reads ``name: value unit`` followed
by the baseline, the ratio and whether the target is met. When ``HUME_BENCH_FIGURES`` names a file (``make
bench`` sets it), the figure is also appended to it as one JSON line; ``scripts/bench.py`` takes the median
of each figure over its runs and writes ``BENCHMARKS.md``.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

FIGURES_FILE_VARIABLE = "HUME_BENCH_FIGURES"


@dataclass(frozen=True)
class Target:
    """A bound on a figure's value (``of="value"``) or on its ratio to the baseline (``of="ratio"``)."""

    limit: float
    at_most: bool = True
    of: str = "value"

    def met(self, value: float, ratio: float | None) -> bool | None:
        """Whether the bound holds; ``None`` for a ratio bound without a baseline."""
        measured = value if self.of == "value" else ratio
        if measured is None:
            return None
        return measured <= self.limit if self.at_most else measured >= self.limit

    def describe(self, unit: str) -> str:
        sign = "<=" if self.at_most else ">="
        return f"{sign} {self.limit:g}x baseline" if self.of == "ratio" else f"{sign} {self.limit:g} {unit}"


def at_most(limit: float, of: str = "value") -> Target:
    return Target(limit, at_most=True, of=of)


def at_least(limit: float, of: str = "value") -> Target:
    return Target(limit, at_most=False, of=of)


@dataclass(frozen=True)
class Figure:
    """One measured figure of one run of one benchmark."""

    benchmark: str
    name: str
    value: float
    unit: str
    baseline: float | None
    baseline_name: str
    target: Target | None
    #: ``value / baseline``, unless the script measured it otherwise (e.g. a median of per-round ratios).
    ratio: float | None

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.target.met(self.value, self.ratio)

    def line(self) -> str:
        text = f"{self.name}: {self.value:,.4g} {self.unit}"
        if self.baseline is not None:
            text += f" (baseline, {self.baseline_name}: {self.baseline:,.4g} {self.unit}"
            text += f"; ratio {self.ratio:.2f}x)" if self.ratio is not None else ")"
        if self.target is not None:
            verdict = {True: "met", False: "NOT met", None: "n/a"}[self.met]
            text += f" target {self.target.describe(self.unit)}: {verdict}"
        return text


def figure(
    name: str,
    value: float,
    unit: str,
    *,
    baseline: float | None = None,
    baseline_name: str = "",
    target: Target | None = None,
    ratio: float | None = None,
) -> Figure:
    """Print one headline figure and record it for ``make bench``; return it.

    ``ratio`` defaults to ``value / baseline``; pass it when the run measured it otherwise.
    """
    if ratio is None and baseline:
        ratio = value / baseline
    measured = Figure(Path(sys.argv[0]).stem, name, value, unit, baseline, baseline_name, target, ratio)
    print(measured.line(), flush=True)
    path = os.environ.get(FIGURES_FILE_VARIABLE)
    if path:
        record = asdict(measured)
        with open(path, "a", encoding="utf-8") as sink:
            sink.write(json.dumps(record) + "\n")
    return measured
