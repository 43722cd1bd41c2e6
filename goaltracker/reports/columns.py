"""The outcomes report's columns, defined once: what each is, the question it answers, how it is
computed from the sums counted per cell, and the cells the kept data is held in.

Every other part of the report reads this module: the database counts `SUMS` per cell (`compute`,
`kept`), `protect` publishes each column by its kind, `formats` writes them, and the dashboard
groups them by question.
"""

from dataclasses import dataclass
from functools import lru_cache

from goaltracker.vocabulary import N_

KEY_RANGE = 256  # record keys and cell keys are 0..255
ALL_OUTCOMES_ID = 0  # the "ALL" row: every goal once, linked to an outcome or not
ANY_RATER = "any"  # each goal once with all its ratings, as reports without a rater filter count
EHCP_GROUPS: dict[bool, str] = {True: "yes", False: "no"}

# What the database counts and sums for each cell (and each row), before any division.
SUMS: tuple[str, ...] = (
    "children",
    "goals",
    "ratings",
    "active_goals",
    "reviewed_on_time",
    "child_voice",
    "reassessed",
    "baseline_performance",
    "latest_performance",
    "baseline_satisfaction",
    "latest_satisfaction",
    "improved_performance",
    "improved_satisfaction",
    # The sum of the record keys of the cell's distinct children, modulo 256: additive wherever
    # `children` is, it gives every report row its cell key (domain.md section 5).
    "record_keys",
)
# The cohort a cell holds: children partitioned by organisation, age band, need and EHC plan.
COHORT: tuple[str, ...] = ("organisation_id", "age_band", "primary_need", "ehcp")
# A kept cell: an area's outcome (or ALL), rater view and cohort.
CELL: tuple[str, ...] = ("rater", "outcome_id", *COHORT)
# Kept cells come at several grains: the whole cohort (every dimension), each dimension alone,
# and none (every child of the outcome). A dimension a grain leaves out holds this value.
ANY_VALUE: dict[str, int | str] = {
    "organisation_id": 0,
    "age_band": "",
    "primary_need": "",
    "ehcp": "",
}
GRAINS: tuple[tuple[str, ...], ...] = (
    (),
    ("organisation_id",),
    ("age_band",),
    ("primary_need",),
    ("ehcp",),
    COHORT,
)
FULL_GRAIN = len(GRAINS) - 1
EVERY_GRAIN: tuple[int, ...] = tuple(range(len(GRAINS)))
# The grains whose changes are kept day by day: all but the full cohort, whose cells are nearly
# as many as the children and are kept only at checkpoints.
DATED_GRAINS: tuple[int, ...] = tuple(range(FULL_GRAIN))


def grain_for(dimensions) -> int:
    """Return the smallest grain that holds these dimensions (filtered or broken down by)."""
    wanted = set(dimensions)
    return next(number for number, grain in enumerate(GRAINS) if wanted <= set(grain))


@lru_cache(maxsize=65536)
def rolled_up(cell: tuple, grains: tuple[int, ...] = EVERY_GRAIN) -> dict[int, tuple]:
    """Return a full-grain cell at each grain: {grain: cell with the dimensions left out}.

    Cached: the same cells come back for every day and child. Do not change the result."""
    rater, outcome_id, *cohort = cell
    values = dict(zip(COHORT, cohort, strict=True))
    return {
        number: (
            rater,
            outcome_id,
            *(values[name] if name in grain else ANY_VALUE[name] for name in COHORT),
        )
        for number, grain in enumerate(GRAINS)
        if number in grains
    }


HOW_MUCH = N_("How much did we do?")
HOW_WELL = N_("How well did we do it?")
BETTER_OFF = N_("Is anyone better off?")
QUESTIONS: tuple[str, ...] = (HOW_MUCH, HOW_WELL, BETTER_OFF)

COUNT = "count"
PERCENTAGE = "percentage"
MEAN = "mean"


@dataclass(frozen=True)
class Column:
    """One column of the report.

    `over` names the sums it is computed from: a count's own sum; a percentage's numerator and
    denominator; a mean's sums added (or taken away, written "-name"), over the reassessed views.
    `scale` is a mean's lowest and highest possible value.
    """

    name: str
    question: str
    label: str
    description: str
    kind: str
    over: tuple[str, ...]
    scale: tuple[int, int] | None = None

    @property
    def is_count(self) -> bool:
        """Return whether the column is a count (an integer) rather than a mean or percentage."""
        return self.kind == COUNT

    @property
    def is_percentage(self) -> bool:
        """Return whether the column is a percentage (a whole number when protected)."""
        return self.kind == PERCENTAGE

    def text(self, value: int | float, *, exact: bool = False) -> str:
        """Return a value as written in a file: counts and protected percentages whole,
        protected means to one decimal place, exact figures at full precision."""
        if self.is_count or (self.is_percentage and not exact):
            return str(int(value))
        return repr(float(value)) if exact else f"{value:.1f}"

    def data(self, value: int | float, *, exact: bool = False) -> int | float:
        """Return a value as JSON data, with no more precision than the page shows."""
        if self.is_count or (self.is_percentage and not exact):
            return int(value)
        return float(value) if exact else round(float(value), 1)


COLUMNS: tuple[Column, ...] = (
    Column(
        "children",
        HOW_MUCH,
        N_("Children"),
        N_("Children with at least one goal in this row."),
        COUNT,
        ("children",),
    ),
    Column(
        "goals",
        HOW_MUCH,
        N_("Goals"),
        N_("Goals set on or before the report date."),
        COUNT,
        ("goals",),
    ),
    Column(
        "ratings",
        HOW_MUCH,
        N_("Ratings"),
        N_("Ratings of those goals made on or before the report date."),
        COUNT,
        ("ratings",),
    ),
    Column(
        "reviewed_on_time_pct",
        HOW_WELL,
        N_("Reviewed on time (%)"),
        N_(
            "Of the goals still being worked on at the report date, the percentage rated within "
            "the area's review interval before it. A goal never rated is not on time."
        ),
        PERCENTAGE,
        ("reviewed_on_time", "active_goals"),
    ),
    Column(
        "child_voice_pct",
        HOW_WELL,
        N_("Child's own view (%)"),
        N_("The percentage of goals the child or young person has rated themselves at least once."),
        PERCENTAGE,
        ("child_voice", "goals"),
    ),
    Column(
        "reassessed",
        BETTER_OFF,
        N_("Views reassessed"),
        N_(
            "Goals rated at least twice by the same person. A child's and a parent's or carer's "
            "view count separately: a goal rated twice by the child and twice by a parent counts "
            "twice, as the two views are never averaged, so this can be larger than Goals."
        ),
        COUNT,
        ("reassessed",),
    ),
    Column(
        "mean_baseline_performance",
        BETTER_OFF,
        N_("Average first performance score"),
        N_("How well the child did the goal at the first rating, on average (1 to 10)."),
        MEAN,
        ("baseline_performance",),
        (1, 10),
    ),
    Column(
        "mean_latest_performance",
        BETTER_OFF,
        N_("Average latest performance score"),
        N_("How well the child does the goal at the latest rating, on average (1 to 10)."),
        MEAN,
        ("latest_performance",),
        (1, 10),
    ),
    Column(
        "mean_change_performance",
        BETTER_OFF,
        N_("Average change in performance"),
        N_("Latest minus first performance score, on average; above 0 means doing better."),
        MEAN,
        ("latest_performance", "-baseline_performance"),
        (-9, 9),
    ),
    Column(
        "mean_baseline_satisfaction",
        BETTER_OFF,
        N_("Average first satisfaction score"),
        N_("How satisfied the rater was with how the goal was done at the first rating (1 to 10)."),
        MEAN,
        ("baseline_satisfaction",),
        (1, 10),
    ),
    Column(
        "mean_latest_satisfaction",
        BETTER_OFF,
        N_("Average latest satisfaction score"),
        N_("How satisfied the rater is with how the goal is done at the latest rating (1 to 10)."),
        MEAN,
        ("latest_satisfaction",),
        (1, 10),
    ),
    Column(
        "mean_change_satisfaction",
        BETTER_OFF,
        N_("Average change in satisfaction"),
        N_("Latest minus first satisfaction score, on average; above 0 means more satisfied."),
        MEAN,
        ("latest_satisfaction", "-baseline_satisfaction"),
        (-9, 9),
    ),
    Column(
        "improved_performance",
        BETTER_OFF,
        N_("Important improvement in performance"),
        N_(
            "Reassessed goals whose performance score rose by at least the area's important change."
        ),
        COUNT,
        ("improved_performance",),
    ),
    Column(
        "improved_performance_pct",
        BETTER_OFF,
        N_("Important improvement in performance (%)"),
        N_("Those goals as a percentage of the reassessed goals."),
        PERCENTAGE,
        ("improved_performance", "reassessed"),
    ),
    Column(
        "improved_satisfaction",
        BETTER_OFF,
        N_("Important improvement in satisfaction"),
        N_(
            "Reassessed goals whose satisfaction score rose by at least the area's important "
            "change."
        ),
        COUNT,
        ("improved_satisfaction",),
    ),
    Column(
        "improved_satisfaction_pct",
        BETTER_OFF,
        N_("Important improvement in satisfaction (%)"),
        N_("Those goals as a percentage of the reassessed goals."),
        PERCENTAGE,
        ("improved_satisfaction", "reassessed"),
    ),
)
NAMES: tuple[str, ...] = tuple(column.name for column in COLUMNS)
BY_NAME: dict[str, Column] = {column.name: column for column in COLUMNS}
# The counts that are shown, and the counts a percentage is computed from but not shown.
COUNT_COLUMNS: tuple[str, ...] = tuple(column.name for column in COLUMNS if column.is_count)
HIDDEN_COUNTS: tuple[str, ...] = tuple(
    dict.fromkeys(
        part
        for column in COLUMNS
        if column.is_percentage
        for part in column.over
        if part not in COUNT_COLUMNS
    )
)
# Each percentage: (numerator count, denominator count).
PERCENTAGES: dict[str, tuple[str, str]] = {
    column.name: (column.over[0], column.over[1]) for column in COLUMNS if column.is_percentage
}
# Each mean: the sums added (+1) or taken away (-1), and its scale.
MEANS: dict[str, tuple[tuple[tuple[str, int], ...], tuple[int, int]]] = {
    column.name: (
        tuple((part.lstrip("-"), -1 if part.startswith("-") else 1) for part in column.over),
        column.scale,
    )
    for column in COLUMNS
    if column.kind == MEAN
}
# Means are averages over the views reassessed.
MEAN_BASE = "reassessed"
