"""The outcomes report of an area as at a date: rows in order, protected before they leave.

The sums of each row come from the kept data when it can give the date (`kept`; a bounded read
whatever the number of children) and otherwise from the records (`compute`). Every row is then
protected as domain.md section 5 says (`protect`); only `exact_outcomes_report`, for the command
line's `--exact`, gives the true figures.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, make_dataclass
from datetime import date

from sqlalchemy import String, cast, func, null, select, union_all
from sqlalchemy.orm import Session

from goaltracker.models import Area, Organisation, StrategicOutcome
from goaltracker.reports import compute, kept, protect
from goaltracker.reports.columns import (
    ALL_OUTCOMES_ID,
    ANY_RATER,
    EHCP_GROUPS,
    NAMES,
    SUMS,
    grain_for,
)
from goaltracker.reports.compute import ReportFilters
from goaltracker.vocabulary import AGE_BANDS, OTHER_AGE_BAND, RATERS

ALL_OUTCOMES = "ALL"
# Financial quarters end on these (month, day)s: Q1 is April to June.
QUARTER_ENDS: tuple[tuple[int, int], ...] = ((6, 30), (9, 30), (12, 31), (3, 31))


def _value(self, column: str) -> int | float | None:
    """Return the value of one of the report's columns."""
    return getattr(self, column)


# One row of the report: its outcome and group, a value per column of `columns.COLUMNS`
# (protected: hidden values None and named in `suppressed`; or exact).
Row = make_dataclass(
    "Row",
    [
        ("outcome", str),
        ("group", str | None),
        *((name, int | float | None) for name in NAMES),
        ("suppressed", tuple[str, ...]),
    ],
    frozen=True,
    namespace={"value": _value, "__module__": __name__},
)


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
    """One point of a trend: the outcome's rows of the report as at that date."""

    as_at: date
    rows: tuple[Row, ...]


# What the database counts and sums for one row, before any division: the same names as the
# kept aggregates' columns, so that a report from either source reads alike.
def _dimensions(by: str | None, filters: ReportFilters) -> set[str]:
    """Return the cohort dimensions a report filters or breaks down by."""
    named = {name for name in filters.applied() if name != "rater"}
    if by is not None and by != "rater":
        named.add(by)
    return {"organisation_id" if name == "organisation" else name for name in named}


def _kept_statement(source, by: str | None, filters: ReportFilters, per_day: bool = False):
    """Sum kept rows into the report's rows: the cost does not grow with the data. With
    `per_day`, into each day's rows (`checkpoints_source`'s)."""
    conditions = []
    if filters.organisation is not None:
        conditions.append(source.c.organisation_id == filters.organisation)
    if filters.age_band is not None:
        conditions.append(source.c.age_band == filters.age_band)
    if filters.primary_need is not None:
        conditions.append(source.c.primary_need == filters.primary_need)
    if filters.ehcp is not None:
        conditions.append(source.c.ehcp == EHCP_GROUPS[filters.ehcp])
    total_rater = filters.rater or ANY_RATER
    days = (source.c.as_at, source.c.carried) if per_day else ()
    outcome_id = func.nullif(source.c.outcome_id, ALL_OUTCOMES_ID).label("outcome_id")
    sums = [func.sum(source.c[name]).label(name) for name in SUMS]
    selects = [
        select(*days, outcome_id, cast(null(), String).label("group_value"), *sums)
        .where(*conditions, source.c.rater == total_rater)
        .group_by(*days, source.c.outcome_id)
    ]
    if by is not None:
        if by == "rater":
            group_value = source.c.rater
            rater_condition = source.c.rater.in_([filters.rater] if filters.rater else RATERS)
        else:
            group_value = Organisation.name if by == "organisation" else source.c[by]
            rater_condition = source.c.rater == total_rater
        groups = (
            select(*days, outcome_id, group_value.label("group_value"), *sums)
            .where(*conditions, rater_condition)
            .group_by(*days, source.c.outcome_id, group_value)
        )
        if by == "organisation":
            groups = groups.join(Organisation, Organisation.id == source.c.organisation_id)
        selects.append(groups)
    return union_all(*selects)


def _group_order(by: str | None):
    """Return the sort key that puts a breakdown's groups in ascending order of their value."""
    if by == "age_band":
        # Age bands ascend by age ("5-10" before "16-19"), with everyone else last.
        order = {band: position for position, band in enumerate((*AGE_BANDS, OTHER_AGE_BAND))}
        return lambda group: (order.get(group, len(order)), group)
    return lambda group: (group.casefold(), group)


# The true sums of a report's rows: {outcome id (None: all outcomes): {group (None: the
# outcome's total): {sum name: value}}}.
Sums = dict[int | None, dict[str | None, dict[str, int]]]


def _sums_of(row) -> dict[str, int]:
    """Return a result row's sums by name."""
    return {name: int(row[name] or 0) for name in SUMS}


def _add_sums(into: Sums, outcome_id: int | None, group: str | None, sums: dict) -> None:
    """Add one row's sums into a report's sums."""
    held = into.setdefault(outcome_id, {}).get(group)
    if held is None:
        into[outcome_id][group] = dict(sums)
    else:
        for name, value in sums.items():
            held[name] += value


def _sums_as_at(session: Session, area: Area, as_at: date, by, filters) -> Sums:
    """Return the report's true sums as at one date, from the kept data or the records."""
    source = kept.cells_source(session, area, as_at, grain_for(_dimensions(by, filters)))
    if source is not None:
        statement = _kept_statement(source, by, filters)
    else:
        statement = compute.report_statement(area, as_at, by, filters)
    found: Sums = {}
    for result in session.execute(statement).mappings():
        _add_sums(found, result["outcome_id"], result["group_value"], _sums_of(result))
    return found


def _sums_at_checkpoints(session: Session, area: Area, days: list[date], by, filters) -> dict:
    """Return the report's true sums as at each of the days that are kept checkpoints, with one
    read of the kept data: {day: sums}."""
    grain = grain_for(_dimensions(by, filters))
    held, source = kept.checkpoints_source(session, area, days, grain)
    if source is None:
        return {}
    own: dict[date, Sums] = {day: {} for day in held}
    carried: dict[date, list] = {day: [] for day in held}
    for result in session.execute(_kept_statement(source, by, filters, per_day=True)).mappings():
        row = (result["outcome_id"], result["group_value"], _sums_of(result))
        if result["carried"]:
            carried[result["as_at"]].append(row)
        else:
            _add_sums(own[result["as_at"]], *row)
    # The journal's rows count on their first day and every day after it.
    so_far: list = []
    for day in held:
        so_far.extend(carried[day])
        for row in so_far:
            _add_sums(own[day], *row)
    return own


def _rows(area_outcomes, sums: Sums, by: str | None, show) -> tuple[Row, ...]:
    """Turn a report's true sums into its rows in order, each as `show` shows it: every
    outcome's total (nothing counted: zeros), then its groups that count any goal."""
    order = _group_order(by)
    empty = dict.fromkeys(SUMS, 0)
    rows: list[Row] = []
    for outcome_id, code in [(None, ALL_OUTCOMES), *area_outcomes]:
        groups = dict(sums.get(outcome_id, {}))
        rows.append(_row(code, None, show(groups.pop(None, empty))))
        shown = [group for group, values in groups.items() if values["goals"]]
        rows.extend(_row(code, group, show(groups[group])) for group in sorted(shown, key=order))
    return tuple(rows)


def _row(outcome: str, group: str | None, shown: protect.Shown) -> Row:
    """Make a report row from its shown values."""
    return Row(outcome=outcome, group=group, suppressed=shown.suppressed, **shown.values)


def _reports(session, area, days: list[date], by, filters, show) -> list[Report]:
    """Compute the report's true sums as at each day and turn each row into what is shown.

    Several days that are kept checkpoints (month ends) are read at once; any other day alone.
    """
    filters = compute.as_filters(filters)
    compute.check_arguments(by, filters)
    area_outcomes = session.execute(
        select(StrategicOutcome.id, StrategicOutcome.code)
        .where(StrategicOutcome.area_id == area.id)
        .order_by(StrategicOutcome.position, StrategicOutcome.code)
    ).all()
    found = _sums_at_checkpoints(session, area, days, by, filters) if len(days) > 1 else {}
    exact = show is protect.exact
    return [
        Report(
            area=area.code,
            as_at=day,
            # The exact report hides nothing: as if every count of 1 or more were shown.
            suppression_threshold=1 if exact else area.suppression_threshold,
            by=by,
            filters=filters,
            rows=_rows(
                area_outcomes,
                found[day] if day in found else _sums_as_at(session, area, day, by, filters),
                by,
                show,
            ),
            exact=exact,
        )
        for day in days
    ]


def _protected(area: Area):
    """Return how an area's reports show a row's sums: protected as domain.md section 5 says."""
    threshold = area.suppression_threshold

    def show(sums):
        return protect.protect(sums, threshold)

    return show


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
    return _reports(session, area, [as_at], by, filters, _protected(area))[0]


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
    return _reports(session, area, [as_at], by, filters, protect.exact)[0]


def quarter_ends(start: date, end: date) -> list[date]:
    """Return the financial quarter ends (30 Jun, 30 Sep, 31 Dec, 31 Mar) from start to end."""
    return sorted(
        date(year, month, day)
        for year in range(start.year, end.year + 1)
        for month, day in QUARTER_ENDS
        if start <= date(year, month, day) <= end
    )


def month_ends(start: date, end: date) -> list[date]:
    """Return the month ends from start to end."""
    return kept.month_ends(start, end)


def reports_at(
    session: Session,
    area: Area,
    days: Iterable[date],
    *,
    by: str | None = None,
    filters: ReportFilters | Mapping | None = None,
    exact: bool = False,
) -> list[Report]:
    """Return the area's outcomes report as at each of the days, protected (or, with `exact`,
    the command line's true figures): the days that are kept checkpoints, such as month and
    quarter ends, in one read of the kept data."""
    show = protect.exact if exact else _protected(area)
    return _reports(session, area, list(days), by, filters, show)


def trend(
    session: Session,
    area: Area,
    outcome_code: str,
    days: Iterable[date],
    *,
    by: str | None = None,
    filters: ReportFilters | Mapping | None = None,
    exact: bool = False,
) -> tuple[TrendPoint, ...]:
    """Return an outcome's rows (or ALL's) of the report as at each of the given days (quarter
    ends or month ends: every month end is kept, so all the points are one bounded read).

    The report is the protected one; `exact` gives the command line's true figures (and tests').
    """
    points = []
    for report in reports_at(session, area, days, by=by, filters=filters, exact=exact):
        rows = report.rows_for(outcome_code)
        if not rows:
            raise ValueError(f"Area {area.code} has no outcome with code {outcome_code!r}")
        points.append(TrendPoint(as_at=report.as_at, rows=rows))
    return tuple(points)
