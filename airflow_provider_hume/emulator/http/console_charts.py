"""Charts of the console: one model's predictions → the top emotions over time, as inline SVG.

The x axis is what the predictions carry: seconds (``time`` or ``time.begin``), else the text position
(``position.begin``), else the frame, else the prediction's index. Predictions sharing an x value (several
faces or speakers) are averaged. The top emotions are those with the highest mean score. Every point is
visible: a marker on each (up to 60 points a line), or, with a single x value (one image, one utterance), a
bar per emotion.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any, Final

TOP_EMOTIONS: Final = 5
COLOURS: Final = ("#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777")
WIDTH: Final = 560
HEIGHT: Final = 230
_LEFT, _RIGHT, _TOP, _BOTTOM = 40, 175, 12, 38
_PLOT_W, _PLOT_H = WIDTH - _LEFT - _RIGHT, HEIGHT - _TOP - _BOTTOM
_MARKERS_UP_TO: Final = 60
_MIN_BAR: Final = 2.0
_MAX_BAR_WIDTH: Final = 48.0


@dataclass(frozen=True)
class Chart:
    """Lines of scores (0..1) over ``xs``, one per emotion, best first."""

    x_label: str
    xs: tuple[float, ...]
    lines: tuple[tuple[str, tuple[float, ...]], ...]


def model_chart(prediction: Mapping[str, Any], top: int = TOP_EMOTIONS) -> Chart | None:
    """The chart of one model's ``{"grouped_predictions": ...}``; ``None`` if nothing has emotions."""
    rows = [
        row
        for group in prediction.get("grouped_predictions") or ()
        for row in group.get("predictions") or ()
        if row.get("emotions")
    ]
    if not rows:
        return None
    positions = [_position(row) for row in rows]
    labels = {label for label, _ in (found for found in positions if found is not None)}
    if None in positions or len(labels) != 1:
        x_label, xs = "prediction #", [float(index) for index in range(len(rows))]
    else:
        x_label, xs = labels.pop(), [found[1] for found in positions if found is not None]
    grouped: dict[float, list[dict[str, float]]] = {}
    for x, row in zip(xs, rows, strict=True):
        grouped.setdefault(x, []).append({str(e["name"]): float(e["score"]) for e in row["emotions"]})
    points = sorted(grouped.items())
    series: dict[str, list[float]] = {}
    for index, (_, scores) in enumerate(points):
        for name in {name for score in scores for name in score}:
            values = [score[name] for score in scores if name in score]
            series.setdefault(name, [0.0] * len(points))[index] = sum(values) / len(values)
    best = sorted(series, key=lambda name: (-sum(series[name]) / len(points), name))[:top]
    return Chart(x_label, tuple(x for x, _ in points), tuple((name, tuple(series[name])) for name in best))


def _position(row: Mapping[str, Any]) -> tuple[str, float] | None:
    """``(axis label, x)`` of one prediction, or ``None`` if it has no time, position or frame."""
    time = row.get("time")
    if isinstance(time, Mapping) and isinstance(time.get("begin"), int | float):
        return "time (s)", float(time["begin"])
    if isinstance(time, int | float) and not isinstance(time, bool):
        return "time (s)", float(time)
    position = row.get("position")
    if isinstance(position, Mapping) and isinstance(position.get("begin"), int | float):
        return "text position (characters)", float(position["begin"])
    frame = row.get("frame")
    if isinstance(frame, int | float) and not isinstance(frame, bool):
        return "frame", float(frame)
    return None


def chart_svg(chart: Chart, title: str) -> str:
    """``chart`` as an inline ``<svg>`` element: a score grid, the series and a legend.

    Each series is a line with a marker on each point (markers up to 60 points); with a single x value,
    where a line would draw nothing, each is a bar instead, its score written above it.
    """
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = _py(tick)
        parts.append(f'<line class="grid" x1="{_LEFT}" y1="{y:.1f}" x2="{_LEFT + _PLOT_W}" y2="{y:.1f}"/>')
        parts.append(f'<text class="tick" x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{tick:g}</text>')
    parts.append(
        f'<rect class="frame" x="{_LEFT}" y="{_TOP}" width="{_PLOT_W}" height="{_PLOT_H}" fill="none"/>'
    )
    parts += _bars(chart) if len(chart.xs) == 1 else _lines(chart)
    parts.append(f'<text class="axis" x="{WIDTH - _RIGHT + 14}" y="{_TOP + 8}">top by mean score</text>')
    for index, (name, scores) in enumerate(chart.lines):
        legend_y = _TOP + 26 + index * 18
        legend_x = WIDTH - _RIGHT + 14
        parts.append(
            f'<g class="legend"><title>{escape(name)}: mean {sum(scores) / len(scores):.2f}</title>'
            f'<rect x="{legend_x}" y="{legend_y - 8}" width="12" height="12" fill="{_colour(index)}"/>'
            f'<text x="{legend_x + 18}" y="{legend_y + 2}">{escape(name)}</text></g>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def _lines(chart: Chart) -> list[str]:
    """The x axis (ticks, label) and a line per emotion, with markers on up to 60 points."""
    low = min(0.0, chart.xs[0])
    high = chart.xs[-1] + (chart.xs[-1] - low) * 0.04  # room for the last markers

    def px(x: float) -> float:
        return _LEFT + (x - low) / (high - low) * _PLOT_W

    parts = [
        f'<text class="tick" x="{px(x):.1f}" y="{_TOP + _PLOT_H + 16}" text-anchor="middle">{x:g}</text>'
        for x in _ticks(low, high)
    ]
    parts.append(_x_label(chart.x_label))
    for index, (name, scores) in enumerate(chart.lines):
        colour = _colour(index)
        coords = [(px(x), _py(score)) for x, score in zip(chart.xs, scores, strict=True)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        parts.append(f'<g class="series" data-emotion="{escape(name)}"><title>{escape(name)}</title>')
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        if len(coords) <= _MARKERS_UP_TO:
            parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in coords]
        parts.append("</g>")
    return parts


def _bars(chart: Chart) -> list[str]:
    """A bar per emotion (at least 2 pixels tall), for a chart with a single x value."""
    slot = _PLOT_W / len(chart.lines)
    width = min(slot * 0.6, _MAX_BAR_WIDTH)
    bottom = _TOP + _PLOT_H
    parts = [_x_label(f"{chart.x_label}: {chart.xs[0]:g}")]
    for index, (name, (score,)) in enumerate(chart.lines):
        x = _LEFT + slot * (index + 0.5) - width / 2
        top = min(_py(score), bottom - _MIN_BAR)
        above = top - 4 >= _TOP + 10  # the score is written above the bar, else inside its top
        label = f'y="{top - 4:.1f}"' if above else f'y="{top + 14:.1f}" class="inside"'
        parts.append(
            f'<g class="series" data-emotion="{escape(name)}"><title>{escape(name)}: {score:.2f}</title>'
            f'<rect class="bar" x="{x:.1f}" y="{top:.1f}" width="{width:.1f}" height="{bottom - top:.1f}" '
            f'fill="{_colour(index)}"/>'
            f'<text x="{x + width / 2:.1f}" {label} text-anchor="middle">{score:.2f}</text></g>'
        )
    return parts


def _x_label(text: str) -> str:
    return (
        f'<text class="axis" x="{_LEFT + _PLOT_W / 2:.1f}" y="{HEIGHT - 4}" text-anchor="middle">'
        f"{escape(text)}</text>"
    )


def _py(score: float) -> float:
    """The y pixel of a score, clamped to 0..1."""
    return _TOP + (1 - max(0.0, min(1.0, score))) * _PLOT_H


def _colour(index: int) -> str:
    return COLOURS[index % len(COLOURS)]


def _ticks(low: float, high: float, count: int = 5) -> Sequence[float]:
    """About ``count`` round values spanning ``low``..``high``."""
    raw = (high - low) / max(1, count - 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.ceil(low / step) * step
    return [round(first + i * step, 6) for i in range(int((high - first) / step + 1e-9) + 1)]
