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


def _kept_statement(source, by: str | None, filters: ReportFilters):
    """Sum kept rows into the report's rows: the cost does not grow with the data."""
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
    outcome_id = func.nullif(source.c.outcome_id, ALL_OUTCOMES_ID).label("outcome_id")
    sums = [func.sum(source.c[name]).label(name) for name in SUMS]
    selects = [
        select(outcome_id, cast(null(), String).label("group_value"), *sums)
        .where(*conditions, source.c.rater == total_rater)
        .group_by(source.c.outcome_id)
    ]
    if by is not None:
        if by == "rater":
            group_value = source.c.rater
            rater_condition = source.c.rater.in_([filters.rater] if filters.rater else RATERS)
        else:
            group_value = Organisation.name if by == "organisation" else source.c[by]
            rater_condition = source.c.rater == total_rater
        groups = (
            select(outcome_id, group_value.label("group_value"), *sums)
            .where(*conditions, rater_condition)
            .group_by(source.c.outcome_id, group_value)
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
    source = kept.cells_source(session, area, as_at, grain_for(_dimensions(by, filters)))
    if source is not None:
        statement = _kept_statement(source, by, filters)
    else:
        statement = compute.report_statement(area, as_at, by, filters)
    for result in session.execute(statement).mappings():
        sums = {name: int(result[name] or 0) for name in SUMS}
        if result["group_value"] is None:
            totals[result["outcome_id"]] = sums
        elif sums["goals"]:
            groups.setdefault(result["outcome_id"], {})[result["group_value"]] = sums
    order = _group_order(by)
    rows = []
    empty = dict.fromkeys(SUMS, 0)
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


def _row(outcome: str, group: str | None, shown: protect.Shown) -> Row:
    """Make a report row from its shown values."""
    return Row(outcome=outcome, group=group, suppressed=shown.suppressed, **shown.values)


def _report(session, area, as_at, by, filters, show) -> Report:
    """Compute the report's true sums and turn each row into what is shown."""
    filters = compute.as_filters(filters)
    compute.check_arguments(by, filters)
    rows: list[Row] = []
    for outcome, total, groups in _unsuppressed_rows(session, area, as_at, by, filters):
        rows.append(_row(outcome, None, show(total)))
        rows.extend(_row(outcome, group, show(sums)) for group, sums in groups)
    exact = show is protect.exact
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
        return protect.protect(sums, threshold)

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
    return _report(session, area, as_at, by, filters, protect.exact)


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


def trend(
    session: Session,
    area: Area,
    outcome_code: str,
    days: Iterable[date],
    *,
    by: str | None = None,
    filters: ReportFilters | Mapping | None = None,
    compute=None,
) -> tuple[TrendPoint, ...]:
    """Return an outcome's rows (or ALL's) of the report as at each of the given days (quarter
    ends or month ends: every month end is kept, so each point is a bounded read).

    The report is the protected `outcomes_report` unless another is named (tests and the
    command line's exact figures name `exact_outcomes_report`).
    """
    compute = compute or outcomes_report
    points = []
    for day in days:
        report = compute(session, area, day, by=by, filters=filters)
        rows = report.rows_for(outcome_code)
        if not rows:
            raise ValueError(f"Area {area.code} has no outcome with code {outcome_code!r}")
        points.append(TrendPoint(as_at=day, rows=rows))
    return tuple(points)
