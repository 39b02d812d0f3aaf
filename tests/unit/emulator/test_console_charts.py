"""Console charts: predictions → the top emotions over time as SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest

from airflow_provider_hume.emulator.http.console_charts import chart_svg, model_chart

SVG = "{http://www.w3.org/2000/svg}"


def _at(key: str, index: int) -> dict[str, Any]:
    """Where the prediction at ``index`` sits, in the form ``key`` names."""
    if key == "time":
        return {"time": {"begin": index * 0.5, "end": index * 0.5 + 0.5}}
    if key == "frame":
        return {"frame": index * 3, "time": None}
    if key == "position":
        return {"position": {"begin": index * 4, "end": index * 4 + 3}, "time": None}
    return {}


def rows(*scores: dict[str, float], key: str = "time") -> list[dict[str, Any]]:
    return [
        {**_at(key, index), "emotions": [{"name": n, "score": s} for n, s in score.items()]}
        for index, score in enumerate(scores)
    ]


def prediction(*groups: list[dict[str, Any]]) -> dict[str, Any]:
    return {"grouped_predictions": [{"id": "unknown", "predictions": group} for group in groups]}


def test_top_emotions_by_mean_score_over_time() -> None:
    data = rows(*({f"e{n}": n / 10 + step / 100 for n in range(8)} for step in range(3)))
    chart = model_chart(prediction(data), top=3)
    assert chart is not None
    assert chart.x_label == "time (s)"
    assert chart.xs == (0.0, 0.5, 1.0)
    assert [name for name, _ in chart.lines] == ["e7", "e6", "e5"]
    assert chart.lines[0][1] == (0.7, 0.71, 0.72)


@pytest.mark.parametrize(
    ("key", "label"),
    [("position", "text position (characters)"), ("frame", "frame"), ("none", "prediction #")],
)
def test_axis_falls_back_to_position_frame_and_index(key: str, label: str) -> None:
    chart = model_chart(prediction(rows({"a": 0.1}, {"a": 0.2}, key=key)))
    assert chart is not None
    assert chart.x_label == label


def test_groups_sharing_a_time_are_averaged() -> None:
    chart = model_chart(prediction(rows({"a": 0.2}), rows({"a": 0.6})))
    assert chart is not None
    assert chart.xs == (0.0,)
    assert chart.lines == (("a", (0.4,)),)


def test_no_emotions_means_no_chart() -> None:
    assert model_chart({"grouped_predictions": []}) is None
    assert model_chart(prediction([{"time": None, "entity": "x"}])) is None


def test_svg_is_well_formed_and_escaped() -> None:
    chart = model_chart(prediction(rows({"<Joy&>": 0.9, "Calm": 0.1}, {"<Joy&>": 0.8, "Calm": 0.3})))
    assert chart is not None
    svg = chart_svg(chart, 'file "<x>".wav: prosody')
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("aria-label") == 'file "<x>".wav: prosody'
    assert len(root.findall(f".//{SVG}polyline")) == 2
    series = [group.get("data-emotion") for group in root.iter(f"{SVG}g") if group.get("class") == "series"]
    assert series == ["<Joy&>", "Calm"]


def test_single_point_chart_draws_a_visible_bar_per_emotion() -> None:
    chart = model_chart(prediction(rows({"a": 0.5, "b": 0.0})))
    assert chart is not None
    root = ET.fromstring(chart_svg(chart, "one"))
    assert not root.findall(f".//{SVG}polyline")
    frame = next(rect for rect in root.iter(f"{SVG}rect") if rect.get("class") == "frame")
    left, top = float(frame.get("x", "")), float(frame.get("y", ""))
    right, bottom = left + float(frame.get("width", "")), top + float(frame.get("height", ""))
    bars = {
        group.get("data-emotion"): group.find(f"{SVG}rect")
        for group in root.iter(f"{SVG}g")
        if group.get("class") == "series"
    }
    assert set(bars) == {"a", "b"}
    for name, bar in bars.items():
        assert bar is not None, name
        assert bar.get("class") == "bar", name
        x, y = float(bar.get("x", "")), float(bar.get("y", ""))
        width, height = float(bar.get("width", "")), float(bar.get("height", ""))
        assert width >= 8, name
        assert height >= 2, name  # a zero score still shows
        assert left < x < x + width < right, name
        assert top <= y < y + height == pytest.approx(bottom, abs=0.1), name
    a_bar = bars["a"]
    assert a_bar is not None
    assert float(a_bar.get("height", "")) == pytest.approx((bottom - top) * 0.5, abs=0.1)
    assert any(text.text == "time (s): 0" for text in root.iter(f"{SVG}text"))


def test_sparse_series_have_a_marker_on_each_point() -> None:
    chart = model_chart(prediction(rows({"a": 0.2}, {"a": 0.9}, {"a": 0.4})))
    assert chart is not None
    root = ET.fromstring(chart_svg(chart, "three"))
    series = next(group for group in root.iter(f"{SVG}g") if group.get("class") == "series")
    assert len(series.findall(f"{SVG}polyline")) == 1
    assert len(series.findall(f"{SVG}circle")) == 3
