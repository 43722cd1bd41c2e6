"""COPM-style scores for children's own goals: totals, changes over time, age bands and display.

Everything here is a pure function of its arguments (no Flask, no database), following section 3
of the domain rules. Calculations keep full precision; only the ``format_`` functions round, to one
decimal place with halves rounded away from zero.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from goaltracker.vocabulary import AGE_BANDS, N_, OTHER_AGE_BAND, SCALE_MAXIMUM, SCALE_MINIMUM

IMPROVED = "improved"
NO_CHANGE = "no_change"
DETERIORATED = "deteriorated"
BANDS: tuple[str, ...] = (IMPROVED, NO_CHANGE, DETERIORATED)

BAND_DESCRIPTIONS: dict[str | None, str] = {
    IMPROVED: N_("Improved by an important amount"),
    NO_CHANGE: N_("No important change"),
    DETERIORATED: N_("Got worse by an important amount"),
    None: N_("Not yet reassessed"),
}

# COPM's authors treat two points as clinically important; areas may choose another value.
DEFAULT_IMPORTANT_CHANGE = 2

# Younger children usually find rating themselves hard, so the form offers a parent or carer.
SELF_RATING_SUGGESTED_FROM_AGE = 8

_ONE_DECIMAL_PLACE = Decimal("0.1")


@dataclass(frozen=True)
class Score:
    """One rating in a series: how well the child does the goal and how satisfied the rater is."""

    assessed_on: date
    performance: int
    satisfaction: int

    def __post_init__(self) -> None:
        """Refuse values outside the 1 to 10 scale, so a bad score cannot reach a total."""
        for name in ("performance", "satisfaction"):
            value = getattr(self, name)
            if not is_valid_score(value):
                raise ValueError(f"{name} must be a whole number from 1 to 10, not {value!r}")


@dataclass(frozen=True)
class SeriesSummary:
    """What one rater's series of ratings for one goal says as at a date."""

    ratings_counted: int
    baseline: Score | None
    latest: Score | None
    reassessed: bool
    change_performance: int | None
    change_satisfaction: int | None
    performance_band: str | None
    satisfaction_band: str | None


def is_valid_score(value: object) -> bool:
    """Return whether a value is a whole number on the 1 to 10 scale."""
    # bool is a subclass of int, but True is a form or import mistake, not a score of 1.
    if isinstance(value, bool) or not isinstance(value, int):
        return False
    return SCALE_MINIMUM <= value <= SCALE_MAXIMUM


def _check_scores(values: Sequence[int]) -> None:
    """Raise ValueError unless every value is a valid score."""
    for value in values:
        if not is_valid_score(value):
            raise ValueError(f"scores must be whole numbers from 1 to 10, not {value!r}")


def total_score(values: Sequence[int]) -> float:
    """Return the mean of one review's scores: their sum divided by the number of goals rated."""
    if not values:
        raise ValueError("a total needs at least one rated goal")
    _check_scores(values)
    return sum(values) / len(values)


def review_totals(performance: Sequence[int], satisfaction: Sequence[int]) -> tuple[float, float]:
    """Return a review's total performance and total satisfaction scores."""
    # Each rated goal has both scores, so different lengths mean the inputs are misaligned.
    if len(performance) != len(satisfaction):
        raise ValueError("performance and satisfaction must have one score per rated goal each")
    return total_score(performance), total_score(satisfaction)


def change_band(
    change: float | None, important_change: float = DEFAULT_IMPORTANT_CHANGE
) -> str | None:
    """Classify a change as improved, no_change or deteriorated; None when there is no change."""
    if not important_change > 0:
        raise ValueError("the important change must be more than zero")
    if change is None:
        return None
    if change >= important_change:
        return IMPROVED
    if change <= -important_change:
        return DETERIORATED
    return NO_CHANGE


def _check_one_rating_per_day(ratings: Sequence[Score]) -> None:
    """Raise ValueError when two ratings share a date."""
    dates = [rating.assessed_on for rating in ratings]
    if len(set(dates)) != len(dates):
        # A second rating on a day corrects the first, so callers must pass only the correction.
        raise ValueError("a series has at most one rating per day")


def apply_corrections(ratings: Iterable[Score], corrections: Iterable[Score]) -> list[Score]:
    """Return the series in date order after later ratings replace those made on the same day."""
    series = list(ratings)
    _check_one_rating_per_day(series)
    by_day = {rating.assessed_on: rating for rating in series}
    for correction in corrections:
        by_day[correction.assessed_on] = correction
    return sorted(by_day.values(), key=lambda rating: rating.assessed_on)


def summarise_series(
    ratings: Iterable[Score], as_at: date, important_change: float = DEFAULT_IMPORTANT_CHANGE
) -> SeriesSummary:
    """Summarise one goal's ratings by one rater as at a date, ignoring ratings after it."""
    series = list(ratings)
    _check_one_rating_per_day(series)
    counted = sorted(
        (rating for rating in series if rating.assessed_on <= as_at),
        key=lambda rating: rating.assessed_on,
    )
    baseline = counted[0] if counted else None
    latest = counted[-1] if counted else None
    reassessed = len(counted) >= 2
    change_performance: int | None = None
    change_satisfaction: int | None = None
    if reassessed and baseline is not None and latest is not None:
        change_performance = latest.performance - baseline.performance
        change_satisfaction = latest.satisfaction - baseline.satisfaction
    return SeriesSummary(
        ratings_counted=len(counted),
        baseline=baseline,
        latest=latest,
        reassessed=reassessed,
        change_performance=change_performance,
        change_satisfaction=change_satisfaction,
        performance_band=change_band(change_performance, important_change),
        satisfaction_band=change_band(change_satisfaction, important_change),
    )


def total_change(series: Iterable[SeriesSummary]) -> tuple[float | None, float | None]:
    """Return the mean performance and satisfaction changes over the reassessed series only."""
    performance_changes: list[int] = []
    satisfaction_changes: list[int] = []
    for summary in series:
        if summary.change_performance is not None and summary.change_satisfaction is not None:
            performance_changes.append(summary.change_performance)
            satisfaction_changes.append(summary.change_satisfaction)
    if not performance_changes:
        return None, None
    count = len(performance_changes)
    return sum(performance_changes) / count, sum(satisfaction_changes) / count


def age_on(date_of_birth: date, as_at: date) -> int:
    """Return age in whole years on a date; someone born on 29 February ages on 1 March."""
    if as_at < date_of_birth:
        raise ValueError("the date is before the date of birth")
    # Comparing (month, day) avoids building 29 February in a non-leap year; such a person has
    # not had their birthday on 28 February, which matches the usual rule in England.
    birthday_not_yet_reached = (as_at.month, as_at.day) < (date_of_birth.month, date_of_birth.day)
    return as_at.year - date_of_birth.year - int(birthday_not_yet_reached)


def _age_band_bounds() -> tuple[tuple[int, int, str], ...]:
    """Read the youngest and oldest age of each band from its code, such as "5-10"."""
    bounds = []
    for band in AGE_BANDS:
        youngest, oldest = band.split("-")
        bounds.append((int(youngest), int(oldest), band))
    return tuple(bounds)


_AGE_BAND_BOUNDS = _age_band_bounds()


def age_band(date_of_birth: date, as_at: date) -> str:
    """Return the age band on a date, or "other" outside 0 to 25 (including before birth)."""
    if as_at < date_of_birth:
        return OTHER_AGE_BAND
    age = age_on(date_of_birth, as_at)
    for youngest, oldest, band in _AGE_BAND_BOUNDS:
        if youngest <= age <= oldest:
            return band
    return OTHER_AGE_BAND


def _round_to_one_decimal_place(value: float) -> Decimal:
    """Round to one decimal place, halves away from zero, as people round by hand."""
    if not math.isfinite(value):
        raise ValueError(f"cannot show {value!r} as a score")
    # str() gives the shortest decimal that reads back as the same float, so a mean such as
    # 53 / 20 rounds as 2.65 (up) rather than as its binary value 2.64999... (down).
    rounded = Decimal(str(value)).quantize(_ONE_DECIMAL_PLACE, rounding=ROUND_HALF_UP)
    # A small negative value rounds to -0.0, which would show a meaningless minus sign.
    return rounded.copy_abs() if rounded.is_zero() else rounded


def format_score(value: float | None) -> str:
    """Show a score or total with one decimal place, such as "2.7"; an empty string for None."""
    if value is None:
        return ""
    return f"{_round_to_one_decimal_place(value)}"


def format_change(value: float | None) -> str:
    """Show a change signed, to one decimal place ("+2.0", "-1.5", "0.0"); "" for None."""
    if value is None:
        return ""
    rounded = _round_to_one_decimal_place(value)
    return f"{rounded:+}" if not rounded.is_zero() else f"{rounded}"


def describe_band(band: str | None) -> str:
    """Describe a change band in plain words; None means the goal has not been reassessed yet."""
    if band not in BAND_DESCRIPTIONS:
        raise ValueError(f"unknown change band {band!r}")
    return BAND_DESCRIPTIONS[band]


def suggest_parent_rating(date_of_birth: date, on: date) -> bool:
    """Return whether to suggest that a parent or carer rates for the child: under 8 on the date."""
    return age_on(date_of_birth, on) < SELF_RATING_SUGGESTED_FROM_AGE


# Review schedule: a review is due once the area's interval has passed since the latest rating.
NOT_RATED = "not_rated"
OVERDUE = "overdue"
DUE_SOON = "due_soon"
NOT_DUE = "not_due"
DUE_SOON_DAYS = 14

REVIEW_STATUS_LABELS: dict[str, str] = {
    NOT_RATED: N_("Not rated yet"),
    OVERDUE: N_("Review overdue"),
    DUE_SOON: N_("Review due soon"),
    NOT_DUE: N_("Up to date"),
}


def review_due_on(last_rated_on: date | None, interval_days: int) -> date | None:
    """Return the last day a review is on time: the latest rating plus the interval."""
    if last_rated_on is None:
        return None
    return last_rated_on + timedelta(days=interval_days)


def review_status(last_rated_on: date | None, today: date, interval_days: int) -> str:
    """Return whether a review is overdue, due soon, not due, or the goals are not rated yet.

    As in the outcomes report, a rating at most `interval_days` before today is on time: on day
    84 of an 84-day interval the review is still on time (and due), on day 85 it is overdue.
    """
    due_on = review_due_on(last_rated_on, interval_days)
    if due_on is None:
        return NOT_RATED
    if today > due_on:
        return OVERDUE
    if (due_on - today).days <= DUE_SOON_DAYS:
        return DUE_SOON
    return NOT_DUE
