"""``make bench``'s arithmetic: figures recorded by the benchmarks, their medians, targets and the report."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def figures() -> ModuleType:
    return _load("_figures", ROOT / "benchmarks" / "_figures.py")


@pytest.fixture(scope="module")
def bench(figures: ModuleType) -> ModuleType:
    return _load("hume_bench", ROOT / "scripts" / "bench.py")


def test_a_figure_is_printed_with_its_baseline_and_verdict_and_recorded(
    figures: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sink = tmp_path / "figures.jsonl"
    monkeypatch.setenv(figures.FIGURES_FILE_VARIABLE, str(sink))
    measured = figures.figure(
        "CPU", 0.5, "s", baseline=2.0, baseline_name="naive", target=figures.at_most(0.4, of="ratio")
    )
    assert measured.ratio == 0.25
    assert measured.met is True
    assert capsys.readouterr().out == (
        "CPU: 0.5 s (baseline, naive: 2 s; ratio 0.25x) target <= 0.4x baseline: met\n"
    )
    record = json.loads(sink.read_text())
    assert record["value"] == 0.5
    assert record["ratio"] == 0.25
    assert record["target"] == {"limit": 0.4, "at_most": True, "of": "ratio"}


def test_targets_on_values_and_ratios(figures: ModuleType) -> None:
    assert figures.at_most(50).met(49.9, None) is True
    assert figures.at_most(50).met(50.1, None) is False
    assert figures.at_least(0.9, of="ratio").met(100, 0.89) is False
    assert figures.at_least(0.9, of="ratio").met(100, None) is None


def test_the_report_keeps_medians_of_value_baseline_and_ratio(bench: ModuleType) -> None:
    def record(value: float, baseline: float, ratio: float) -> dict[str, object]:
        target = {"limit": 0.4, "at_most": True, "of": "ratio"}
        return {
            "name": "CPU",
            "unit": "s",
            "value": value,
            "baseline": baseline,
            "baseline_name": "naive",
            "ratio": ratio,
            "target": target,
        }

    runs = [[record(1.0, 2.0, 0.5)], [record(3.0, 4.0, 0.75)], [record(0.5, 5.0, 0.1)]]
    [summary] = bench.aggregate(runs)
    assert summary["values"] == [1.0, 3.0, 0.5]
    assert (summary["value"], summary["baseline"], summary["ratio"]) == (1.0, 4.0, 0.5)
    assert summary["met"] is False  # the median ratio, 0.5, is over 0.4
    assert summary["target"] == "<= 0.4x baseline"


def test_the_rendered_report_lists_every_target_with_its_verdict(bench: ModuleType) -> None:
    entry = {
        "command": ".venv/bin/python benchmarks/triggers_scale.py",
        "runs": 1,
        "rounds_inside": "median of 3 interleaved runs",
        "seconds": [100.0],
        "load": [0.5, 1.5],
        "measured": "2026-12-01 19:00 UTC",
        "machine": {"cpu": "2 x CPU"},
        "figures": bench.aggregate(
            [
                [
                    {
                        "name": "longest block",
                        "unit": "ms",
                        "value": 60.0,
                        "baseline": None,
                        "baseline_name": "",
                        "ratio": None,
                        "target": {"limit": 50, "at_most": True, "of": "value"},
                    }
                ]
            ]
        ),
        "last_output": "longest block: 60 ms\n",
    }
    report = bench.render({"triggers_scale": entry})
    assert "| triggers_scale | longest block | 60 ms | <= 50 ms | **NOT met** |" in report
    assert "- `transfers`: `.venv/bin/python benchmarks/transfers.py --rounds 3`" in report, (
        "not measured yet"
    )
    assert "## Triggers at scale\n" in report, "the title is the docstring's first sentence, cut at its colon"
    assert "median of 3 interleaved runs" in report
