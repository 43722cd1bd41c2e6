"""Writing many rows at once: COPY on PostgreSQL, one executemany on SQLite.

For an import or a seeded area. Rows that others point at get their ids first (from the table's
sequence on PostgreSQL, from RETURNING on SQLite), so children can point at them in the same
transaction.

On PostgreSQL, most of a COPY's time is its foreign keys: the server checks each row's parents one
row at a time, with a trigger. Inside `foreign_keys_checked_at_once`, when the database role may
(see the README), each COPY skips those triggers, and the block's end does what they would have
done for all the rows copied at once: it finds and locks (FOR KEY SHARE) every parent row they
point at that the block did not create, and fails like a foreign-key violation when one is
missing. A parent deleted by another transaction meanwhile is found missing; once locked, a
parent cannot be deleted until this transaction ends.
"""

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from functools import lru_cache
from itertools import islice
from operator import itemgetter
from typing import Any

from psycopg import adapters, sql
from sqlalchemy import JSON, Column, Table, TypeDecorator, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from goaltracker import transactions

# The session's `info` key of the foreign keys being checked at once, while a block is open.
_CHECKED_AT_ONCE = "bulk.foreign_keys_checked_at_once"
# Parent ids looked up and locked by one statement.
_PARENTS_AT_ONCE = 10_000


def is_postgresql(session: Session) -> bool:
    """Return whether the session writes to PostgreSQL."""
    return session.get_bind().dialect.name == "postgresql"


def _written_connection(session: Session):
    """Return the driver's connection of the session's transaction, marked as one that wrote."""
    connection = session.connection()
    transactions.note_written(connection)
    return connection.connection.driver_connection


def new_ids(session: Session, table: Table, count: int) -> list[int]:
    """Take `count` ids from a PostgreSQL table's sequence, in ascending order."""
    if count == 0:
        return []
    # The sequence is looked up once (a materialized CTE), not for each id: nine times faster.
    return sorted(
        session.scalars(
            text(
                "WITH sequence AS MATERIALIZED "
                "(SELECT pg_get_serial_sequence(:table, 'id')::regclass AS name) "
                "SELECT nextval(sequence.name) FROM sequence, generate_series(1, :count)"
            ),
            {"table": table.name, "count": count},
        )
    )


def copy_rows(session: Session, table: Table, columns: Sequence[str], rows: Iterable[tuple]):
    """Copy rows (tuples in the order of `columns`) into a PostgreSQL table.

    In COPY's binary format when every column's type has one (the server reads it with less
    work than text), else in text.
    """
    connection = _written_connection(session)
    types = _binary_types(table, tuple(columns))
    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    parents: _Parents | None = session.info.get(_CHECKED_AT_ONCE)
    with connection.cursor() as cursor:
        if parents is not None:
            rows = parents.noted(table, columns, rows)
            cursor.execute("SET LOCAL session_replication_role = replica")
        with cursor.copy(statement + (" (FORMAT BINARY)" if types else "")) as copy:
            if types:
                copy.set_types(types)
            for row in rows:
                copy.write_row(row)
        if parents is not None:
            cursor.execute(
                sql.SQL("SET LOCAL session_replication_role = {}").format(sql.Literal(parents.role))
            )


class _Parents:
    """The parent rows that rows copied inside a block point at, and the rows the block made."""

    def __init__(self, role: str):
        """Start with nothing noted; `role` is the replication role to go back to."""
        self.role = role
        self.pointed_at: dict[Column, set] = {}
        self.created: dict[str, set] = {}

    def noted(self, table: Table, columns: Sequence[str], rows: Iterable[tuple]) -> Iterator[tuple]:
        """Yield the rows, noting each one's foreign keys, and its id when it is given."""
        keys = [
            (columns.index(key.parent.name), self.pointed_at.setdefault(key.column, set()))
            for key in table.foreign_keys
            if key.parent.name in columns
        ]
        id_position = columns.index("id") if "id" in columns else None
        ids = self.created.setdefault(table.name, set())
        for row in rows:
            for position, values in keys:
                values.add(row[position])
            if id_position is not None:
                ids.add(row[id_position])
            yield row

    def check_and_lock(self, session: Session) -> None:
        """Lock every parent row pointed at that the block did not make; fail if one is missing."""
        connection = session.connection().connection.driver_connection
        for column, values in self.pointed_at.items():
            values.discard(None)
            if column.name == "id":
                values -= self.created.get(column.table.name, set())
            wanted = sorted(values)
            statement = sql.SQL(
                "SELECT {column} FROM {table} WHERE {column} = ANY(%s) "
                "ORDER BY {column} FOR KEY SHARE"
            ).format(column=sql.Identifier(column.name), table=sql.Identifier(column.table.name))
            for start in range(0, len(wanted), _PARENTS_AT_ONCE):
                chunk = wanted[start : start + _PARENTS_AT_ONCE]
                with connection.cursor() as cursor:
                    found = {found for (found,) in cursor.execute(statement, [chunk])}
                missing = sorted(set(chunk) - found)
                if missing:
                    raise IntegrityError(
                        statement.as_string(connection),
                        missing[:10],
                        ValueError(
                            f"{column.table.name}.{column.name} has no row "
                            f"{', '.join(map(str, missing[:10]))}, which copied rows point at"
                        ),
                    )


# SQLite's page cache while a bulk write is open, in KiB (its default is 2,000 KiB): the indexes
# of a hundred thousand new rows are written in memory rather than spilled page by page.
BULK_PAGE_CACHE_KIB = 64 * 1024


def page_cache_size(session: Session) -> int:
    """Return the page cache size of a SQLite session's connection (negative: in KiB)."""
    connection = session.connection().connection.driver_connection
    return connection.execute("PRAGMA cache_size").fetchone()[0]


@contextmanager
def roomy_page_cache(session: Session) -> Iterator[None]:
    """Within the block, give a SQLite connection a page cache large enough for a bulk write,
    then put its own size back; on PostgreSQL, do nothing (the server sizes its own)."""
    if is_postgresql(session):
        yield
        return
    # On the driver's connection, which the pool hands on: its size goes back even when the
    # block fails and the session's transaction can no longer be used.
    connection = session.connection().connection.driver_connection
    usual = page_cache_size(session)
    connection.execute(f"PRAGMA cache_size = {-BULK_PAGE_CACHE_KIB}")
    try:
        yield
    finally:
        connection.execute(f"PRAGMA cache_size = {int(usual)}")


@contextmanager
def foreign_keys_checked_at_once(session: Session) -> Iterator[bool]:
    """Within the block, check the foreign keys of rows copied (on PostgreSQL) all at once at the
    end, not row by row; yields whether it does (the role may skip triggers, see the README)."""
    role = _replication_role(session) if is_postgresql(session) else None
    if role is None:
        yield False
        return
    parents = _Parents(role)
    session.info[_CHECKED_AT_ONCE] = parents
    try:
        yield True
    finally:
        session.info.pop(_CHECKED_AT_ONCE, None)
    parents.check_and_lock(session)


def _replication_role(session: Session) -> str | None:
    """Return the session's replication role when it may set it (a superuser, or a role granted
    SET on session_replication_role); None when it may not."""
    # Flushed first, so that only the setting's own refusal is taken as a no.
    session.flush()
    try:
        with session.begin_nested():
            role = session.scalar(text("SELECT current_setting('session_replication_role')"))
            session.execute(text("SET LOCAL session_replication_role = replica"))
            session.execute(
                text("SELECT set_config('session_replication_role', :role, true)"), {"role": role}
            )
    except DBAPIError:
        return None
    return role


@lru_cache
def _binary_types(table: Table, columns: tuple[str, ...]) -> list[str] | None:
    """Return the PostgreSQL type of each column for a binary COPY, or None to copy in text
    (JSON, given as text, and any type psycopg does not know)."""
    types = []
    for name in columns:
        column_type = table.c[name].type
        if isinstance(column_type, JSON):
            return None
        # VARCHAR(20) is varchar, TIMESTAMP WITH TIME ZONE timestamptz, and so on.
        found = adapters.types.get(
            column_type.compile(dialect=postgresql.dialect()).lower().split("(")[0]
        )
        if found is None:
            return None
        types.append(found.name)
    return types


def _defaults(table: Table, given: Iterable[str]) -> dict:
    """Return the Python-side defaults of the columns not given (COPY and the driver do not apply
    them): a value, or a function that makes one for each row (such as a child's random record
    key)."""
    defaults = {}
    for column in table.columns:
        if column.name in given or column.name == "id" or column.default is None:
            continue
        default = column.default
        defaults[column.name] = (
            (lambda arg=default.arg: arg(None)) if default.is_callable else (default.arg)
        )
    return defaults


def _completed(
    table: Table, columns: Sequence[str], *, json_as_text: bool
) -> tuple[list[str], Callable[[tuple], tuple]]:
    """Return the columns written, and a function that completes a row given in the order of
    `columns` with the table's defaults for the others (every JSON value as text when asked)."""
    defaults = _defaults(table, columns)
    made = [make for make in defaults.values() if callable(make)]
    fixed = tuple(value for value in defaults.values() if not callable(value))
    names = [
        *columns,
        *(name for name, value in defaults.items() if callable(value)),
        *(name for name, value in defaults.items() if not callable(value)),
    ]
    as_json = {n for n, name in enumerate(names) if isinstance(table.c[name].type, JSON)}

    def completed(row: tuple) -> tuple:
        row = (*row, *(make() for make in made), *fixed) if made else (*row, *fixed)
        if json_as_text and as_json:
            row = tuple(json.dumps(value) if n in as_json else value for n, value in enumerate(row))
        return row

    return names, completed


def _copy(
    session: Session,
    table: Table,
    columns: Sequence[str],
    rows: Iterable[tuple],
    ids: list[int] | None = None,
) -> None:
    """Copy rows (tuples in the order of `columns`) into a PostgreSQL table, with the table's
    defaults for the other columns and, when given, the rows' ids."""
    # COPY skips the column types' own conversions; JSON is the one the models need.
    names, completed = _completed(table, columns, json_as_text=True)
    copied: Iterable[tuple] = map(completed, rows)
    if ids is not None:
        names = ["id", *names]
        copied = ((row_id, *row) for row_id, row in zip(ids, copied, strict=True))
    copy_rows(session, table, names, copied)


# At most how many values of one column a conversion remembers.
REMEMBERED_VALUES = 4096


def _is_dated(column: Column) -> bool:
    """Say whether a column holds dates or times (few values, repeated down an import)."""
    kind = column.type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    try:
        return issubclass(kind.python_type, date)
    except NotImplementedError:
        return False


def _remembered(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Return a conversion that remembers what it made of each value (a date's text on SQLite is
    formatted in Python, value by value): equal dates and times convert alike."""
    made: dict = {}

    def convert_remembered(value):
        found = made.get(value, made)
        if found is made:
            if len(made) >= REMEMBERED_VALUES:
                made.clear()
            found = made[value] = convert(value)
        return found

    return convert_remembered


class _SQLiteInsert:
    """An INSERT of rows into a SQLite table on the driver's own cursor, each value converted by
    its column's type as SQLAlchemy's insert would, without SQLAlchemy's work for each row (most
    of an import's time on SQLite)."""

    # Rows in one INSERT … RETURNING statement.
    ROWS_AT_ONCE = 1000

    def __init__(self, session: Session, table: Table, columns: Sequence[str]):
        """Prepare the statement for rows given in the order of `columns`."""
        self.names, self.completed = _completed(table, columns, json_as_text=False)
        dialect = session.get_bind().dialect
        self.conversions = [
            (n, _remembered(convert) if _is_dated(table.c[name]) else convert)
            for n, name in enumerate(self.names)
            if (convert := table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
        ]
        self.quote = dialect.identifier_preparer.quote
        self.head = (  # The table's own names, quoted.
            f"INSERT INTO {self.quote(table.name)} "  # noqa: S608
            f"({', '.join(map(self.quote, self.names))}) VALUES "
        )
        self.one_row = f"({', '.join('?' * len(self.names))})"
        self.connection = _written_connection(session)

    def converted(self, row: tuple) -> list:
        """Return a row completed with the defaults and converted as the driver takes it."""
        values = list(self.completed(row))
        for n, convert in self.conversions:
            values[n] = convert(values[n])
        return values

    def add(self, rows: Iterable[tuple]) -> None:
        """Insert the rows with one executemany, streamed."""
        cursor = self.connection.cursor()
        try:
            cursor.executemany(self.head + self.one_row, map(self.converted, rows))
        finally:
            cursor.close()

    def add_with_ids(self, rows: Iterable[tuple], key: tuple[str, ...]) -> dict[tuple, int]:
        """Insert the rows, a batch to a statement, and return each one's id by its `key`."""
        positions = [self.names.index(name) for name in key]
        # RETURNING gives rows in no set order, and keys as stored: each is traced back to the
        # key as given.
        returning = f" RETURNING id, {', '.join(map(self.quote, key))}"
        ids: dict[tuple, int] = {}
        rows = iter(rows)
        cursor = self.connection.cursor()
        try:
            while batch := list(islice(rows, self.ROWS_AT_ONCE)):
                stored = [self.converted(row) for row in batch]
                given = {
                    tuple(values[p] for p in positions): tuple(row[p] for p in positions)
                    for row, values in zip(batch, stored, strict=True)
                }
                statement = self.head + ", ".join([self.one_row] * len(batch)) + returning
                cursor.execute(statement, [value for values in stored for value in values])
                for row_id, *values in cursor.fetchall():
                    ids[given[tuple(values)]] = row_id
        finally:
            cursor.close()
        return ids


def _as_tuples(rows: list[dict]) -> tuple[list[str], Iterator[tuple]]:
    """Return the keys of rows given as dicts with the same keys, and the rows as tuples."""
    given = list(rows[0])
    take = itemgetter(*given) if len(given) > 1 else (lambda row: (row[given[0]],))
    return given, map(take, rows)


def add_rows(session: Session, table: Table, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """Add rows given as tuples in the order of `columns`, the table's defaults filling the rest.

    The rows may be a generator: both databases take them in one stream, so that a large import
    never holds all its rows. A generator must not read the database (not even an expired
    attribute): the copy or the executemany holds the connection.
    """
    if is_postgresql(session):
        _copy(session, table, columns, rows)
    else:
        _SQLiteInsert(session, table, columns).add(rows)


def add(session: Session, table: Table, rows: list[dict]) -> None:
    """Add rows (dicts with the same keys) that nothing needs the ids of."""
    if not rows:
        return
    given, tuples = _as_tuples(rows)
    if is_postgresql(session):
        _copy(session, table, given, tuples)
    else:
        _SQLiteInsert(session, table, given).add(tuples)


def add_with_ids(
    session: Session, table: Table, rows: list[dict], key: tuple[str, ...]
) -> dict[tuple, int]:
    """Add rows (dicts with the same keys) and return each one's id by the values of its `key`
    columns, which must tell the rows apart."""
    if not rows:
        return {}
    given, tuples = _as_tuples(rows)
    if is_postgresql(session):
        ids = new_ids(session, table, len(rows))
        _copy(session, table, given, tuples, ids)
        return {
            tuple(row[name] for name in key): row_id for row_id, row in zip(ids, rows, strict=True)
        }
    return _SQLiteInsert(session, table, given).add_with_ids(tuples, key)
