"""Keeping children unidentifiable in aggregates (domain.md section 5): pure rules, no database."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

# The report's columns in the order of domain.md section 4.
COLUMNS: tuple[str, ...] = (
    "children",
    "goals",
    "ratings",
    "reviewed_on_time_pct",
    "child_voice_pct",
    "reassessed",
    "mean_baseline_performance",
    "mean_latest_performance",
    "mean_change_performance",
    "mean_baseline_satisfaction",
    "mean_latest_satisfaction",
    "mean_change_satisfaction",
    "improved_performance",
    "improved_performance_pct",
    "improved_satisfaction",
    "improved_satisfaction_pct",
)

COUNT_COLUMNS: tuple[str, ...] = (
    "children",
    "goals",
    "ratings",
    "reassessed",
    "improved_performance",
    "improved_satisfaction",
)

# For each mean or percentage: the count it is computed over, and the shown count that is its
# numerator (None when the numerator is not a column of its own, so it cannot be suppressed).
# `active_goals` is not shown, but it is the base of the on-time percentage, so rows carry it.
STATISTIC_BASES: dict[str, tuple[str, str | None]] = {
    "reviewed_on_time_pct": ("active_goals", None),
    "child_voice_pct": ("goals", None),
    "mean_baseline_performance": ("reassessed", None),
    "mean_latest_performance": ("reassessed", None),
    "mean_change_performance": ("reassessed", None),
    "mean_baseline_satisfaction": ("reassessed", None),
    "mean_latest_satisfaction": ("reassessed", None),
    "mean_change_satisfaction": ("reassessed", None),
    "improved_performance_pct": ("reassessed", "improved_performance"),
    "improved_satisfaction_pct": ("reassessed", "improved_satisfaction"),
}

# The breakdowns whose groups split a row's goals between them, so that the groups add up to the
# row's total; under `rater` a goal can appear in several groups, so subtraction reveals nothing.
PARTITIONING_BREAKDOWNS: frozenset[str] = frozenset(
    {"age_band", "primary_need", "ehcp", "organisation"}
)


@dataclass(frozen=True)
class Figures:
    """One report row's numbers before suppression, with the hidden base count it also needs."""

    children: int
    goals: int
    ratings: int
    reviewed_on_time_pct: float | None
    child_voice_pct: float | None
    reassessed: int
    mean_baseline_performance: float | None
    mean_latest_performance: float | None
    mean_change_performance: float | None
    mean_baseline_satisfaction: float | None
    mean_latest_satisfaction: float | None
    mean_change_satisfaction: float | None
    improved_performance: int
    improved_performance_pct: float | None
    improved_satisfaction: int
    improved_satisfaction_pct: float | None
    active_goals: int

    def value(self, column: str) -> int | float | None:
        """Return the value of a column (or of the hidden `active_goals` count)."""
        return getattr(self, column)


@dataclass(frozen=True)
class Shown:
    """A row's values as they may be shown: suppressed values are None and named."""

    values: Mapping[str, int | float | None]
    suppressed: tuple[str, ...]


def _is_small(count: int, threshold: int) -> bool:
    """Return whether a count is small enough to identify someone: more than 0, less than k."""
    return 0 < count < threshold


def primary_suppressed_counts(figures: Figures, threshold: int) -> set[str]:
    """Return the count columns of a row that are suppressed because they are small."""
    return {column for column in COUNT_COLUMNS if _is_small(figures.value(column), threshold)}


def _shown(figures: Figures, suppressed_counts: set[str], threshold: int) -> Shown:
    """Suppress the statistics that depend on small or suppressed counts, and hide the values."""
    suppressed = set(suppressed_counts)
    for statistic, (base, numerator) in STATISTIC_BASES.items():
        # A statistic over nothing is not applicable rather than hidden, so it is not listed.
        if figures.value(statistic) is None:
            continue
        if (
            figures.value(base) < threshold
            or base in suppressed_counts
            or (numerator is not None and numerator in suppressed_counts)
        ):
            suppressed.add(statistic)
    values = {column: None if column in suppressed else figures.value(column) for column in COLUMNS}
    return Shown(values=MappingProxyType(values), suppressed=tuple(sorted(suppressed)))


def suppress_row(figures: Figures, threshold: int) -> Shown:
    """Apply primary suppression, and the suppression of derived statistics, to one row."""
    return _shown(figures, primary_suppressed_counts(figures, threshold), threshold)


def secondary_suppressed_counts(groups: Sequence[Figures], threshold: int) -> list[set[str]]:
    """Return, per group, the suppressed counts after secondary suppression of a partition."""
    suppressed = [primary_suppressed_counts(group, threshold) for group in groups]
    for column in COUNT_COLUMNS:
        hidden = [index for index, columns in enumerate(suppressed) if column in columns]
        if len(hidden) != 1:
            # With none hidden there is nothing to protect; with two or more hidden, the total
            # minus the others gives only their sum, not any one of them.
            continue
        candidates = [
            (groups[index].value(column), index)
            for index, columns in enumerate(suppressed)
            if index != hidden[0] and column not in columns and groups[index].value(column) > 0
        ]
        if candidates:
            # min() on (value, index) takes the first in row order when values tie.
            _, chosen = min(candidates)
            suppressed[chosen].add(column)
    return suppressed


def suppress_groups(
    groups: Sequence[Figures], threshold: int, *, partitioning: bool
) -> list[Shown]:
    """Suppress the group rows of one breakdown row; partitions also get secondary suppression."""
    if partitioning:
        suppressed_counts = secondary_suppressed_counts(groups, threshold)
    else:
        suppressed_counts = [primary_suppressed_counts(group, threshold) for group in groups]
    return [
        _shown(group, counts, threshold)
        for group, counts in zip(groups, suppressed_counts, strict=True)
    ]
