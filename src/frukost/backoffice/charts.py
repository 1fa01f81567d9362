"""Server-rendered SVG charts for the statistics pages: no JavaScript, no inline styles.

Pure functions: figures in, an SVG string out (via the templates backoffice/_chart_*.svg, so
every label is escaped). Colours come from CSS classes in backoffice.css (the brand colour
through --brand-strong). Each chart is `role="img"` with a <title> and <desc>; the page shows
the same numbers in a table beside it for screen readers and for copying.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from frukost.core import formats

# Sizes in SVG user units; the charts scale to the width of their box, so these set the text's
# size relative to the drawing (13 units of text on a 900-wide line chart, 360-wide bars).
WIDTH = 900
LINE_HEIGHT = 320
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 44, 16, 30, 34
BAR_WIDTH = 360
BAR_ROW = 44
BAR_LABEL_GAP = 18
BAR_HEIGHT = 12


@dataclass(frozen=True)
class Point:
    day: dt.date
    total: int


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    # What the bar is measured against (capacity, all colleagues …); the track's full length.
    of: int
    # The number as the table and the label say it, e.g. "34 av 60".
    text: str


def nice_ceiling(value: float) -> int:
    """The smallest of 1, 2, 2.5, 5 × 10^n that is at least `value` (for the y axis)."""
    if value <= 0:
        return 1
    exponent = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * exponent >= value:
            return max(1, math.ceil(step * exponent))
    return math.ceil(10 * exponent)  # pragma: no cover - the loop always returns


def cumulative_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    points: Sequence[Point],
    start: dt.date,
    end: dt.date,
    capacity: int,
    deadline: dt.date | None,
    capacity_label: str,
    deadline_label: str,
    language: str,
) -> SafeString:
    """A step line of registrations so far per day, capacity as a horizontal line and the last
    day to register as a vertical one. The x axis runs from `start` to `end` (inclusive)."""
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = LINE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    top_value = nice_ceiling(max([capacity, *(p.total for p in points)]) * 1.05)
    span = max((end - start).days + 1, 1)  # every day is one slot wide

    def x(day: dt.date, *, end_of_day: bool = False) -> float:
        return round(MARGIN_LEFT + plot_w * ((day - start).days + end_of_day) / span, 1)

    def y(value: float) -> float:
        return round(MARGIN_TOP + plot_h - plot_h * value / top_value, 1)

    # A step line: each day's total holds from the start of that day to its end.
    path = []
    for point in points:
        path.append(f"{'L' if path else 'M'}{x(point.day)},{y(point.total)}")
        path.append(f"L{x(point.day, end_of_day=True)},{y(point.total)}")
    area = ""
    if points:
        area = f"M{x(points[0].day)},{y(0)} " + " ".join(p.replace("M", "L") for p in path)
        area += f" L{x(points[-1].day, end_of_day=True)},{y(0)} Z"
    ticks = [{"y": y(top_value * step / 4), "label": round(top_value * step / 4)} for step in range(5)]
    ticks = [
        tick for index, tick in enumerate(ticks) if index == 0 or tick["label"] != ticks[index - 1]["label"]
    ]
    x_labels = [{"x": x(start), "label": _day_label(start, language), "anchor": "start"}]
    if end != start:
        x_labels.append({"x": x(end, end_of_day=True), "label": _day_label(end, language), "anchor": "end"})
    context = {
        "id": chart_id,
        "title": title,
        "description": description,
        "width": WIDTH,
        "height": LINE_HEIGHT,
        "left": MARGIN_LEFT,
        "right": WIDTH - MARGIN_RIGHT,
        "top": MARGIN_TOP,
        "bottom": y(0),
        "path": " ".join(path),
        "area": area,
        "ticks": ticks,
        "x_labels": x_labels,
        "x_label_y": LINE_HEIGHT - 10,
        "capacity": {"y": y(capacity), "label": capacity_label},
        "deadline": (
            {"x": x(deadline, end_of_day=True), "label": deadline_label}
            if deadline is not None and start <= deadline <= end
            else None
        ),
    }
    return render_to_string("backoffice/_chart_cumulative.svg", context)


def bar_chart(*, chart_id: str, title: str, description: str, bars: Sequence[Bar]) -> SafeString:
    """Horizontal bars, each against its own whole (a track of full length behind it)."""
    plot_w = BAR_WIDTH - 2
    rows = []
    for index, bar in enumerate(bars):
        top = index * BAR_ROW
        share = min(bar.value / bar.of, 1) if bar.of else 0
        rows.append(
            {
                "label": bar.label,
                "text": bar.text,
                "label_y": top + 14,
                "bar_y": top + BAR_LABEL_GAP + 4,
                "width": round(plot_w * share, 1),
            }
        )
    context = {
        "id": chart_id,
        "title": title,
        "description": description,
        "width": BAR_WIDTH,
        "height": max(len(bars) * BAR_ROW, BAR_ROW),
        "track_width": plot_w,
        "bar_height": BAR_HEIGHT,
        "rows": rows,
    }
    return render_to_string("backoffice/_chart_bars.svg", context)


def _day_label(day: dt.date, language: str) -> str:
    return formats.short_date(day, language).rsplit(" ", 1)[0]  # "16 maj" without the year
