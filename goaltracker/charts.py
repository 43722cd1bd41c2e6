"""Progress charts drawn on the server as SVG geometry, readable without JavaScript.

One chart per view (the child's own, a parent's or carer's), each with its two lines labelled
where they end, visible axes, and text big enough to read on a phone; the page shows the same
numbers in a table.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from babel.dates import format_date
from flask_babel import gettext

from goaltracker import i18n, vocabulary
from goaltracker.vocabulary import N_

# Drawn in a box this size and scaled to the width available: on a 320-pixel phone a unit is
# about 0.7 pixels, so the 20-unit text is about 14 pixels high.
WIDTH = 420
HEIGHT = 280
LEFT = 40
RIGHT = 150  # room for the labels at the lines' ends
TOP = 20
BOTTOM = 52
LABEL_GAP = 24  # the least vertical room between the two end labels

# The two lines differ in pattern and in marker as well as colour (the stylesheet's, by kind),
# so colour is never needed to tell them apart. Each has its name (read out by screen readers)
# and the label drawn at its end, which must fit the room on the right in every language.
KINDS = (
    ("performance", N_("How well"), N_("How well %(score)s"), "", "circle"),
    ("satisfaction", N_("How happy"), N_("How happy %(score)s"), "10 6", "square"),
)


@dataclass(frozen=True)
class Point:
    """A rating placed on the chart."""

    x: float
    y: float
    value: int
    assessed_on: date


@dataclass(frozen=True)
class Line:
    """One kind of score of one view, joined in date order, with its label at its end."""

    kind: str
    name: str
    label: str
    dash: str
    marker: str
    points: list[Point]
    label_y: float

    @property
    def path(self) -> str:
        """Return the SVG polyline points."""
        return " ".join(f"{point.x:.1f},{point.y:.1f}" for point in self.points)


@dataclass(frozen=True)
class Chart:
    """Everything a template needs to draw one view's chart."""

    title: str
    width: int
    height: int
    lines: list[Line]
    y_ticks: list[tuple[float, int]]
    x_ticks: list[tuple[float, str, str]]
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int


def _y(value: int) -> float:
    """Place a score of 1 to 10 on the vertical axis."""
    plot_height = HEIGHT - TOP - BOTTOM
    return TOP + plot_height * (10 - value) / 9


def _month(day: date) -> str:
    """Return a month and year, short, in the page's language: "Mar 2026"."""
    return format_date(day, "MMM y", locale=i18n.language())


def _label_positions(ends: list[float]) -> list[float]:
    """Move the end labels apart when the lines end close together (they may end on one point)."""
    if len(ends) == 2 and abs(ends[0] - ends[1]) < LABEL_GAP:
        middle = (ends[0] + ends[1]) / 2
        upper, lower = middle - LABEL_GAP / 2, middle + LABEL_GAP / 2
        # The line ending higher (smaller y) keeps the upper label; performance on a tie.
        return [upper, lower] if ends[0] <= ends[1] else [lower, upper]
    return ends


def progress_charts(ratings: Sequence) -> list[Chart]:
    """Return a chart per view of a goal's ratings (objects with rater, assessed_on and scores)."""
    if not ratings:
        return []
    dates = sorted({rating.assessed_on for rating in ratings})
    first, last = dates[0], dates[-1]
    span = max((last - first).days, 1)
    plot_width = WIDTH - LEFT - RIGHT

    def x(day: date) -> float:
        if first == last:
            return LEFT + plot_width / 2
        return LEFT + plot_width * (day - first).days / span

    x_ticks = [(x(first), _month(first), "start" if first != last else "middle")]
    if last != first:
        x_ticks.append((x(last), _month(last), "end"))
    y_ticks = [(_y(value), value) for value in (1, 5, 10)]
    charts = []
    for rater in vocabulary.RATERS:
        own = sorted(
            (rating for rating in ratings if rating.rater == rater), key=lambda r: r.assessed_on
        )
        if not own:
            continue
        drawn = [
            (
                kind,
                gettext(words),
                label,
                dash,
                marker,
                [
                    Point(x(r.assessed_on), _y(getattr(r, kind)), getattr(r, kind), r.assessed_on)
                    for r in own
                ],
            )
            for kind, words, label, dash, marker in KINDS
        ]
        label_ys = _label_positions([points[-1].y for *_, points in drawn])
        lines = [
            Line(kind, words, gettext(label, score=points[-1].value), dash, marker, points, label_y)
            for (kind, words, label, dash, marker, points), label_y in zip(
                drawn, label_ys, strict=True
            )
        ]
        charts.append(
            Chart(
                title=gettext(vocabulary.label(vocabulary.RATER_VIEW_TITLES, rater)),
                width=WIDTH,
                height=HEIGHT,
                lines=lines,
                y_ticks=y_ticks,
                x_ticks=x_ticks,
                plot_left=LEFT,
                plot_right=WIDTH - RIGHT,
                plot_top=TOP,
                plot_bottom=HEIGHT - BOTTOM,
            )
        )
    return charts
