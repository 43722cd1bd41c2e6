"""The outcomes report of domain.md section 4: set-based queries in, plain dataclasses out.

The database does the counting: one query for the area's outcomes and one for every row of the
report, however many children there are. Python then protects each row (section 5, in
`disclosure`) before anything leaves this module; only `exact_outcomes_report`, for the command
line's `--exact`, gives the true figures.
"""

from collections.abc import Iterable, Mapping
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
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from goaltracker import disclosure
from goaltracker.models import (
    AGGREGATE_SUMS,
    ALL_OUTCOMES_ID,
    ANY_RATER,
    AggregateSnapshot,
    Area,
    Child,
    ChildDetail,
    Goal,
    Organisation,
    OutcomeAggregate,
    Rating,
    StrategicOutcome,
    goal_outcome,
)
from goaltracker.vocabulary import AGE_BANDS, OTHER_AGE_BAND, PRIMARY_NEEDS, RATERS

ALL_OUTCOMES = "ALL"
BREAKDOWNS: tuple[str, ...] = ("age_band", "primary_need", "ehcp", "organisation", "rater")
EHCP_GROUPS: dict[bool, str] = {True: "yes", False: "no"}
# Financial quarters end on these (month, day)s: Q1 is April to June.
QUARTER_ENDS: tuple[tuple[int, int], ...] = ((6, 30), (9, 30), (12, 31), (3, 31))


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


@dataclass(frozen=True)
class Row:
    """One row of the report: protected (hidden values None and named) or exact."""

    outcome: str
    group: str | None
    children: int | None
    goals: int | None
    ratings: int | None
    reviewed_on_time_pct: float | None
    child_voice_pct: float | None
    reassessed: int | None
    mean_baseline_performance: float | None
    mean_latest_performance: float | None
    mean_change_performance: float | None
    mean_baseline_satisfaction: float | None
    mean_latest_satisfaction: float | None
    mean_change_satisfaction: float | None
    improved_performance: int | None
    improved_performance_pct: float | None
    improved_satisfaction: int | None
    improved_satisfaction_pct: float | None
    suppressed: tuple[str, ...]

    def value(self, column: str) -> int | float | None:
        """Return the value of one of the report's columns."""
        return getattr(self, column)


@dataclass(frozen=True)
class Report:
    """The outcomes report of an area as at a date: rows in the order they are shown."""

    area: str
    as_at: date
    suppression_threshold: int
    by: str | None
    filters: ReportFilters
    rows: tuple[Row, ...]
    # True only for the command line's --exact: the true figures at full precision.
    exact: bool = False

    def rows_for(self, outcome: str) -> tuple[Row, ...]:
        """Return an outcome's rows (or ALL's): its total first, then its groups."""
        return tuple(row for row in self.rows if row.outcome == outcome)


@dataclass(frozen=True)
class TrendPoint:
    """One quarter end of a trend: the outcome's rows of the report as at that date."""

    as_at: date
    rows: tuple[Row, ...]


# What the database counts and sums for one row, before any division: the same names as the
# kept aggregates' columns, so that a report from either source reads alike.
_SUM_NAMES: tuple[str, ...] = AGGREGATE_SUMS
# The sums taken straight from the unit columns of the same name.
_UNIT_SUMS: tuple[str, ...] = (
    "reviewed_on_time",
    "child_voice",
    "reassessed",
    "baseline_performance",
    "latest_performance",
    "baseline_satisfaction",
    "latest_satisfaction",
    "improved_performance",
    "improved_satisfaction",
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


def _check_arguments(by: str | None, filters: ReportFilters) -> None:
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


def _as_filters(filters: ReportFilters | Mapping | None) -> ReportFilters:
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


def details_as_at(as_at: date, children=None):
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
    if children is not None:
        ranked = ranked.where(ChildDetail.child_id.in_(children))
    ranked = ranked.subquery("ranked_details")
    return (
        select(ranked.c.child_id, ranked.c.primary_need, ranked.c.ehcp)
        .where(ranked.c.position == 1)
        .cte("details_as_at")
    )


def goals_of(children) -> list:
    """Return a condition limiting goal ids to some children's goals (none when all count)."""
    if children is None:
        return []
    return [select(Goal.id).where(Goal.child_id.in_(children)).scalar_subquery()]


def _ratings_of(children) -> list:
    """Limit ratings to some children's goals, so that the database reads only theirs."""
    return [Rating.goal_id.in_(goal_ids) for goal_ids in goals_of(children)]


def _facts(area: Area, as_at: date, filters: ReportFilters, *, children=None) -> _Facts:
    """Build the tables every count starts from, optionally for some children only."""
    age_band = age_band_expression(Child.date_of_birth, as_at)
    details = details_as_at(as_at, children)
    primary_need = func.coalesce(details.c.primary_need, Child.primary_need)
    ehcp = func.coalesce(details.c.ehcp, Child.ehcp)
    goal_conditions = _goal_conditions(area, as_at, filters, age_band, primary_need, ehcp)
    if children is not None:
        goal_conditions.append(Child.id.in_(children))
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

    series_key = (Rating.goal_id, Rating.rater)
    dated_ratings = (
        select(
            Rating.goal_id,
            Rating.rater,
            Rating.assessed_on,
            Rating.performance,
            Rating.satisfaction,
            func.row_number()
            .over(partition_by=series_key, order_by=Rating.assessed_on)
            .label("from_first"),
            func.row_number()
            .over(partition_by=series_key, order_by=Rating.assessed_on.desc())
            .label("from_last"),
        )
        .join(goals, goals.c.goal_id == Rating.goal_id)
        .where(Rating.assessed_on <= as_at, *_ratings_of(children))
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


def _report_statement(area: Area, as_at: date, by: str | None, filters: ReportFilters):
    """Build the one query that counts every row of the report, totals and groups alike."""
    facts = _facts(area, as_at, filters)
    series, series_measures, goal_facts = facts.series, facts.series_measures, facts.goal_facts

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
    keyed_child = cast(units.c.child_id, BigInteger) * disclosure.KEY_RANGE + units.c.record_key
    return [
        func.count(units.c.child_id.distinct()).label("children"),
        func.count().label("goals"),
        func.sum(units.c.rating_count).label("ratings"),
        func.sum(units.c.active).label("active_goals"),
        *(func.sum(units.c[name]).label(name) for name in _UNIT_SUMS),
        (func.sum(keyed_child.distinct()) % disclosure.KEY_RANGE).label("record_keys"),
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


def _kept_statement(area: Area, as_at: date, by: str | None, filters: ReportFilters):
    """Sum the kept aggregates' cells into the report's rows: the cost does not grow with data."""
    kept = OutcomeAggregate
    conditions = [kept.area_id == area.id, kept.as_at == as_at]
    if filters.organisation is not None:
        conditions.append(kept.organisation_id == filters.organisation)
    if filters.age_band is not None:
        conditions.append(kept.age_band == filters.age_band)
    if filters.primary_need is not None:
        conditions.append(kept.primary_need == filters.primary_need)
    if filters.ehcp is not None:
        conditions.append(kept.ehcp == EHCP_GROUPS[filters.ehcp])
    total_rater = filters.rater or ANY_RATER
    outcome_id = func.nullif(kept.outcome_id, ALL_OUTCOMES_ID).label("outcome_id")
    sums = [func.sum(getattr(kept, name)).label(name) for name in _SUM_NAMES]
    selects = [
        select(outcome_id, cast(null(), String).label("group_value"), *sums)
        .where(*conditions, kept.rater == total_rater)
        .group_by(kept.outcome_id)
    ]
    if by is not None:
        if by == "rater":
            group_value = kept.rater
            rater_condition = kept.rater.in_([filters.rater] if filters.rater else RATERS)
        else:
            group_value = Organisation.name if by == "organisation" else getattr(kept, by)
            rater_condition = kept.rater == total_rater
        groups = (
            select(outcome_id, group_value.label("group_value"), *sums)
            .where(*conditions, rater_condition)
            .group_by(kept.outcome_id, group_value)
        )
        if by == "organisation":
            groups = groups.join(Organisation, Organisation.id == kept.organisation_id)
        selects.append(groups)
    return union_all(*selects)


def has_kept_aggregates(session: Session, area: Area, as_at: date) -> bool:
    """Return whether the report as at this date can come from kept aggregates."""
    return (
        session.scalar(
            select(AggregateSnapshot.as_at).where(
                AggregateSnapshot.area_id == area.id, AggregateSnapshot.as_at == as_at
            )
        )
        is not None
    )


def _group_order(by: str | None):
    """Return the sort key that puts a breakdown's groups in ascending order of their value."""
    if by == "age_band":
        # Age bands ascend by age ("5-10" before "16-19"), with everyone else last.
        order = {band: position for position, band in enumerate((*AGE_BANDS, OTHER_AGE_BAND))}
        return lambda group: (order.get(group, len(order)), group)
    return lambda group: (group.casefold(), group)


def _unsuppressed_rows(
    session: Session,
    area: Area,
    as_at: date,
    by: str | None,
    filters: ReportFilters,
) -> list[tuple[str, dict, list[tuple[str, dict]]]]:
    """Return each row's outcome, true total sums and true group sums, in order."""
    outcomes = session.execute(
        select(StrategicOutcome.id, StrategicOutcome.code)
        .where(StrategicOutcome.area_id == area.id)
        .order_by(StrategicOutcome.position, StrategicOutcome.code)
    ).all()
    totals: dict[int | None, dict] = {}
    groups: dict[int | None, dict[str, dict]] = {}
    if has_kept_aggregates(session, area, as_at):
        statement = _kept_statement(area, as_at, by, filters)
    else:
        statement = _report_statement(area, as_at, by, filters)
    for result in session.execute(statement).mappings():
        sums = {name: int(result[name] or 0) for name in _SUM_NAMES}
        if result["group_value"] is None:
            totals[result["outcome_id"]] = sums
        elif sums["goals"]:
            groups.setdefault(result["outcome_id"], {})[result["group_value"]] = sums
    order = _group_order(by)
    rows = []
    empty = dict.fromkeys(_SUM_NAMES, 0)
    for outcome_id, code in [(None, ALL_OUTCOMES), *outcomes]:
        outcome_groups = groups.get(outcome_id, {})
        rows.append(
            (
                code,
                totals.get(outcome_id, empty),
                [(group, outcome_groups[group]) for group in sorted(outcome_groups, key=order)],
            )
        )
    return rows


def _row(outcome: str, group: str | None, shown: disclosure.Shown) -> Row:
    """Make a report row from its shown values."""
    return Row(outcome=outcome, group=group, suppressed=shown.suppressed, **shown.values)


def _report(session, area, as_at, by, filters, show) -> Report:
    """Compute the report's true sums and turn each row into what is shown."""
    filters = _as_filters(filters)
    _check_arguments(by, filters)
    rows: list[Row] = []
    for outcome, total, groups in _unsuppressed_rows(session, area, as_at, by, filters):
        rows.append(_row(outcome, None, show(total)))
        rows.extend(_row(outcome, group, show(sums)) for group, sums in groups)
    exact = show is disclosure.exact
    return Report(
        area=area.code,
        as_at=as_at,
        # The exact report hides nothing: as if every count of 1 or more were shown.
        suppression_threshold=1 if exact else area.suppression_threshold,
        by=by,
        filters=filters,
        rows=tuple(rows),
        exact=exact,
    )


def outcomes_report(
    session: Session,
    area: Area,
    as_at: date,
    *,
    by: str | None = None,
    filters: ReportFilters | Mapping | None = None,
) -> Report:
    """Return the area's outcomes report as at a date, protected as domain.md section 5 says.

    Every report a manager sees or downloads, in any format, comes from here.
    """
    threshold = area.suppression_threshold

    def show(sums):
        return disclosure.protect(sums, threshold)

    return _report(session, area, as_at, by, filters, show)


def exact_outcomes_report(
    session: Session,
    area: Area,
    as_at: date,
    *,
    by: str | None = None,
    filters: ReportFilters | Mapping | None = None,
) -> Report:
    """Return the true report at full precision: for `outcomes-report --exact` on the command
    line only, for people who hold the database anyway. No web page or API calls this."""
    return _report(session, area, as_at, by, filters, disclosure.exact)


def quarter_ends(start: date, end: date) -> list[date]:
    """Return the financial quarter ends (30 Jun, 30 Sep, 31 Dec, 31 Mar) from start to end."""
    return sorted(
        date(year, month, day)
        for year in range(start.year, end.year + 1)
        for month, day in QUARTER_ENDS
        if start <= date(year, month, day) <= end
    )


def trend(
    session: Session,
    area: Area,
    outcome_code: str,
    quarters: Iterable[date],
    *,
    by: str | None = None,
    filters: ReportFilters | Mapping | None = None,
    compute=None,
) -> tuple[TrendPoint, ...]:
    """Return an outcome's rows (or ALL's) of the report as at each of the given quarter ends.

    The report is the protected `outcomes_report` unless another is named (tests and the
    command line's exact figures name `exact_outcomes_report`).
    """
    compute = compute or outcomes_report
    points = []
    for quarter_end in quarters:
        report = compute(session, area, quarter_end, by=by, filters=filters)
        rows = report.rows_for(outcome_code)
        if not rows:
            raise ValueError(f"Area {area.code} has no outcome with code {outcome_code!r}")
        points.append(TrendPoint(as_at=quarter_end, rows=rows))
    return tuple(points)
