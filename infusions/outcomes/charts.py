"""A patient's outcome scores across the course as server-rendered SVG, with the table a screen reader reads.

Not a chart library or JavaScript: the CSP allows no inline <script>, <style> or style="", which pygal always
writes, and leather has no viewBox, <title> or tooltips. xml.etree.ElementTree escapes every value; the looks are
classes in static/css/charts.css, and the only presentation attribute is fill="none" on the lines, so a page
printed or saved without the stylesheet shows no black filled polygons.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

__all__ = [
    "HEIGHT_PLOT",
    "KINDS",
    "MARGIN_LEFT",
    "MARGIN_TOP",
    "WIDTH",
    "ChartPoint",
    "ChartRow",
    "chart_rows",
    "course_chart",
    "y_for",
]

KINDS = ("baseline", "series", "evaluation", "maintenance")

# The drawing's own units (the viewBox); the SVG is width="100%" and scales to its box on screen and on paper.
WIDTH = 440
MARGIN_LEFT = 36  # the y axis' tick labels
MARGIN_RIGHT = 96  # the reference lines' labels ("50% of baseline")
MARGIN_TOP = 12
HEIGHT_PLOT = 200
PLOT_WIDTH = WIDTH - MARGIN_LEFT - MARGIN_RIGHT

FONT = 11  # the axis font size in charts.css, used here only to estimate the width of a label
CHAR_WIDTH = 0.6 * FONT
# Longer x labels are cut with an ellipsis on the axis; the point's tooltip and the table keep the whole label.
LABEL_MAX_CHARS = 20
RADIUS = 4
RESPONSE_LABEL = "50% of baseline"
REMISSION_LABEL = "Remission"

# Characters XML 1.0 does not allow: a label holding one would make the whole chart unparseable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CHART_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
# How a point is spoken in the summary when the caller gives no `spoken`: "Inf 6" -> "infusion 6".
_SPOKEN_PREFIXES = (("Inf ", "infusion "), ("Booster ", "booster "))
_SPOKEN_WORDS = {"Baseline": "baseline", "Eval": "the evaluation", "Evaluation": "the evaluation"}


@dataclass(frozen=True)
class ChartPoint:
    """One place on the x axis. `total` None is a visit without that score: no dot, a gap in the line.

    `spoken` is how the point reads in the chart's summary ("infusion 6"); it defaults to one made from the label.
    """

    label: str
    total: int | None
    kind: str
    spoken: str = ""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r}: one of {', '.join(KINDS)}")

    @property
    def said(self) -> str:
        if self.spoken:
            return self.spoken
        if self.label in _SPOKEN_WORDS:
            return _SPOKEN_WORDS[self.label]
        for short, long in _SPOKEN_PREFIXES:
            if self.label.startswith(short):
                return long + self.label[len(short) :]
        return self.label


@dataclass(frozen=True)
class ChartRow:
    """A row of the table beside the chart: the visit, its total and the change from the baseline in percent."""

    label: str
    total: int | None
    change_pct: int | None

    @property
    def change_text(self) -> str:
        if self.change_pct is None:
            return ""
        if self.change_pct > 0:
            return f"+{self.change_pct}%"
        if self.change_pct < 0:
            return f"\N{MINUS SIGN}{-self.change_pct}%"
        return "0%"


def chart_rows(points: list[ChartPoint]) -> list[ChartRow]:
    """The table's rows (templates/infusions/outcomes/_course_chart.html, what a screen reader reads); the change is
    against the first baseline that has a total, rounded to a whole percent."""
    baseline = next((p.total for p in points if p.kind == "baseline" and p.total is not None), None)
    rows = []
    for point in points:
        change = None
        if baseline and point.total is not None and point.kind != "baseline":
            change = round((point.total - baseline) * 100 / baseline)
        rows.append(ChartRow(point.label, point.total, change))
    return rows


def y_for(value: float, max_total: int) -> float:
    """The y of a score in the drawing: 0 at the bottom of the plot, max_total at its top (a higher score is higher)."""
    return MARGIN_TOP + HEIGHT_PLOT * (1 - value / max_total)


def course_chart(
    *,
    title: str,
    points: list[ChartPoint],
    max_total: int,
    response_line: float | None,
    remission_line: float | None,
    chart_id: str = "",
) -> SafeString:
    """The chart as inline SVG markup, safe to put in a template as it is.

    `chart_id` prefixes the ids that aria-labelledby/-describedby point at; it defaults to one made from the title,
    so give one when a page shows two charts with the same title.
    """
    if max_total <= 0:
        raise ValueError("max_total must be positive")
    for point in points:
        if point.total is not None and not 0 <= point.total <= max_total:
            raise ValueError(f"{point.label}: total {point.total} is outside 0..{max_total}")
    for name, line in (("response_line", response_line), ("remission_line", remission_line)):
        if line is not None and not 0 <= line <= max_total:
            raise ValueError(f"{name} {line} is outside 0..{max_total}")
    chart_id = chart_id or f"chart-{slugify(title) or 'scores'}"
    if not _CHART_ID.match(chart_id):
        raise ValueError(f"chart_id {chart_id!r}: a letter, then letters, digits, - or _")

    slot = PLOT_WIDTH / len(points) if points else PLOT_WIDTH
    xs = [MARGIN_LEFT + slot * (i + 0.5) for i in range(len(points))]
    shown = [_axis_label(p.label) for p in points]
    rotate = any(len(text) * CHAR_WIDTH > slot - 4 for text in shown)
    longest = max((len(text) for text in shown), default=0) * CHAR_WIDTH
    # Rotated 40 degrees, a label needs sin(40) of its length below the axis; level, one line.
    margin_bottom = (math.ceil(longest * 0.643) + 24) if rotate else 24
    height = MARGIN_TOP + HEIGHT_PLOT + margin_bottom
    plot_bottom = MARGIN_TOP + HEIGHT_PLOT
    plot_right = MARGIN_LEFT + PLOT_WIDTH

    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "class": "course-chart",
            "viewBox": f"0 0 {WIDTH} {height}",
            "width": "100%",
            "role": "img",
            "aria-labelledby": f"{chart_id}-title",
            "aria-describedby": f"{chart_id}-desc",
        },
    )
    _sub(svg, "title", {"id": f"{chart_id}-title"}, title)
    _sub(svg, "desc", {"id": f"{chart_id}-desc"}, _summary(title, points, response_line, remission_line))

    # The y axis: a grid line and a label per tick.
    grid = _sub(svg, "g", {"class": "chart-grid"})
    for tick in _ticks(max_total):
        y = _n(y_for(tick, max_total))
        _sub(grid, "line", {"x1": _n(MARGIN_LEFT), "x2": _n(plot_right), "y1": y, "y2": y})
        _sub(grid, "text", {"class": "chart-tick-y", "x": _n(MARGIN_LEFT - 6), "y": y}, str(tick))
    axes = _sub(svg, "g", {"class": "chart-axis"})
    _sub(axes, "line", {"x1": _n(MARGIN_LEFT), "x2": _n(MARGIN_LEFT), "y1": _n(MARGIN_TOP), "y2": _n(plot_bottom)})
    _sub(axes, "line", {"x1": _n(MARGIN_LEFT), "x2": _n(plot_right), "y1": _n(plot_bottom), "y2": _n(plot_bottom)})

    # The x axis: a tick and a label per point (every k-th when they are too many to read).
    every = max(1, math.ceil(len(points) * (FONT + 2) / PLOT_WIDTH))
    labels = _sub(svg, "g", {"class": "chart-labels-x chart-labels-x-rotated" if rotate else "chart-labels-x"})
    for i, (x, text) in enumerate(zip(xs, shown, strict=True)):
        _sub(axes, "line", {"x1": _n(x), "x2": _n(x), "y1": _n(plot_bottom), "y2": _n(plot_bottom + 4)})
        if i % every and i != len(points) - 1:
            continue
        attrs = {"x": _n(x), "y": _n(plot_bottom + 14)}
        if rotate:
            attrs["transform"] = f"rotate(40 {_n(x)} {_n(plot_bottom + 10)})"
        _sub(labels, "text", attrs, text)

    # The reference lines, dashed, labelled at the right end; two labels too close are pushed apart.
    refs = [
        (line, label, kind)
        for line, label, kind in (
            (response_line, RESPONSE_LABEL, "response"),
            (remission_line, REMISSION_LABEL, "remission"),
        )
        if line is not None
    ]
    label_ys = [y_for(line, max_total) for line, _, _ in refs]
    if len(refs) == 2 and abs(label_ys[0] - label_ys[1]) < FONT + 2:
        upper = 0 if label_ys[0] <= label_ys[1] else 1
        middle = (label_ys[0] + label_ys[1]) / 2
        label_ys[upper] = middle - (FONT + 2) / 2
        label_ys[1 - upper] = middle + (FONT + 2) / 2
    for (line, label, kind), label_y in zip(refs, label_ys, strict=True):
        group = _sub(svg, "g", {"class": f"chart-ref chart-ref-{kind}"})
        y = _n(y_for(line, max_total))
        _sub(group, "line", {"x1": _n(MARGIN_LEFT), "x2": _n(plot_right), "y1": y, "y2": y})
        _sub(group, "text", {"x": _n(plot_right + 4), "y": _n(label_y)}, label)

    # The scores: a line through each run of known totals (a missing one breaks it), a dot per known total.
    run: list[str] = []
    runs: list[list[str]] = []
    for x, point in zip(xs, points, strict=True):
        if point.total is None:
            runs.append(run)
            run = []
        else:
            run.append(f"{_n(x)},{_n(y_for(point.total, max_total))}")
    runs.append(run)
    for run in runs:
        if len(run) > 1:
            _sub(svg, "polyline", {"class": "chart-line", "fill": "none", "points": " ".join(run)})
    dots = _sub(svg, "g", {"class": "chart-points"})
    for x, point in zip(xs, points, strict=True):
        if point.total is None:
            continue
        dot = _sub(
            dots,
            "circle",
            {
                "class": f"chart-point chart-point-{point.kind}",
                "cx": _n(x),
                "cy": _n(y_for(point.total, max_total)),
                "r": str(RADIUS),
            },
        )
        _sub(dot, "title", {}, f"{point.label}: {point.total}")

    return mark_safe(ET.tostring(svg, encoding="unicode"))  # noqa: S308 - ElementTree escaped every text and value


def _sub(parent: ET.Element, tag: str, attrs: dict[str, str], text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = _NOT_XML.sub("", text)
    return element


def _n(value: float) -> str:
    """A coordinate with at most one decimal: 12.0 -> "12", 12.34 -> "12.3"."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _axis_label(label: str) -> str:
    return label if len(label) <= LABEL_MAX_CHARS else label[: LABEL_MAX_CHARS - 1] + "\N{HORIZONTAL ELLIPSIS}"


def _ticks(max_total: int) -> list[int]:
    """0 to max_total in at most six round steps: 27 -> 0, 5 .. 25; 80 -> 0, 20 .. 80; 10 -> 0, 2 .. 10."""
    step = next((s for s in (1, 2, 5, 10, 20, 25, 50, 100) if max_total / s <= 6), math.ceil(max_total / 6))
    return list(range(0, max_total + 1, step))


def _number(value: float) -> str:
    return f"{value:g}"


def _summary(title: str, points: list[ChartPoint], response: float | None, remission: float | None) -> str:
    known = [p for p in points if p.total is not None]
    if not known:
        text = f"{title}: no scores recorded."
    elif len(known) == 1:
        text = f"{title}: {known[0].total} at {known[0].said}, no later score."
    else:
        first, last = known[0], known[-1]
        text = f"{title} from {first.total} at {first.said} to {last.total} at {last.said}."
    missing = [p.label for p in points if p.total is None]
    if missing:
        text += f" Not recorded: {', '.join(missing)}."
    if response is not None:
        text += f" Response line ({RESPONSE_LABEL}) at {_number(response)}."
    if remission is not None:
        text += f" Remission line at {_number(remission)}."
    return text
