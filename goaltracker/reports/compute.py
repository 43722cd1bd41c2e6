"""The outcomes report computed from the records, set-based: one query counts every row.

The rules of domain.md section 4 as SQL over goals, ratings and the children's details as at a
date (with `definitions`). `outcomes` uses this when the kept data cannot give a date; `kept`
uses it to check and to rebuild a date's cells from scratch.
"""

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Integer,
    String,
    and_,
    case,
    cast,
    func,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql.elements import ColumnElement

from goaltracker.models import (
    Area,
    Child,
    Goal,
    Organisation,
    Rating,
    StrategicOutcome,
    goal_outcome,
)
from goaltracker.reports import columns, definitions
from goaltracker.reports.columns import EHCP_GROUPS
from goaltracker.vocabulary import AGE_BANDS, OTHER_AGE_BAND, PRIMARY_NEEDS, RATERS

BREAKDOWNS: tuple[str, ...] = ("age_band", "primary_need", "ehcp", "organisation", "rater")


@dataclass(frozen=True)
class ReportFilters:
    """Which children, goals or raters a report is limited to; None means no limit."""

    organisation: int | None = None
    age_band: str | None = None
    primary_need: str | None = None
    ehcp: bool | None = None
    rater: str | None = None

    def applied(self) -> dict[str, int | str | bool]:
        """Return only the filters in use, by name."""
        return {
            field.name: getattr(self, field.name)
            for field in fields(self)
            if getattr(self, field.name) is not None
        }


# The sums taken straight from the unit columns of the same name.
_UNIT_SUMS: tuple[str, ...] = tuple(
    name
    for name in columns.SUMS
    if name not in ("children", "goals", "ratings", "active_goals", "record_keys")
)


def check_arguments(by: str | None, filters: ReportFilters) -> None:
    """Raise ValueError for a breakdown or filter value the report does not know."""
    if by is not None and by not in BREAKDOWNS:
        raise ValueError(f"A report can be broken down by {', '.join(BREAKDOWNS)}, not {by!r}")
    if filters.age_band is not None and filters.age_band not in (*AGE_BANDS, OTHER_AGE_BAND):
        raise ValueError(f"Unknown age band {filters.age_band!r}")
    if filters.primary_need is not None and filters.primary_need not in PRIMARY_NEEDS:
        raise ValueError(f"Unknown primary need {filters.primary_need!r}")
    if filters.rater is not None and filters.rater not in RATERS:
        raise ValueError(f"Unknown rater {filters.rater!r}")
    # bool("no") is True, so a text value here would silently invert the filter.
    if filters.ehcp is not None and not isinstance(filters.ehcp, bool):
        raise ValueError(f"The EHC plan filter must be True or False, not {filters.ehcp!r}")


def as_filters(filters: ReportFilters | Mapping | None) -> ReportFilters:
    """Accept filters as ReportFilters, a mapping of their names, or nothing."""
    if filters is None:
        return ReportFilters()
    if isinstance(filters, ReportFilters):
        return filters
    known = {field.name for field in fields(ReportFilters)}
    unknown = sorted(set(filters) - known)
    if unknown:
        raise ValueError(
            f"Unknown filter {', '.join(unknown)}; filters are {', '.join(sorted(known))}"
        )
    return ReportFilters(**filters)


def _unit_columns(
    *,
    facts,
    group_value: ColumnElement,
    rating_count: ColumnElement,
    reassessed: ColumnElement,
    baseline_performance: ColumnElement,
    latest_performance: ColumnElement,
    baseline_satisfaction: ColumnElement,
    latest_satisfaction: ColumnElement,
    improved_performance: ColumnElement,
    improved_satisfaction: ColumnElement,
) -> list[ColumnElement]:
    """Return the columns every unit of counting has, whether a goal or a goal's series."""
    return [
        facts.c.goal_id,
        facts.c.child_id,
        facts.c.record_key,
        group_value.label("group_value"),
        rating_count.label("rating_count"),
        facts.c.active.label("active"),
        facts.c.reviewed_on_time.label("reviewed_on_time"),
        facts.c.child_voice.label("child_voice"),
        reassessed.label("reassessed"),
        baseline_performance.label("baseline_performance"),
        latest_performance.label("latest_performance"),
        baseline_satisfaction.label("baseline_satisfaction"),
        latest_satisfaction.label("latest_satisfaction"),
        improved_performance.label("improved_performance"),
        improved_satisfaction.label("improved_satisfaction"),
    ]


@dataclass(frozen=True)
class _Facts:
    """The common tables of every count: goals with their cohort, series, and goal facts."""

    goals: Any
    series: Any
    series_measures: dict[str, ColumnElement]
    goal_facts: Any


def _goal_conditions(
    area: Area, as_at: date, filters: ReportFilters, age_band, primary_need, ehcp
) -> list:
    """Return the conditions that choose the goals a report (or an aggregate) counts."""
    conditions = [
        Child.area_id == area.id,
        # An erased record no longer counts anywhere, aggregates included.
        Child.erased_at.is_(None),
        Goal.set_on <= as_at,
    ]
    if filters.organisation is not None:
        conditions.append(Child.organisation_id == filters.organisation)
    if filters.age_band is not None:
        conditions.append(age_band == filters.age_band)
    if filters.primary_need is not None:
        conditions.append(primary_need == filters.primary_need)
    if filters.ehcp is not None:
        conditions.append(ehcp == filters.ehcp)
    return conditions


def facts(area: Area, as_at: date, filters: ReportFilters) -> _Facts:
    """Build the tables every count starts from."""
    age_band = definitions.age_band_expression(Child.date_of_birth, as_at)
    details = definitions.details_as_at(as_at)
    primary_need = func.coalesce(details.c.primary_need, Child.primary_need)
    ehcp = func.coalesce(details.c.ehcp, Child.ehcp)
    goal_conditions = _goal_conditions(area, as_at, filters, age_band, primary_need, ehcp)
    goals = (
        select(
            Goal.id.label("goal_id"),
            Goal.child_id,
            Child.record_key,
            Goal.status,
            Goal.closed_on,
            age_band.label("age_band"),
            primary_need.label("primary_need"),
            case((ehcp, EHCP_GROUPS[True]), else_=EHCP_GROUPS[False]).label("ehcp"),
            Organisation.name.label("organisation"),
            Child.organisation_id.label("organisation_id"),
        )
        .join(Child, Child.id == Goal.child_id)
        .join(Organisation, Organisation.id == Child.organisation_id)
        .join(details, details.c.child_id == Child.id, isouter=True)
        .where(*goal_conditions)
        .cte("report_goals")
    )

    dated_ratings = (
        select(
            Rating.goal_id,
            Rating.rater,
            Rating.assessed_on,
            Rating.performance,
            Rating.satisfaction,
            *definitions.series_positions(),
        )
        .join(goals, goals.c.goal_id == Rating.goal_id)
        .where(Rating.assessed_on <= as_at)
        .cte("dated_ratings")
    )

    def at(position_column, value_column):
        """Return the value of the series' first or last rating (its row number 1)."""
        return func.max(case((position_column == 1, value_column)))

    series = (
        select(
            dated_ratings.c.goal_id,
            dated_ratings.c.rater,
            func.count().label("ratings"),
            func.max(dated_ratings.c.assessed_on).label("latest_on"),
            at(dated_ratings.c.from_first, dated_ratings.c.performance).label("first_performance"),
            at(dated_ratings.c.from_last, dated_ratings.c.performance).label("last_performance"),
            at(dated_ratings.c.from_first, dated_ratings.c.satisfaction).label(
                "first_satisfaction"
            ),
            at(dated_ratings.c.from_last, dated_ratings.c.satisfaction).label("last_satisfaction"),
        )
        .group_by(dated_ratings.c.goal_id, dated_ratings.c.rater)
        .cte("series")
    )

    # Each series' "better off" measures; a series not reassessed contributes nothing to them.
    is_reassessed = series.c.ratings >= 2
    important_change = float(area.important_change)
    series_measures = {
        "reassessed": case((is_reassessed, 1), else_=0),
        "baseline_performance": case((is_reassessed, series.c.first_performance), else_=0),
        "latest_performance": case((is_reassessed, series.c.last_performance), else_=0),
        "baseline_satisfaction": case((is_reassessed, series.c.first_satisfaction), else_=0),
        "latest_satisfaction": case((is_reassessed, series.c.last_satisfaction), else_=0),
        "improved_performance": case(
            (
                and_(
                    is_reassessed,
                    series.c.last_performance - series.c.first_performance >= important_change,
                ),
                1,
            ),
            else_=0,
        ),
        "improved_satisfaction": case(
            (
                and_(
                    is_reassessed,
                    series.c.last_satisfaction - series.c.first_satisfaction >= important_change,
                ),
                1,
            ),
            else_=0,
        ),
    }

    goal_ratings = (
        select(
            series.c.goal_id,
            func.sum(series.c.ratings).label("rating_count"),
            func.max(series.c.latest_on).label("latest_on"),
            func.max(case((series.c.rater == "child", 1), else_=0)).label("child_voice"),
            *(func.sum(measure).label(name) for name, measure in series_measures.items()),
        )
        .group_by(series.c.goal_id)
        .cte("goal_ratings")
    )

    # Active at D: set by D (already required) and not achieved or stopped on or before D.
    active = or_(goals.c.status == "active", goals.c.closed_on > as_at)
    on_time_from = as_at - timedelta(days=area.review_interval_days)
    goal_facts = (
        select(
            goals,
            case((active, 1), else_=0).label("active"),
            case((and_(active, goal_ratings.c.latest_on >= on_time_from), 1), else_=0).label(
                "reviewed_on_time"
            ),
            func.coalesce(goal_ratings.c.child_voice, 0).label("child_voice"),
            func.coalesce(goal_ratings.c.rating_count, 0).label("rating_count"),
            *(
                func.coalesce(goal_ratings.c[name], 0).label(f"all_{name}")
                for name in series_measures
            ),
        )
        .join_from(goals, goal_ratings, goal_ratings.c.goal_id == goals.c.goal_id, isouter=True)
        .cte("goal_facts")
    )

    return _Facts(goals, series, series_measures, goal_facts)


def report_statement(area: Area, as_at: date, by: str | None, filters: ReportFilters):
    """Build the one query that counts every row of the report, totals and groups alike."""
    tables = facts(area, as_at, filters)
    series, series_measures, goal_facts = tables.series, tables.series_measures, tables.goal_facts

    def goal_units(group_value: ColumnElement):
        """Count each goal once, with all its ratings: every report without a rater filter."""
        return select(
            *_unit_columns(
                facts=goal_facts,
                group_value=group_value,
                rating_count=goal_facts.c.rating_count,
                **{name: goal_facts.c[f"all_{name}"] for name in series_measures},
            )
        )

    def series_units(group_value: ColumnElement):
        """Count each goal once per rater who rated it, with that rater's ratings only."""
        statement = select(
            *_unit_columns(
                facts=goal_facts,
                group_value=group_value,
                rating_count=series.c.ratings,
                **series_measures,
            )
        ).join_from(series, goal_facts, goal_facts.c.goal_id == series.c.goal_id)
        if filters.rater is not None:
            statement = statement.where(series.c.rater == filters.rater)
        return statement

    # A rater filter or breakdown counts goals per rater; otherwise each goal counts once.
    units = series_units if filters.rater is not None else goal_units
    total_units = units(cast(null(), String)).cte("total_units")
    selects = [
        _sums_select(total_units, area=area, per_outcome=False),
        _sums_select(total_units, area=area, per_outcome=True),
    ]
    if by is not None:
        if by == "rater":
            group_units = series_units(series.c.rater).cte("group_units")
        else:
            group_units = units(goal_facts.c[by]).cte("group_units")
        selects += [
            _sums_select(group_units, area=area, per_outcome=False, per_group=True),
            _sums_select(group_units, area=area, per_outcome=True, per_group=True),
        ]
    return union_all(*selects)


def sum_columns(units) -> list[ColumnElement]:
    """Return the counts and sums of a set of units (goals or series), as the report needs."""
    # Each child's record key once: a child's id times 256 plus its key is distinct per child,
    # and its sum modulo 256 is the sum of the keys modulo 256.
    keyed_child = cast(units.c.child_id, BigInteger) * columns.KEY_RANGE + units.c.record_key
    return [
        func.count(units.c.child_id.distinct()).label("children"),
        func.count().label("goals"),
        func.sum(units.c.rating_count).label("ratings"),
        func.sum(units.c.active).label("active_goals"),
        *(func.sum(units.c[name]).label(name) for name in _UNIT_SUMS),
        (func.sum(keyed_child.distinct()) % columns.KEY_RANGE).label("record_keys"),
    ]


def _sums_select(units, *, area: Area, per_outcome: bool, per_group: bool = False):
    """Count and sum the units per row: for ALL or per outcome, for the total or per group."""
    outcome_id = goal_outcome.c.outcome_id if per_outcome else cast(null(), Integer)
    group_value = units.c.group_value if per_group else cast(null(), String)
    statement = select(
        outcome_id.label("outcome_id"),
        group_value.label("group_value"),
        *sum_columns(units),
    )
    grouping = []
    if per_outcome:
        statement = join_area_outcomes(statement, units, area)
        grouping.append(goal_outcome.c.outcome_id)
    if per_group:
        grouping.append(units.c.group_value)
    if grouping:
        statement = statement.group_by(*grouping)
    return statement


def join_area_outcomes(statement, units, area: Area):
    """Join each unit to the area's outcomes its goal is linked to."""
    # Joining the area's outcomes keeps a stray link to another area's outcome out.
    return (
        statement.join_from(units, goal_outcome, goal_outcome.c.goal_id == units.c.goal_id)
        .join(StrategicOutcome, StrategicOutcome.id == goal_outcome.c.outcome_id)
        .where(StrategicOutcome.area_id == area.id)
    )
