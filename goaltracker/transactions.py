"""How a request's database transaction ends when the page did not commit it.

A page that only reads leaves a transaction open; ending it with a commit rather than a rollback
changes nothing in the data, but PostgreSQL's driver forgets every prepared statement of the
connection at a rollback, so the next page would plan each query again. A transaction that wrote
anything, or holds changes not yet written, still ends with a rollback, as before.
"""

from flask import Flask
from sqlalchemy import event
from sqlalchemy.sql import CompoundSelect, Select

from goaltracker.extensions import db

WROTE = "goaltracker.wrote"


def reads_only(statement: str, context) -> bool:
    """Return whether a statement only reads: a SELECT, or a WITH query that ends in one."""
    head = statement.lstrip()[:6].upper()
    if head.startswith("SELECT"):
        return True
    compiled = getattr(context, "compiled", None)
    return head.startswith("WITH") and isinstance(
        getattr(compiled, "statement", None), Select | CompoundSelect
    )


def _note_writes(connection, _cursor, statement, _parameters, context, _executemany) -> None:
    """Mark the connection's transaction as one that wrote, for any statement but a read."""
    if not reads_only(statement, context):
        note_written(connection)


def note_written(connection) -> None:
    """Mark the connection's transaction as one that wrote, for writes made on the driver's own
    cursor (bulk copies), which SQLAlchemy's events do not see."""
    connection.info[WROTE] = True


def _forget_writes(connection) -> None:
    """A new transaction has written nothing yet."""
    connection.info.pop(WROTE, None)


def end_unfinished(exception: BaseException | None) -> None:
    """Commit a transaction the page left open when it only read; otherwise leave it be."""
    session = db.session()
    if exception is not None or not session.in_transaction():
        return
    if session.new or session.dirty or session.deleted:
        return
    if session.connection().info.get(WROTE):
        return
    session.commit()


def init_app(app: Flask) -> None:
    """Watch each engine for writes and end read-only transactions with a commit."""
    with app.app_context():
        for engine in db.engines.values():
            event.listen(engine, "begin", _forget_writes)
            event.listen(engine, "before_cursor_execute", _note_writes)
    # Teardown functions run newest first: this one before Flask-SQLAlchemy closes the session.
    app.teardown_appcontext(end_unfinished)
