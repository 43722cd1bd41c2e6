"""Kept aggregates of the outcomes report, so that today's and each quarter end's report cost the
same whatever the number of children.

For each maintained date (a "snapshot": today, and every financial quarter end), the table
outcome_aggregate holds the report's counts and sums per cell of outcome, organisation, age band,
primary need, EHC plan and rater view. Every change to a child's goals or ratings goes through
`maintained`, which, in the same transaction, computes the child's contribution to the affected
snapshots before and after the change and adds the difference. `rebuild` recomputes a snapshot
from scratch; `refresh`, run daily, builds today's snapshot and any missing quarter ends.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import product

from sqlalchemy import bindparam, delete, func, insert, literal, select, union_all, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from goaltracker import aggregation
from goaltracker.disclosure import KEY_RANGE
from goaltracker.models import (
    AGGREGATE_CELL,
    AGGREGATE_SUMS,
    ALL_OUTCOMES_ID,
    ANY_RATER,
    AggregateSnapshot,
    Area,
    Child,
    Goal,
    OutcomeAggregate,
    utcnow,
)

CELL_DIMENSIONS = ("organisation_id", "age_band", "primary_need", "ehcp")
# A child's contribution is its own, so many children are counted a few thousand at a time:
# SQLite and PostgreSQL both limit the parameters of one statement.
CHILDREN_PER_STATEMENT = 5000


def _cells_statement(area: Area, as_at: date, children=None):
    """Return the query of every cell's counts and sums as at a date (for some children only)."""
    facts = aggregation._facts(area, as_at, aggregation.ReportFilters(), children=children)
    goal_facts, series, measures = facts.goal_facts, facts.series, facts.series_measures
    dimensions = [goal_facts.c[name] for name in CELL_DIMENSIONS]
    common = [goal_facts.c.goal_id, goal_facts.c.child_id, goal_facts.c.record_key, *dimensions]
    facts_columns = [goal_facts.c.active, goal_facts.c.reviewed_on_time, goal_facts.c.child_voice]
    goal_units = select(
        *common,
        literal(ANY_RATER).label("rater"),
        goal_facts.c.rating_count.label("rating_count"),
        *facts_columns,
        *(goal_facts.c[f"all_{name}"].label(name) for name in measures),
    )
    series_units = select(
        *common,
        series.c.rater.label("rater"),
        series.c.ratings.label("rating_count"),
        *facts_columns,
        *(measure.label(name) for name, measure in measures.items()),
    ).join_from(series, goal_facts, goal_facts.c.goal_id == series.c.goal_id)
    units = union_all(goal_units, series_units).cte("cell_units")
    cell = [units.c.rater, *(units.c[name] for name in CELL_DIMENSIONS)]
    head = [literal(area.id).label("area_id"), literal(as_at).label("as_at")]
    every_goal = select(
        *head,
        literal(ALL_OUTCOMES_ID).label("outcome_id"),
        *cell,
        *aggregation.sum_columns(units),
    ).group_by(*cell)
    per_outcome = (
        aggregation.join_area_outcomes(
            select(
                *head,
                aggregation.goal_outcome.c.outcome_id.label("outcome_id"),
                *cell,
                *aggregation.sum_columns(units),
            ),
            units,
            area,
        )
        # For a few children, read only their goals' links rather than every link of an outcome.
        .where(
            *(
                aggregation.goal_outcome.c.goal_id.in_(goal_ids)
                for goal_ids in aggregation.goals_of(children)
            )
        )
        .group_by(aggregation.goal_outcome.c.outcome_id, *cell)
    )
    return union_all(every_goal, per_outcome)


def _key(row) -> tuple:
    """Return a cell's identity."""
    return tuple(row[name] for name in AGGREGATE_CELL)


def computed_cells(session: Session, area: Area, as_at: date, children=None) -> dict:
    """Return the cells as computed from the records now: {cell: {sum name: value}}."""
    cells = {}
    for row in session.execute(_cells_statement(area, as_at, children)).mappings():
        cells[_key(row)] = {name: int(row[name] or 0) for name in AGGREGATE_SUMS}
    return cells


def kept_cells(session: Session, area: Area, as_at: date) -> dict:
    """Return the kept cells of a snapshot, leaving out cells whose sums are all zero."""
    rows = session.execute(
        select(OutcomeAggregate).where(
            OutcomeAggregate.area_id == area.id, OutcomeAggregate.as_at == as_at
        )
    ).scalars()
    cells = {}
    for row in rows:
        sums = {name: getattr(row, name) for name in AGGREGATE_SUMS}
        sums["record_keys"] %= KEY_RANGE
        if any(sums.values()):
            cells[tuple(getattr(row, name) for name in AGGREGATE_CELL)] = sums
    return cells


def snapshot_dates(session: Session, area_id: int, since: date | None = None) -> list[date]:
    """Return the maintained dates of an area, from a date on."""
    query = select(AggregateSnapshot.as_at).where(AggregateSnapshot.area_id == area_id)
    if since is not None:
        query = query.where(AggregateSnapshot.as_at >= since)
    return list(session.scalars(query.order_by(AggregateSnapshot.as_at)))


def rebuild(session: Session, area: Area, as_at: date) -> None:
    """Recompute one snapshot from scratch, set-based, and mark the date as maintained."""
    session.execute(
        delete(OutcomeAggregate).where(
            OutcomeAggregate.area_id == area.id, OutcomeAggregate.as_at == as_at
        )
    )
    columns = [*AGGREGATE_CELL, *AGGREGATE_SUMS]
    source = _cells_statement(area, as_at).subquery()
    session.execute(
        insert(OutcomeAggregate).from_select(columns, select(*(source.c[c] for c in columns)))
    )
    snapshot = session.get(AggregateSnapshot, (area.id, as_at))
    if snapshot is None:
        session.add(AggregateSnapshot(area_id=area.id, as_at=as_at))
    else:
        snapshot.built_at = utcnow()
    session.flush()


def wanted_dates(session: Session, area: Area, today: date) -> list[date]:
    """Return the dates to maintain: every quarter end since the area's first goal, and today."""
    first = session.scalar(
        select(func.min(Goal.set_on))
        .join(Child, Child.id == Goal.child_id)
        .where(Child.area_id == area.id)
    )
    quarters = aggregation.quarter_ends(first, today) if first else []
    return sorted({*quarters, today})


def refresh(session: Session, area: Area, today: date, *, everything: bool = False) -> list[date]:
    """Build today's snapshot and any missing quarter ends; drop past days that are not.

    Run daily (after midnight): today's report then comes from kept aggregates all day.
    With `everything`, every snapshot is rebuilt from scratch. Returns the dates built.
    """
    wanted = wanted_dates(session, area, today)
    held = set(snapshot_dates(session, area.id))
    drop(session, area, held - set(wanted))
    built = [as_at for as_at in wanted if everything or as_at not in held or as_at == today]
    for as_at in built:
        rebuild(session, area, as_at)
    return built


def drop(session: Session, area: Area, dates: Iterable[date]) -> None:
    """Stop keeping these dates: their reports are computed from the records again."""
    dates = list(dates)
    if not dates:
        return
    session.execute(
        delete(OutcomeAggregate).where(
            OutcomeAggregate.area_id == area.id, OutcomeAggregate.as_at.in_(dates)
        )
    )
    session.execute(
        delete(AggregateSnapshot).where(
            AggregateSnapshot.area_id == area.id, AggregateSnapshot.as_at.in_(dates)
        )
    )


def settings_changed(session: Session, area: Area, today: date) -> None:
    """Follow a change of what counts as reviewed on time or improved, in its transaction.

    Today's kept figures are rebuilt at once; past dates are dropped, so that their reports are
    computed from the records (right, more slowly) until the next refresh rebuilds them. Each
    date takes seconds to rebuild at 50,000 children, too long for one page to rebuild them all.
    """
    held = snapshot_dates(session, area.id)
    drop(session, area, [as_at for as_at in held if as_at < today])
    for as_at in held:
        if as_at >= today:
            rebuild(session, area, as_at)


def _upsert(session: Session, rows: list[dict]) -> None:
    """Add the differences to the kept cells, creating cells that do not exist yet."""
    dialect = session.get_bind().dialect.name
    insert_function = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert_function(OutcomeAggregate)
    statement = statement.on_conflict_do_update(
        index_elements=list(AGGREGATE_CELL),
        set_={
            name: getattr(OutcomeAggregate, name) + statement.excluded[name]
            for name in AGGREGATE_SUMS
        }
        # Record keys only matter modulo 256, so the kept sum never grows beyond it.
        | {
            "record_keys": (OutcomeAggregate.record_keys + statement.excluded.record_keys)
            % KEY_RANGE
        },
    )
    session.execute(statement, rows)


@dataclass(frozen=True)
class _AreaSettings:
    """What the cells' query reads of an area: enough to build it once and use it again."""

    id: int
    important_change: float
    review_interval_days: int


@lru_cache(maxsize=128)
def _contribution_statement(area: _AreaSettings, as_at: date):
    """Return the query of some children's cells as at a date; the children are a parameter.

    Building the query takes several times longer than running it for a few children, and
    every change runs it twice, so it is built once per area settings and date.
    """
    return _cells_statement(area, as_at, bindparam("children", expanding=True))


def _contributions(session: Session, areas_and_dates, children: list[int]) -> dict:
    """Return the children's cells for each maintained date, summed."""
    totals: dict = defaultdict(lambda: dict.fromkeys(AGGREGATE_SUMS, 0))
    for area, dates in areas_and_dates:
        settings = _AreaSettings(area.id, float(area.important_change), area.review_interval_days)
        for as_at, some in product(dates, _chunks(children)):
            statement = _contribution_statement(settings, as_at)
            for row in session.execute(statement, {"children": some}).mappings():
                cell = totals[_key(row)]
                for name in AGGREGATE_SUMS:
                    cell[name] += int(row[name] or 0)
    return totals


def _affected(session: Session, children: list[int], since: date | None, area: Area | None):
    """Return each affected area with its maintained dates from `since` on."""
    if area is not None:
        area_ids = [area.id]
    else:
        area_ids = session.scalars(select(Child.area_id).where(Child.id.in_(children)).distinct())
    result = []
    for area_id in area_ids:
        dates = snapshot_dates(session, area_id, since)
        if dates:
            result.append((session.get(Area, area_id), dates))
    return result


def _lock_children(session: Session, children: list[int]) -> None:
    """Make other changes to these children's records wait until this transaction ends.

    On PostgreSQL the children's rows are locked. SQLite lets one transaction write at a time
    and starts it at the first write, so an update that changes nothing starts it here.
    """
    postgresql = session.get_bind().dialect.name == "postgresql"
    for some in _chunks(children):
        if postgresql:
            session.execute(select(Child.id).where(Child.id.in_(some)).with_for_update())
        else:
            session.execute(update(Child).where(Child.id.in_(some)).values(id=Child.id))


def _chunks(children: list[int]) -> Iterator[list[int]]:
    """Split a list of children into lists short enough for one statement's parameters."""
    for start in range(0, len(children), CHILDREN_PER_STATEMENT):
        yield children[start : start + CHILDREN_PER_STATEMENT]


@dataclass
class PendingChange:
    """The contribution of some children before a change, waiting for the change to finish."""

    affected: list
    children: list[int]
    before: dict


def begin(
    session: Session,
    children: Iterable[int],
    since: date | None = None,
    *,
    area: Area | None = None,
) -> PendingChange | None:
    """Lock the children, and note their contribution to the kept aggregates, before a change.

    `since` is the earliest report date the change can affect (None: any); `area` names the
    area when the change may add children it does not hold yet. Returns None when no kept
    aggregate can be affected.
    """
    children = sorted({child for child in children if child is not None})
    session.flush()
    # Changes to one child wait for each other, so that no difference is counted twice and
    # what the change reads after this (such as the day's ratings) is what the last one wrote.
    _lock_children(session, children)
    affected = _affected(session, children, since, area) if children or area else []
    if not affected:
        return None
    before = _contributions(session, affected, children) if children else {}
    return PendingChange(affected, children, before)


def finish(session: Session, pending: PendingChange | None, more_children=()) -> None:
    """Add the difference the change made (including children it created) to the aggregates."""
    if pending is None:
        return
    session.flush()
    children = sorted({*pending.children, *more_children})
    after = _contributions(session, pending.affected, children) if children else {}
    zero = dict.fromkeys(AGGREGATE_SUMS, 0)
    rows = []
    for key in pending.before.keys() | after.keys():
        old, new = pending.before.get(key, zero), after.get(key, zero)
        difference = {name: new[name] - old[name] for name in AGGREGATE_SUMS}
        if any(difference.values()):
            rows.append({**dict(zip(AGGREGATE_CELL, key, strict=True)), **difference})
    for chunk in range(0, len(rows), 5000):
        _upsert(session, rows[chunk : chunk + 5000])


@contextmanager
def maintained(session: Session, children: Iterable[int], since: date | None = None) -> Iterator:
    """Keep the aggregates right across a change to these children's records, in its transaction."""
    pending = begin(session, children, since)
    yield
    finish(session, pending)
