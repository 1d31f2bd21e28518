"""Charts drawn on the server as SVG: bars and a line, their geometry worked out here.

The templates (templates/monitoring/includes/) only place the shapes; no JavaScript and no
chart library reach the browser, so a chart costs a few hundred bytes on a slow connection
and prints as it shows. A suppressed count draws no bar: its label says "<5".
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

WIDTH = 640
HEIGHT = 240
TOP = 40  # room for the values above the bars and the reference line's label
BOTTOM = 40  # room for the labels under the bars
SIDE = 12
# Fills as SVG presentation attributes, for the PDF (WeasyPrint does not style inline SVG from
# the page's stylesheet); in the browser app.css sets the same colours by class.
FILLS = {
    "risk-critical": "#a40e26",
    "risk-high": "#c4432b",
    "risk-medium": "#9a6700",
    "risk-low": "#1a7f37",
    "current": "#7a4d00",
}
DEFAULT_FILL = "#0b5cad"


@dataclass(frozen=True)
class Bar:
    """One bar: its box in the chart, its label and the value written above it."""

    x: float
    y: float
    width: float
    height: float
    centre: float
    label: str
    value: str
    value_y: float
    css: str
    fill: str


@dataclass(frozen=True)
class BarChart:
    """A bar chart with an optional reference line (a baseline)."""

    title: str
    description: str
    width: int
    height: int
    axis_y: float
    bars: list[Bar]
    reference_y: float | None
    reference_label: str


def bar_chart(
    items: Sequence[tuple[str, Any, str]],
    *,
    title: str,
    reference: float | None = None,
    reference_label: str = "",
) -> BarChart:
    """Return a bar chart of (label, figure, css class) items.

    A figure is anything with `count` (None when suppressed) and `display`.
    """
    axis_y = HEIGHT - BOTTOM
    plot = axis_y - TOP
    counts = [figure.count for _label, figure, _css in items if figure.count is not None]
    top = max([*counts, reference or 0, 1])
    slot = (WIDTH - 2 * SIDE) / max(len(items), 1)
    bars = []
    for index, (label, figure, css) in enumerate(items):
        height = plot * (figure.count or 0) / top
        x = SIDE + slot * index + slot * 0.15
        bars.append(
            Bar(
                x=round(x, 1),
                y=round(axis_y - height, 1),
                width=round(slot * 0.7, 1),
                height=round(height, 1),
                centre=round(x + slot * 0.35, 1),
                label=label,
                value=figure.display,
                value_y=round(axis_y - height - 6, 1),
                css=css,
                fill=FILLS.get(css, DEFAULT_FILL),
            )
        )
    reference_y = None if reference is None else round(axis_y - plot * reference / top, 1)
    description = "; ".join(f"{label}: {figure.display}" for label, figure, _css in items)
    return BarChart(
        title=title,
        description=description,
        width=WIDTH,
        height=HEIGHT,
        axis_y=axis_y,
        bars=bars,
        reference_y=reference_y,
        reference_label=reference_label,
    )


@dataclass(frozen=True)
class LineChart:
    """A line through dated values, with its first and last dates and its range labelled."""

    title: str
    description: str
    width: int
    height: int
    points: str
    axis_y: float
    first_label: str
    last_label: str
    low_label: str
    high_label: str
    last_x: float
    last_y: float


def line_chart(values: Sequence[tuple[str, int]], *, title: str) -> LineChart | None:
    """Return a line chart of (label, value) pairs in order, or None with fewer than two."""
    if len(values) < 2:
        return None
    axis_y = HEIGHT - BOTTOM
    plot = axis_y - TOP
    numbers = [value for _label, value in values]
    low, high = min(numbers), max(numbers)
    span = (high - low) or 1
    step = (WIDTH - 2 * SIDE - 60) / (len(values) - 1)
    coordinates = [
        (round(SIDE + 60 + step * index, 1), round(axis_y - plot * (value - low) / span, 1))
        for index, value in enumerate(numbers)
    ]
    return LineChart(
        title=title,
        description=f"{values[0][0]}: {values[0][1]}; {values[-1][0]}: {values[-1][1]}",
        width=WIDTH,
        height=HEIGHT,
        points=" ".join(f"{x},{y}" for x, y in coordinates),
        axis_y=axis_y,
        first_label=values[0][0],
        last_label=values[-1][0],
        low_label=f"{low:,}",
        high_label=f"{high:,}",
        last_x=coordinates[-1][0],
        last_y=coordinates[-1][1],
    )
