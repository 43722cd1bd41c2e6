"""Whether the database answers: a real read of a table, within a short time."""

from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from goaltracker.extensions import db

TIMEOUT_MILLISECONDS = 1000


def database_answers(timeout_ms: int = TIMEOUT_MILLISECONDS) -> bool:
    """Return whether a table of the database can be read within the timeout.

    `SELECT 1` answers even while another connection holds SQLite's exclusive lock, so this
    reads a table. PostgreSQL stops the read at the timeout; SQLite waits at most that long for
    its lock, and its usual wait is put back afterwards.
    """
    session = db.session
    sqlite = session.get_bind().dialect.name == "sqlite"
    try:
        if sqlite:
            session.execute(text(f"PRAGMA busy_timeout = {int(timeout_ms)}"))
        else:
            session.execute(text(f"SET LOCAL statement_timeout = {int(timeout_ms)}"))
        session.execute(text("SELECT count(*) FROM alembic_version"))
        return True
    except SQLAlchemyError:
        current_app.logger.warning("Health check: the database did not answer", exc_info=True)
        return False
    finally:
        try:
            session.rollback()
            if sqlite:
                session.execute(text(f"PRAGMA busy_timeout = {_sqlite_wait_ms()}"))
                session.rollback()
        except SQLAlchemyError:
            session.rollback()


def _sqlite_wait_ms() -> int:
    """Return how long SQLite connections normally wait for a lock (the driver's timeout)."""
    options = current_app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})
    seconds = options.get("connect_args", {}).get("timeout", 5.0)
    return int(seconds * 1000)
