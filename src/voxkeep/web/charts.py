"""Small server-rendered SVG charts: bars (grouped or stacked) and lines, for the console.

No script and no inline style (the Content-Security-Policy forbids both):
colours come from classes in ``static/oversight.css`` (``series-0``, ``series-1``,
…). Each chart is an ``<svg role="img">`` named by its ``<title>`` and
described by its ``<desc>``; the page shows the same numbers in a table beside
it (``Chart.rows``), so nobody needs to read the picture.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from markupsafe import Markup, escape

WIDTH: Final = 640
HEIGHT: Final = 260
LEFT: Final = 48  # room for the value axis labels
RIGHT: Final = 12
TOP: Final = 12
BOTTOM: Final = 40  # room for the category labels
TICKS: Final = 4


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]  # None: no value for that category (a gap in a line)


@dataclass(frozen=True)
class Chart:
    id: str  # unique on the page: names the title and description for aria-labelledby
    title: str
    description: str
    labels: Sequence[str]  # one per category (a month, say), as the table shows it
    series: Sequence[Series]
    unit: str = ""  # appended to axis labels, e.g. "%"
    axis_labels: Sequence[str] | None = None  # shorter ones under the bars; default: labels

    @property
    def rows(self) -> list[tuple[str, list[float | None]]]:
        """The table beside the chart: one row per category, one value per series."""
        return [(label, [s.values[i] for s in self.series]) for i, label in enumerate(self.labels)]


def axis_top(value: float) -> float:
    """The value axis' top: TICKS steps of 1, 2 or 5 × 10^k (at least 1), covering value.

    Counts then fall on whole-numbered grid lines (0, 1, 2, 3, 4; 0, 5, …, 20).
    """
    wanted = max(value / TICKS, 1.0)
    power = 10 ** math.floor(math.log10(wanted))
    step = next(m * power for m in (1, 2, 5, 10) if wanted <= m * power)
    return float(step * TICKS)


def _number(value: float) -> str:
    return f"{value:g}"


class _Frame:
    """The plot area: maps category positions and values to SVG coordinates."""

    def __init__(self, chart: Chart, top_value: float) -> None:
        self.chart = chart
        self.top_value = top_value
        self.plot_width = WIDTH - LEFT - RIGHT
        self.plot_height = HEIGHT - TOP - BOTTOM
        self.band = self.plot_width / max(len(chart.labels), 1)

    def y(self, value: float) -> float:
        return TOP + self.plot_height * (1 - value / self.top_value)

    def band_left(self, index: int) -> float:
        return LEFT + index * self.band

    def axes(self) -> list[str]:
        parts = []
        for tick in range(TICKS + 1):
            value = self.top_value * tick / TICKS
            y = self.y(value)
            parts.append(
                f'<line class="chart-grid" x1="{LEFT}" y1="{y:.1f}" '
                f'x2="{WIDTH - RIGHT}" y2="{y:.1f}"/>'
                f'<text class="chart-axis" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
                f"{escape(_number(value) + self.chart.unit)}</text>"
            )
        for index, label in enumerate(self.chart.axis_labels or self.chart.labels):
            x = self.band_left(index) + self.band / 2
            parts.append(
                f'<text class="chart-axis" x="{x:.1f}" y="{HEIGHT - BOTTOM + 18}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
        return parts


def _svg(chart: Chart, kind: str, body: list[str]) -> Markup:
    title_id, desc_id = f"{chart.id}-title", f"{chart.id}-desc"
    legend = "".join(
        f'<g class="chart-legend series-{n}"><rect x="{LEFT + n * 160}" y="{HEIGHT - 14}" '
        f'width="10" height="10"/><text x="{LEFT + n * 160 + 14}" y="{HEIGHT - 5}">'
        f"{escape(s.name)}</text></g>"
        for n, s in enumerate(chart.series)
    )
    # Every text in it went through escape(); numbers and class names are ours.
    return Markup(  # noqa: S704
        f'<svg class="chart chart-{kind}" id="{escape(chart.id)}" role="img" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" aria-labelledby="{escape(title_id)} {escape(desc_id)}" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{escape(title_id)}">{escape(chart.title)}</title>'
        f'<desc id="{escape(desc_id)}">{escape(chart.description)}</desc>'
        + "".join(body)
        + legend
        + "</svg>"
    )


def bar_chart(chart: Chart, *, stacked: bool = False) -> Markup:
    """Bars per category: side by side, or stacked into one bar of the total."""
    values = [[v or 0.0 for v in s.values] for s in chart.series]
    totals = [sum(column) for column in zip(*values, strict=True)] if values else []
    highest = max(totals if stacked else [v for row in values for v in row], default=0.0)
    frame = _Frame(chart, axis_top(highest))
    body = frame.axes()
    slots = 1 if stacked else max(len(values), 1)
    width = frame.band * 0.7 / slots
    for index in range(len(chart.labels)):
        base = 0.0
        for n, row in enumerate(values):
            value = row[index]
            x = frame.band_left(index) + frame.band * 0.15 + (0 if stacked else n * width)
            low = base if stacked else 0.0
            top, bottom = frame.y(low + value), frame.y(low)
            body.append(
                f'<rect class="chart-bar series-{n}" x="{x:.1f}" y="{top:.1f}" '
                f'width="{width:.1f}" height="{bottom - top:.1f}"/>'
            )
            if stacked:
                base += value
    return _svg(chart, "bars", body)


def line_chart(chart: Chart, *, top: float | None = None) -> Markup:
    """A line per series with a dot at each value; a missing value breaks the line."""
    present = [v for s in chart.series for v in s.values if v is not None]
    frame = _Frame(chart, top if top is not None else axis_top(max(present, default=0.0)))
    lines: list[str] = []
    dots: list[str] = []
    for n, series in enumerate(chart.series):
        runs: list[list[tuple[float, float]]] = [[]]
        for index, value in enumerate(series.values):
            if value is None:
                runs.append([])
                continue
            x, y = frame.band_left(index) + frame.band / 2, frame.y(value)
            runs[-1].append((x, y))
            dots.append(f'<circle class="chart-dot series-{n}" cx="{x:.1f}" cy="{y:.1f}" r="3.5"/>')
        lines.extend(
            f'<polyline class="chart-line series-{n}" points="'
            + " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
            + '"/>'
            for run in runs
            if len(run) > 1
        )
    body = frame.axes() + lines + dots  # dots on top of the lines
    return _svg(chart, "line", body)
