"""The SVG charts: accessible names, no inline style, bars and lines where the numbers say."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import pytest

from voxkeep.web.charts import Chart, Series, axis_top, bar_chart, line_chart

NS = {"svg": "http://www.w3.org/2000/svg"}
CHART = Chart(
    id="requests",
    title="Requests per month <by kind>",
    description="Access and erasure requests received in each month.",
    labels=["2026-01", "2026-02", "2026-03"],
    series=[Series("Access", [1, 2, 0]), Series("Erasure", [0, 2, 3])],
)


def _parse(markup: str) -> ElementTree.Element:
    return ElementTree.fromstring(markup)  # noqa: S314 (our own output)


@pytest.mark.parametrize(
    ("value", "top"),
    [(0, 4), (1, 4), (4, 4), (5, 8), (8, 8), (9, 20), (21, 40), (41, 80), (81, 200), (1700, 2000)],
)
def test_the_value_axis_ends_where_four_round_steps_cover_the_highest_value(
    value: float, top: float
) -> None:
    assert axis_top(value) == top


def test_a_chart_is_an_image_named_by_its_title_and_description() -> None:
    svg = _parse(bar_chart(CHART))
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "requests-title requests-desc"
    assert svg.find("svg:title", NS) is not None
    assert svg.find("svg:title", NS).text == "Requests per month <by kind>"  # type: ignore[union-attr]
    assert svg.find("svg:desc", NS).get("id") == "requests-desc"  # type: ignore[union-attr]
    assert "style" not in bar_chart(CHART) and "<script" not in bar_chart(CHART)


def test_grouped_bars_stand_side_by_side_and_scale_to_the_highest_value() -> None:
    bars = _parse(bar_chart(CHART)).findall("svg:rect[@class]", NS)
    bars = [b for b in bars if "chart-bar" in (b.get("class") or "")]
    heights = [float(b.get("height") or 0) for b in bars]
    # 3 months x 2 series; the axis tops at 4, so a value of 3 fills 3/4 of 208 px.
    assert len(bars) == 6
    assert heights == pytest.approx([52, 0, 104, 104, 0, 156])
    assert {b.get("class") for b in bars} == {"chart-bar series-0", "chart-bar series-1"}


def test_stacked_bars_add_up_to_the_total() -> None:
    bars = [
        b
        for b in _parse(bar_chart(CHART, stacked=True)).findall("svg:rect", NS)
        if "chart-bar" in (b.get("class") or "")
    ]
    tops = [float(b.get("y") or 0) for b in bars]
    heights = [float(b.get("height") or 0) for b in bars]
    # The axis tops at 4, the highest total; February stacks 2 on 2 to the top.
    assert heights[2] + heights[3] == pytest.approx(208)
    assert tops[3] + heights[3] == pytest.approx(tops[2])


def test_a_missing_value_breaks_the_line() -> None:
    chart = Chart(
        id="on-time",
        title="Answered on time",
        description="Share of answers given by their due date.",
        labels=["a", "b", "c", "d"],
        series=[Series("On time", [100, None, 50, 75])],
        unit="%",
    )
    markup = line_chart(chart, top=100)
    svg = _parse(markup)
    lines = svg.findall("svg:polyline", NS)
    assert len(lines) == 1  # c–d; a stands alone
    assert len(svg.findall("svg:circle", NS)) == 3
    assert re.search(r">100%</text>", markup)


def test_rows_are_the_table_beside_the_chart() -> None:
    assert CHART.rows == [("2026-01", [1, 0]), ("2026-02", [2, 2]), ("2026-03", [0, 3])]
