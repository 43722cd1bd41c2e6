"""The kept data of the outcomes report: any day's report as a bounded read, whatever the
number of children.

Two tables hold it, per cell of outcome, rater view and cohort (`columns.CELL`) at a grain
(`columns.GRAINS`: the whole cohort, each of its dimensions alone, or none):

- outcome_aggregate: the cells at every grain as at each checkpoint: every month end since the
  area's first goal, and today;
- outcome_change: how the cells of every grain but the whole cohort (`columns.DATED_GRAINS`)
  change on each day. A child's contribution changes only on the days of
  `contributions.change_days`; the whole cohort's cells are nearly one per child, too many to
  keep per day.

and a third holds what is not yet added into them:

- outcome_journal: each write's difference at the full grain, one row per day and cell it
  changes (about 130 rows for a five-goal review, where adding it into the two tables would
  upsert hundreds: every grain, and every checkpoint from the day on).

The report as at a checkpoint reads it, plus the journal up to that day. As at another day, a
report that filters or breaks down by at most one of organisation, age band, need and EHC plan
reads the checkpoint before the day plus at most a month of changes at its grain, plus the
journal up to the day rolled up to that grain; a report using two or more of them is computed
from the records. Every write to a child's record goes through `tracking`, which works out the
child's changes before and after the write (in Python, from its records) and adds the
difference to the journal in the same transaction; the test suite checks after every test that
the kept data equals the report computed from the records.

`fold` moves the journal into the two tables: the daily `refresh` does, and so does the write
that takes an area's journal beyond JOURNAL_AT_MOST rows, so that reports never read more than
that. `refresh`, run daily, also builds today's checkpoint (and any missing month end) from the
records; `rebuild` recomputes everything.
"""

import gc
import json
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from operator import add, itemgetter

from sqlalchemy import (
    bindparam,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
    union_all,
    update,
)
from sqlalchemy import (
    column as sql_column,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from goaltracker import bulk
from goaltracker.models import (
    AggregateSnapshot,
    Area,
    Child,
    Goal,
    KeptChanges,
    OutcomeAggregate,
    OutcomeChange,
    OutcomeJournal,
    goal_outcome,
)
from goaltracker.reports import compute, contributions
from goaltracker.reports.columns import (
    ALL_OUTCOMES_ID,
    ANY_RATER,
    ANY_VALUE,
    CELL,
    COHORT,
    DATED_GRAINS,
    EVERY_GRAIN,
    FULL_GRAIN,
    GRAINS,
    KEY_RANGE,
    SUMS,
    rolled_up,
)

# A change to more children than this (a large import) drops the kept data of their area rather
# than working out each child's changes as it goes; the next refresh rebuilds it.
TRACKED_AT_MOST = 2000
# SQLite and PostgreSQL both limit the parameters of one statement.
ROWS_PER_STATEMENT = 2000
# PostgreSQL's upsert takes its rows as one JSON parameter.
ROWS_PER_JSON = 20_000
CHILDREN_PER_STATEMENT = contributions.CHILDREN_PER_QUERY
# The most journal rows an area holds before the write that adds them folds them into the kept
# tables: what a report reads on top of the kept cells (a five-goal review adds about 130). Rows
# are counted by their ids, which all areas share: an area whose neighbours write at the same
# time folds sooner, never later.
JOURNAL_AT_MOST = 10_000


# Reading ---------------------------------------------------------------------------------------


def snapshot_dates(
    session: Session,
    area_id: int,
    since: date | None = None,
    among: Iterable[date] | None = None,
) -> list[date]:
    """Return the kept dates (checkpoints) of an area in order: from a date on, or those among
    some days."""
    query = select(AggregateSnapshot.as_at).where(AggregateSnapshot.area_id == area_id)
    if since is not None:
        query = query.where(AggregateSnapshot.as_at >= since)
    if among is not None:
        query = query.where(AggregateSnapshot.as_at.in_(set(among)))
    return list(session.scalars(query.order_by(AggregateSnapshot.as_at)))


def has_changes(session: Session, area_id: int) -> bool:
    """Return whether the area's dated changes are kept."""
    return session.get(KeptChanges, area_id) is not None


def _cell_rows(table, area_id: int, grains: tuple[int, ...], *conditions):
    """Select a kept table's cells and sums at some grains, as one shape for both tables."""
    grain = table.c.grain == grains[0] if len(grains) == 1 else table.c.grain.in_(grains)
    conditions = (grain, *conditions)
    return select(*(table.c[name] for name in ("grain", *CELL, *SUMS))).where(
        table.c.area_id == area_id, *conditions
    )


def grains_on(session: Session, area: Area, as_at: date) -> tuple[int, ...]:
    """Return the grains the kept data can give as at a date (none: compute from the records)."""
    held = session.scalar(
        select(AggregateSnapshot.as_at).where(
            AggregateSnapshot.area_id == area.id, AggregateSnapshot.as_at == as_at
        )
    )
    if held is not None:
        return EVERY_GRAIN
    return DATED_GRAINS if has_changes(session, area.id) else ()


def cells_source(session: Session, area: Area, as_at: date, grain: int | None = FULL_GRAIN):
    """Return the kept rows whose sums, added up per cell, are the cells as at a date at a grain
    (None: every grain the date has); or None when the kept data cannot give them (the report is
    then computed from the records).

    A checkpoint on the date is read alone. Otherwise the latest checkpoint before it is read
    with the changes after it up to the date, at the grains kept day by day: checkpoints are a
    month apart, so at most a month of changes is read, and only the rows of one grain.
    """
    checkpoints = OutcomeAggregate.__table__
    before = session.scalar(
        select(func.max(AggregateSnapshot.as_at)).where(
            AggregateSnapshot.area_id == area.id, AggregateSnapshot.as_at <= as_at
        )
    )
    grains = EVERY_GRAIN if grain is None else (grain,)
    if before == as_at:
        kept = _cell_rows(checkpoints, area.id, grains, checkpoints.c.as_at == as_at)
        return union_all(kept, *_journal_rows(area.id, grains, as_at)).subquery("kept")
    grains = tuple(number for number in grains if number in DATED_GRAINS)
    if not grains or not has_changes(session, area.id):
        return None
    return _since(area.id, grains, before, as_at).subquery("kept")


def _since(area_id: int, grains: tuple[int, ...], before: date | None, as_at: date):
    """Select a checkpoint's rows (or none), the changes after it up to a date, and the journal
    up to the date."""
    changes = OutcomeChange.__table__
    checkpoints = OutcomeAggregate.__table__
    since = [changes.c.day > before] if before is not None else []
    parts = [_cell_rows(changes, area_id, grains, *since, changes.c.day <= as_at)]
    if before is not None:
        parts.append(_cell_rows(checkpoints, area_id, grains, checkpoints.c.as_at == before))
    return union_all(*parts, *_journal_rows(area_id, grains, as_at))


def checkpoints_source(session: Session, area: Area, days: Iterable[date], grain: int):
    """Return the days that are checkpoints, and kept rows whose sums, added up per `as_at` and
    cell, give the cells as at each of them at a grain: in one read, however many days.

    Each row has `as_at` and `carried`. A checkpoint's rows (`carried` false) count on their
    day. The journal is read once: each of its rows counts on the first of the days on or after
    its own (its `as_at`) and is carried on to every later day (`carried` true), so the caller
    adds those up day by day. Returns ([], None) when no day is a checkpoint.
    """
    held = snapshot_dates(session, area.id, among=days)
    if not held:
        return [], None
    checkpoints = OutcomeAggregate.__table__
    journal = OutcomeJournal.__table__
    kept = _cell_rows(checkpoints, area.id, (grain,), checkpoints.c.as_at.in_(held)).add_columns(
        checkpoints.c.as_at, literal(False).label("carried")
    )
    first_on_or_after = case(
        *((journal.c.day <= day, literal(day, checkpoints.c.as_at.type)) for day in held)
    )
    carried = select(
        literal(grain, journal.c.grain.type).label("grain"),
        journal.c.rater,
        journal.c.outcome_id,
        *_cohort_at(journal, GRAINS[grain]),
        *(journal.c[name] for name in SUMS),
        first_on_or_after.label("as_at"),
        literal(True).label("carried"),
    ).where(journal.c.area_id == area.id, journal.c.day <= held[-1])
    return held, union_all(kept, carried).subquery("kept")


def _journal_rows(area_id: int, grains: tuple[int, ...], as_at: date) -> list:
    """Select the journal's rows up to a date, rolled up to each of some grains, in the shape
    of `_cell_rows`: the cells it holds are at the full grain, and a grain leaves dimensions
    out."""
    journal = OutcomeJournal.__table__
    return [
        select(
            literal(number, journal.c.grain.type).label("grain"),
            journal.c.rater,
            journal.c.outcome_id,
            *_cohort_at(journal, GRAINS[number]),
            *(journal.c[name] for name in SUMS),
        ).where(journal.c.area_id == area_id, journal.c.day <= as_at)
        for number in grains
    ]


def kept_cells(session: Session, area: Area, as_at: date) -> dict:
    """Return the cells as at a date from the kept data, at every grain it can give them:
    {cell: {sum name: value}}."""
    source = cells_source(session, area, as_at, grain=None)
    if source is None:
        return {}
    statement = (
        select(
            *(source.c[name] for name in CELL),
            *(func.sum(source.c[name]).label(name) for name in SUMS),
        )
        .group_by(*(source.c[name] for name in CELL))
        .having(func.sum(source.c.children) != 0)
    )
    return _as_cells(session.execute(statement).mappings())


def _as_cells(rows) -> dict:
    """Return rows of cells and sums as {cell: {sum name: value}}."""
    cells = {}
    for row in rows:
        sums = {name: int(row[name] or 0) for name in SUMS}
        sums["record_keys"] %= KEY_RANGE
        cells[tuple(row[name] for name in CELL)] = sums
    return cells


def _cells_statement(area: Area, as_at: date):
    """Return the query of every full-grain cell's counts and sums as at a date, from the
    records."""
    facts = compute.facts(area, as_at, compute.ReportFilters())
    goal_facts, series, measures = facts.goal_facts, facts.series, facts.series_measures
    dimensions = [goal_facts.c[name] for name in COHORT]
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
    cohort = [units.c.rater, *(units.c[name] for name in COHORT)]
    every_goal = select(
        literal(ALL_OUTCOMES_ID).label("outcome_id"),
        *cohort,
        *compute.sum_columns(units),
    ).group_by(*cohort)
    per_outcome = compute.join_area_outcomes(
        select(
            goal_outcome.c.outcome_id.label("outcome_id"),
            *cohort,
            *compute.sum_columns(units),
        ),
        units,
        area,
    ).group_by(goal_outcome.c.outcome_id, *cohort)
    return union_all(every_goal, per_outcome)


def computed_cells(
    session: Session, area: Area, as_at: date, grains: tuple[int, ...] = EVERY_GRAIN
) -> dict:
    """Return the cells at some grains as at a date, computed afresh from the records."""
    rows = session.execute(_cells_statement(area, as_at)).mappings()
    cells: dict = {}
    for cell, sums in _as_cells(rows).items():
        for rolled in rolled_up(cell, grains).values():
            total = cells.setdefault(rolled, dict.fromkeys(SUMS, 0))
            for name in SUMS:
                total[name] += sums[name]
    for sums in cells.values():
        sums["record_keys"] %= KEY_RANGE
    return {cell: sums for cell, sums in cells.items() if sums["children"]}


def days_to_check(session: Session, area: Area, most: int = 4) -> list[date]:
    """Return the days worth comparing the kept data with the records on: every checkpoint,
    today, and up to `most` of the days the area's records change on (the latest and others
    spread over the rest). Empty when nothing is kept."""
    checkpoints = snapshot_dates(session, area.id)
    if not checkpoints and not has_changes(session, area.id):
        return []
    days = set(checkpoints) | {date.today()}
    if has_changes(session, area.id):
        changed = sorted(
            set(
                session.scalars(
                    select(OutcomeChange.day).where(OutcomeChange.area_id == area.id).distinct()
                )
            )
            | set(
                session.scalars(
                    select(OutcomeJournal.day).where(OutcomeJournal.area_id == area.id).distinct()
                )
            )
            | set(
                session.scalars(
                    select(Goal.set_on)
                    .join(Child, Child.id == Goal.child_id)
                    .where(Child.area_id == area.id)
                    .distinct()
                )
            )
        )
        if changed:
            step = max(1, len(changed) // most)
            days |= {*changed[::step], changed[-1], changed[-1] - timedelta(days=1)}
    return sorted(days)


# Building --------------------------------------------------------------------------------------


def month_ends(start: date, end: date) -> list[date]:
    """Return the last day of each month from start's month to end (inclusive of end)."""
    result = []
    year, month = start.year, start.month
    while True:
        following = date(year + month // 12, month % 12 + 1, 1)
        last = following - timedelta(days=1)
        if last > end:
            return result
        result.append(last)
        year, month = following.year, following.month


def wanted_dates(session: Session, area: Area, today: date) -> list[date]:
    """Return the checkpoints to keep: every month end since the area's first goal, and today."""
    first = session.scalar(
        select(func.min(Goal.set_on))
        .join(Child, Child.id == Goal.child_id)
        .where(Child.area_id == area.id)
    )
    return sorted({*(month_ends(first, today) if first else []), today})


def _add_rows(session: Session, model, key: tuple[str, ...], rows: list[dict]) -> None:
    """Add sums into kept cells, creating the cells that do not exist yet."""
    if not rows:
        return
    # In the order of the key: two transactions adding to the same cells lock them in one order.
    rows.sort(key=itemgetter(*key))
    from_json = bulk.is_postgresql(session)
    _send(session, _upsert(model.__table__, key, tuple(rows[0]), from_json), rows, from_json)


def _send(session: Session, statement, rows: list[dict], from_json: bool) -> None:
    """Run an insert of rows, a bounded number a statement: on PostgreSQL as one JSON parameter,
    far cheaper to send than a parameter per value (or a prepared statement per row)."""
    # Through the table, not the ORM's bulk path: this runs on every write of a record.
    connection = session.connection()
    if from_json:
        for start in range(0, len(rows), ROWS_PER_JSON):
            some = rows[start : start + ROWS_PER_JSON]
            connection.execute(statement, {"rows": json.dumps(some, default=date.isoformat)})
    else:
        for start in range(0, len(rows), ROWS_PER_STATEMENT):
            connection.execute(statement, rows[start : start + ROWS_PER_STATEMENT])


@lru_cache
def _insert_statement(table, names: tuple[str, ...], from_json: bool):
    """Return an insert of rows into a table, taking them as one JSON parameter (an array of
    objects) on PostgreSQL."""
    if not from_json:
        return insert(table)
    columns = [sql_column(name, table.c[name].type) for name in names]
    rows = func.jsonb_to_recordset(cast(bindparam("rows"), postgresql.JSONB))
    source = select(rows.table_valued(*columns).render_derived(with_types=True))
    return postgresql.insert(table).from_select(names, source)


@lru_cache
def _upsert(table, key: tuple[str, ...], names: tuple[str, ...], from_json: bool):
    """Return an insert into a kept table that adds the sums of cells that exist already."""
    statement = _insert_statement(table, names, from_json) if from_json else sqlite.insert(table)
    return statement.on_conflict_do_update(
        index_elements=list(key),
        set_={name: table.c[name] + statement.excluded[name] for name in SUMS}
        # Record keys only matter modulo 256, so the kept sum never grows beyond it.
        | {"record_keys": (table.c.record_keys + statement.excluded.record_keys) % KEY_RANGE},
    )


@lru_cache(maxsize=65536)
def _grain_of(cell: tuple) -> int:
    """Return the grain of a cell from the dimensions it leaves out."""
    kept_dimensions = tuple(
        name for name, value in zip(COHORT, cell[2:], strict=True) if value != ANY_VALUE[name]
    )
    return GRAINS.index(kept_dimensions)


def _rows(area_id: int, date_name: str, cells: dict) -> list[dict]:
    """Return kept rows from {(date, cell): sums}."""
    return [
        {
            "area_id": area_id,
            date_name: day,
            "grain": _grain_of(cell),
            **dict(zip(CELL, cell, strict=True)),
            **dict(zip(SUMS, sums, strict=True)),
            "record_keys": sums[-1] % KEY_RANGE,
        }
        for (day, cell), sums in cells.items()
        if any(sums[:-1]) or sums[-1] % KEY_RANGE
    ]


def _at_grains(cells: dict, grains: tuple[int, ...]) -> dict:
    """Add up {(date, full-grain cell): sums} at some grains."""
    result: dict = {}
    for (day, cell), sums in cells.items():
        for rolled in rolled_up(cell, grains).values():
            total = result.get((day, rolled))
            if total is None:
                result[(day, rolled)] = list(sums)
            else:
                contributions.add_into(total, sums)
    return result


def _add_changes(session: Session, area_id: int, changes: dict) -> None:
    """Add {(day, cell): sums} into the kept changes, creating cells that are new."""
    _add_rows(session, OutcomeChange, ("area_id", "day", *CELL), _rows(area_id, "day", changes))


def _summed(column, name: str):
    """Return the SQL sum of a kept column; record keys modulo 256."""
    return func.sum(column) % KEY_RANGE if name == "record_keys" else func.sum(column)


def _cohort_at(table, grain: tuple[str, ...]) -> list:
    """Select a kept table's full-grain cohort columns at a grain: the dimensions it leaves out
    hold their "any" value."""
    return [
        table.c[name] if name in grain else literal(ANY_VALUE[name], table.c[name].type).label(name)
        for name in COHORT
    ]


def _roll_up(session: Session, area_id: int, as_at: date) -> None:
    """Add up a checkpoint's full-grain cells into every other grain, set-based."""
    table = OutcomeAggregate.__table__
    for number, grain in enumerate(GRAINS[:FULL_GRAIN]):
        cohort = _cohort_at(table, grain)
        session.execute(
            insert(table).from_select(
                ["area_id", "as_at", "grain", *CELL, *SUMS],
                select(
                    table.c.area_id,
                    table.c.as_at,
                    literal(number),
                    table.c.rater,
                    table.c.outcome_id,
                    *cohort,
                    *(_summed(table.c[name], name) for name in SUMS),
                )
                .where(
                    table.c.area_id == area_id, table.c.grain == FULL_GRAIN, table.c.as_at == as_at
                )
                .group_by(
                    table.c.area_id,
                    table.c.as_at,
                    table.c.rater,
                    table.c.outcome_id,
                    *(table.c[name] for name in grain),
                ),
            )
        )


def start(session: Session, area: Area) -> None:
    """Keep the dated changes of a new area from its first record on (nothing to rebuild)."""
    session.add(KeptChanges(area_id=area.id))
    session.flush()


def forget(session: Session, area: Area) -> None:
    """Stop keeping anything of an area: its reports are computed from the records again."""
    for model, column in (
        (OutcomeAggregate, OutcomeAggregate.area_id),
        (AggregateSnapshot, AggregateSnapshot.area_id),
        (OutcomeChange, OutcomeChange.area_id),
        (OutcomeJournal, OutcomeJournal.area_id),
        (KeptChanges, KeptChanges.area_id),
    ):
        session.execute(delete(model).where(column == area.id))


def rebuild(session: Session, area: Area, today: date) -> list[date]:
    """Recompute all of an area's kept data from its records; return the checkpoints built.

    Each child's changes are worked out from its records a few thousand children at a time and
    added up in memory: day by day at the dated grains (a bounded number of cells a day), and
    per month at the full grain, whose running totals give each checkpoint. Memory grows with
    the number of cells, not of children.
    """
    forget(session, area)
    session.flush()
    # Millions of small lists of sums, none in a cycle: the cyclic garbage collector would walk
    # them all again and again, making the rebuild grow faster than the number of children.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _rebuild(session, area, today)
    finally:
        if collecting:
            gc.enable()


def _rebuild(session: Session, area: Area, today: date) -> list[date]:
    """Do the work of `rebuild`, with the garbage collector off."""
    settings = contributions.Settings.of(area)
    dates = wanted_dates(session, area, today)
    dated: dict = {}
    per_checkpoint: dict[date, dict] = {as_at: {} for as_at in dates}
    ids = list(session.scalars(select(Child.id).where(Child.area_id == area.id).order_by(Child.id)))
    for start in range(0, len(ids), CHILDREN_PER_STATEMENT):
        for child in contributions.load(session, ids[start : start + CHILDREN_PER_STATEMENT]):
            for (day, cell), delta in contributions.changes(child, settings).items():
                for rolled in rolled_up(cell, DATED_GRAINS).values():
                    _add(dated, (day, rolled), delta)
                position = bisect_left(dates, day)
                if position < len(dates):
                    _add(per_checkpoint[dates[position]], cell, delta)
    _insert(session, OutcomeChange, _rows(area.id, "day", dated))
    session.add(KeptChanges(area_id=area.id))
    running: dict = {}
    for as_at in dates:
        for cell, delta in per_checkpoint.pop(as_at).items():
            _add(running, cell, delta)
        cells = _at_grains(
            {(as_at, cell): sums for cell, sums in running.items() if sums[0]}, EVERY_GRAIN
        )
        _insert(session, OutcomeAggregate, _rows(area.id, "as_at", cells))
        session.add(AggregateSnapshot(area_id=area.id, as_at=as_at))
    session.flush()
    return dates


def _add(totals: dict, key, delta: list[int]) -> None:
    """Add a delta into a dict of running sums (new lists, never changed in place, so that one
    delta can start several sums; record keys are taken modulo 256 when written)."""
    total = totals.get(key)
    totals[key] = delta if total is None else list(map(add, total, delta))


def _insert(session: Session, model, rows: list[dict]) -> None:
    """Insert new kept rows (Core: the ORM's bulk path is slower)."""
    if rows:
        from_json = bulk.is_postgresql(session)
        statement = _insert_statement(model.__table__, tuple(rows[0]), from_json)
        _send(session, statement, rows, from_json)


def refresh(session: Session, area: Area, today: date, *, everything: bool = False) -> list[date]:
    """Keep today's checkpoint and every month end's, dropping past days that are neither.

    Run daily (after midnight). Builds the missing checkpoints from the records (set-based,
    seconds at 50,000 children); with `everything`, or when the dated changes are not kept,
    rebuilds everything. Returns the dates built.
    """
    if everything or not has_changes(session, area.id):
        return rebuild(session, area, today)
    # A checkpoint built from the records holds what the journal says already.
    fold(session, area)
    wanted = wanted_dates(session, area, today)
    held = set(snapshot_dates(session, area.id))
    drop(session, area, held - set(wanted))
    built = [as_at for as_at in wanted if as_at not in held]
    for as_at in built:
        rebuild_from_records(session, area, as_at)
    return built


def drop(session: Session, area: Area, dates: Iterable[date]) -> None:
    """Stop keeping these checkpoints."""
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


def rebuild_from_records(session: Session, area: Area, as_at: date) -> None:
    """Keep one date's cells computed set-based from the records (no dated changes needed)."""
    drop(session, area, [as_at])
    columns = ["area_id", "as_at", *CELL, *SUMS]
    source = _cells_statement(area, as_at).subquery()
    session.execute(
        insert(OutcomeAggregate).from_select(
            columns,
            select(literal(area.id), literal(as_at), *(source.c[name] for name in (*CELL, *SUMS))),
        )
    )
    _roll_up(session, area.id, as_at)
    session.add(AggregateSnapshot(area_id=area.id, as_at=as_at))
    session.flush()


def settings_changed(session: Session, area: Area, today: date) -> None:
    """Follow a change of what counts as reviewed on time or improved, in its transaction.

    Every kept figure depends on both, so all are dropped; today's checkpoint is rebuilt at once
    from the records (set-based, seconds at 50,000 children), and other dates are computed from
    the records (right, more slowly) until the next refresh rebuilds everything.
    """
    forget(session, area)
    rebuild_from_records(session, area, today)


# Keeping it right across a change ---------------------------------------------------------------


_IDS = bindparam("ids", expanding=True)
# Built once: they run on every write of a child's record.
_LOCK_CHILDREN = {
    "postgresql": select(Child.area_id).where(Child.id.in_(_IDS)).with_for_update(),
    "sqlite": update(Child).where(Child.id.in_(_IDS)).values(id=Child.id),
}
_AREAS_OF_CHILDREN = select(Child.area_id).where(Child.id.in_(_IDS))


def _lock_children(session: Session, children: list[int]) -> set[int]:
    """Make other changes to these children's records wait until this transaction ends, and
    return the children's areas.

    On PostgreSQL the children's rows are locked. SQLite lets one transaction write at a time
    and starts it at the first write, so an update that changes nothing starts it here.
    """
    area_ids: set[int] = set()
    connection = session.connection()
    for start in range(0, len(children), CHILDREN_PER_STATEMENT):
        parameters = {"ids": children[start : start + CHILDREN_PER_STATEMENT]}
        if bulk.is_postgresql(session):
            area_ids.update(connection.scalars(_LOCK_CHILDREN["postgresql"], parameters))
        else:
            connection.execute(_LOCK_CHILDREN["sqlite"], parameters)
            area_ids.update(connection.scalars(_AREAS_OF_CHILDREN, parameters))
    return area_ids


@dataclass(frozen=True)
class _KeptState:
    """What an area keeps: its checkpoints, in order, and whether its dated changes."""

    checkpoints: list[date]
    changes: bool


# The checkpoints and kept changes of some areas; a null date marks kept changes.
_KEPT_STATE = union_all(
    select(AggregateSnapshot.area_id, AggregateSnapshot.as_at).where(
        AggregateSnapshot.area_id.in_(_IDS)
    ),
    select(KeptChanges.area_id, literal(None, AggregateSnapshot.as_at.type)).where(
        KeptChanges.area_id.in_(_IDS)
    ),
)


def _kept_state(session: Session, area_ids: Iterable[int]) -> dict[int, _KeptState]:
    """Return what each of these areas keeps, for those that keep anything: one query."""
    area_ids = sorted(set(area_ids))
    if not area_ids:
        return {}
    found: dict[int, tuple[list[date], bool]] = {}
    for area_id, as_at in session.connection().execute(_KEPT_STATE, {"ids": area_ids}):
        dates, kept_changes = found.get(area_id, ([], False))
        if as_at is None:
            kept_changes = True
        else:
            dates.append(as_at)
        found[area_id] = (dates, kept_changes)
    return {
        area_id: _KeptState(sorted(dates), kept_changes)
        for area_id, (dates, kept_changes) in sorted(found.items())
    }


def _changes_of(
    session: Session, children: list[int], areas: dict[int, Area], since: date | None = None
) -> dict:
    """Return the children's changes (from `since` on) added up per area."""
    totals: dict[int, dict] = {area_id: {} for area_id in areas}
    settings = {area_id: contributions.Settings.of(area) for area_id, area in areas.items()}
    for child in contributions.load(session, children):
        if child.area_id not in areas:
            continue
        total = totals[child.area_id]
        for key, delta in contributions.changes(child, settings[child.area_id], since).items():
            if key in total:
                contributions.add_into(total[key], delta)
            else:
                total[key] = delta
    return totals


@dataclass
class Tracked:
    """A change to some children's records under way: their changes before it, per area."""

    session: Session
    children: set[int]
    areas: dict[int, Area]
    since: date | None = None
    before: dict = field(default_factory=dict)
    # True when the change was too large to follow, and the areas' kept data was dropped.
    dropped: bool = False

    def include(self, children: Iterable[int]) -> None:
        """Track children the change creates as well (their contribution before was nothing)."""
        self.children.update(child for child in children if child is not None)

    def finish(self) -> None:
        """Add the difference the change made to the kept data, in the same transaction."""
        if not self.areas:
            return
        self.session.flush()
        after = _changes_of(self.session, sorted(self.children), self.areas, self.since)
        # Read again: the change itself may have dropped what an area keeps.
        state = _kept_state(self.session, self.areas)
        for area_id, area in self.areas.items():
            difference = contributions.difference(
                self.before.get(area_id, {}), after.get(area_id, {})
            )
            if difference and area_id in state:
                _journal(self.session, area, difference)


def _journal(session: Session, area: Area, difference: dict) -> None:
    """Add a write's difference of full-grain dated changes to the area's journal; fold the
    journal into the kept tables when this takes it beyond JOURNAL_AT_MOST rows."""
    rows = _rows(area.id, "day", difference)
    if not rows:
        return
    _insert(session, OutcomeJournal, rows)
    if session.connection().scalar(_JOURNAL_SPAN, {"area_id": area.id}) > JOURNAL_AT_MOST:
        fold(session, area)


def _journal_id(function):
    """Select the first or last id of an area's journal rows: one step down its index."""
    return (
        select(function(OutcomeJournal.id))
        .where(OutcomeJournal.area_id == bindparam("area_id"))
        .scalar_subquery()
    )


# At least how many rows an area's journal holds, and at most (ids are shared by all areas):
# read in two steps down an index, where counting the rows would read them all.
_JOURNAL_SPAN = select(_journal_id(func.max) - _journal_id(func.min) + 1)


def fold(session: Session, area: Area) -> None:
    """Move the area's journal into its kept tables, in this transaction.

    The rows are taken by deleting them: a write that adds to the journal meanwhile is folded
    next time, and two folds at once never take the same row.
    """
    journal = OutcomeJournal.__table__
    taken = session.execute(
        delete(journal)
        .where(journal.c.area_id == area.id)
        .returning(journal.c.day, *(journal.c[name] for name in (*CELL, *SUMS)))
    )
    difference: dict = {}
    for row in taken:
        _add(difference, (row[0], tuple(row[1 : 1 + len(CELL)])), list(row[1 + len(CELL) :]))
    state = _kept_state(session, [area.id]).get(area.id)
    if difference and state is not None:
        _apply(session, area, state, difference)


def _apply(session: Session, area: Area, state: _KeptState, difference: dict) -> None:
    """Add a difference of dated changes to the changes and to every checkpoint after them."""
    if state.changes:
        _add_changes(session, area.id, _at_grains(difference, DATED_GRAINS))
    dates = state.checkpoints
    if not dates:
        return
    # Each checkpoint gains the difference of every change on or before its date.
    per_checkpoint: dict[tuple[date, tuple], list[int]] = {}
    for (day, cell), delta in difference.items():
        for as_at in dates[bisect_left(dates, day) :]:
            total = per_checkpoint.get((as_at, cell))
            if total is None:
                per_checkpoint[(as_at, cell)] = list(delta)
            else:
                contributions.add_into(total, delta)
    rows = _rows(area.id, "as_at", _at_grains(per_checkpoint, EVERY_GRAIN))
    _add_rows(session, OutcomeAggregate, ("area_id", "as_at", *CELL), rows)


def begin(
    session: Session,
    children: Iterable[int],
    *,
    area: Area | None = None,
    expected: int | None = None,
    since: date | None = None,
) -> Tracked:
    """Lock the children and note their changes before a change to their records.

    `since` is the earliest day whose figures the change can alter (None: any day).

    `area` names the area when the change may create children it does not hold yet; `expected`
    says how many children the change will touch in all. Above TRACKED_AT_MOST, the areas' kept
    data is dropped instead (their reports are computed from the records until the next refresh).
    """
    children = {child for child in children if child is not None}
    session.flush()
    # Changes to one child wait for each other, so that no difference is counted twice and
    # what the change reads after this (such as the day's ratings) is what the last one wrote.
    area_ids = _lock_children(session, sorted(children))
    if area is not None:
        area_ids.add(area.id)
    areas = {area_id: session.get(Area, area_id) for area_id in _kept_state(session, area_ids)}
    if max(expected or 0, len(children)) > TRACKED_AT_MOST:
        for dropped in areas.values():
            forget(session, dropped)
        return Tracked(session, children, {}, dropped=bool(areas))
    tracked = Tracked(session, children, areas, since)
    if areas and children:
        tracked.before = _changes_of(session, sorted(children), areas, since)
    return tracked


@contextmanager
def tracking(
    session: Session,
    children: Iterable[int],
    *,
    area: Area | None = None,
    expected: int | None = None,
    since: date | None = None,
) -> Iterator[Tracked]:
    """Keep the kept data right across a change to these children's records.

    Every write to a child's goals, ratings, details, organisation or erasure goes through this
    (the test suite checks it after every test):

        with kept.tracking(db.session, [child.id], since=earliest_day_changed):
            ...change the records...
    """
    tracked = begin(session, children, area=area, expected=expected, since=since)
    yield tracked
    tracked.finish()
