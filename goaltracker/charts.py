"""Progress charts drawn on the server as SVG geometry, readable without JavaScript."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from goaltracker import vocabulary

WIDTH = 640
HEIGHT = 300
LEFT = 48
RIGHT = 16
TOP = 16
BOTTOM = 48

# Colours and dash patterns differ, so the lines can be told apart without colour.
LINE_STYLES = {
    ("parent_carer", "performance"): ("#1d70b8", ""),
    ("parent_carer", "satisfaction"): ("#1d70b8", "8 4"),
    ("child", "performance"): ("#d4351c", ""),
    ("child", "satisfaction"): ("#d4351c", "8 4"),
}


@dataclass(frozen=True)
class Point:
    """A rating placed on the chart."""

    x: float
    y: float
    value: int
    assessed_on: date


@dataclass(frozen=True)
class Line:
    """One rater's scores of one kind, joined in date order."""

    label: str
    colour: str
    dash: str
    points: list[Point]

    @property
    def path(self) -> str:
        """Return the SVG polyline points."""
        return " ".join(f"{point.x:.1f},{point.y:.1f}" for point in self.points)


@dataclass(frozen=True)
class Chart:
    """Everything a template needs to draw the chart."""

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


def progress_chart(ratings: Sequence) -> Chart | None:
    """Return the chart of a goal's ratings (objects with rater, assessed_on and scores)."""
    if not ratings:
        return None
    dates = sorted({rating.assessed_on for rating in ratings})
    first, last = dates[0], dates[-1]
    span = max((last - first).days, 1)
    plot_width = WIDTH - LEFT - RIGHT

    def x(day: date) -> float:
        if first == last:
            return LEFT + plot_width / 2
        return LEFT + plot_width * (day - first).days / span

    lines = []
    for rater in vocabulary.RATERS:
        own = sorted(
            (rating for rating in ratings if rating.rater == rater), key=lambda r: r.assessed_on
        )
        if not own:
            continue
        for kind, words in (("performance", "how well"), ("satisfaction", "how happy")):
            colour, dash = LINE_STYLES[(rater, kind)]
            points = [
                Point(x(r.assessed_on), _y(getattr(r, kind)), getattr(r, kind), r.assessed_on)
                for r in own
            ]
            label = f"{vocabulary.label(vocabulary.RATER_LABELS, rater)}: {words}"
            lines.append(Line(label, colour, dash, points))
    shown = dates if len(dates) <= 6 else [dates[i * (len(dates) - 1) // 5] for i in range(6)]
    x_ticks = [
        (x(day), f"{day:%b %Y}", "start" if index == 0 else "end" if day == last else "middle")
        for index, day in enumerate(shown)
    ]
    y_ticks = [(_y(value), value) for value in (1, 4, 7, 10)]
    return Chart(WIDTH, HEIGHT, lines, y_ticks, x_ticks, LEFT, WIDTH - RIGHT, TOP, HEIGHT - BOTTOM)
