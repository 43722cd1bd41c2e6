"""The report's rules as SQL expressions, for the report and the caseload alike.

The same rules in Python, for one child at a time, are in `scoring` and `contributions`.
"""

from datetime import date, timedelta

from sqlalchemy import and_, case, func, select
from sqlalchemy.sql.elements import ColumnElement

from goaltracker import scoring
from goaltracker.models import ChildDetail, Rating
from goaltracker.vocabulary import AGE_BANDS, OTHER_AGE_BAND

# The order the caseload lists review statuses in, most urgent first.
REVIEW_ORDER: tuple[str, ...] = (
    scoring.OVERDUE,
    scoring.NOT_RATED,
    scoring.DUE_SOON,
    scoring.NOT_DUE,
)


def series_positions() -> tuple[ColumnElement, ColumnElement]:
    """Return each rating's place in its series (a goal's ratings by one rater), counted from
    the first (1 = the baseline) and from the latest (1 = the latest)."""
    series = (Rating.goal_id, Rating.rater)
    return (
        func.row_number()
        .over(partition_by=series, order_by=Rating.assessed_on.asc())
        .label("from_first"),
        func.row_number()
        .over(partition_by=series, order_by=Rating.assessed_on.desc())
        .label("from_last"),
    )


def review_status_order(last_rated_on: ColumnElement, today: date, interval_days: int):
    """Return SQL giving a review's status as its place in REVIEW_ORDER, as
    scoring.review_status decides it."""
    overdue_before = today - timedelta(days=interval_days)
    due_soon_before = overdue_before + timedelta(days=scoring.DUE_SOON_DAYS + 1)
    place = REVIEW_ORDER.index
    return case(
        (last_rated_on.is_(None), place(scoring.NOT_RATED)),
        (last_rated_on < overdue_before, place(scoring.OVERDUE)),
        (last_rated_on < due_soon_before, place(scoring.DUE_SOON)),
        else_=place(scoring.NOT_DUE),
    )


def years_before(day: date, years: int) -> date:
    """Return the same day some years earlier; 29 February becomes 28 February in common years."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def age_band_expression(date_of_birth: ColumnElement, as_at: date) -> ColumnElement:
    """Return SQL giving the age band on a date from a date of birth, as scoring.age_band does."""
    # Someone is at least n years old on D exactly when born on or before D moved back n years,
    # with 29 February moved to 28 February (scoring.age_on ages them on 1 March).
    whens = [(date_of_birth > as_at, OTHER_AGE_BAND)]
    for band in AGE_BANDS:
        youngest, oldest = (int(age) for age in band.split("-"))
        born_in_band = and_(
            date_of_birth <= years_before(as_at, youngest),
            date_of_birth > years_before(as_at, oldest + 1),
        )
        whens.append((born_in_band, band))
    return case(*whens, else_=OTHER_AGE_BAND)


def details_as_at(as_at: date):
    """Return each child's primary need and EHC plan in force on a date, from their history.

    The value in force is the latest that took effect on or before the date; before the first,
    the first. A child with no history (one never changed) has no row: its record's values hold
    for every date.
    """
    in_force = case((ChildDetail.effective_from <= as_at, 0), else_=1)
    ranked = select(
        ChildDetail.child_id,
        ChildDetail.primary_need,
        ChildDetail.ehcp,
        func.row_number()
        .over(
            partition_by=ChildDetail.child_id,
            order_by=(
                in_force,
                case((ChildDetail.effective_from <= as_at, ChildDetail.effective_from)).desc(),
                ChildDetail.effective_from,
            ),
        )
        .label("position"),
    )
    ranked = ranked.subquery("ranked_details")
    return (
        select(ranked.c.child_id, ranked.c.primary_need, ranked.c.ehcp)
        .where(ranked.c.position == 1)
        .cte("details_as_at")
    )
