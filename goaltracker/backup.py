"""Consistent copies of the SQLite database, taken while the app runs, and restoring them."""

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from goaltracker import files


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; the message says why."""


def sqlite_path(database_url: str) -> Path:
    """Return the file of a SQLite database URL, refusing other databases."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise BackupError(
            "backup works on the SQLite database; for PostgreSQL use pg_dump and pg_restore"
        )
    return Path(url.database)


def default_backup_path(database: Path) -> Path:
    """Return a timestamped file name beside the database."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return database.with_name(f"{database.stem}-backup-{stamp}.sqlite")


def _copy(source: Path, target: Path) -> None:
    """Copy one SQLite database into another with SQLite's online backup, page by page."""
    with sqlite3.connect(source) as from_db, sqlite3.connect(target) as to_db:
        from_db.backup(to_db)
    # The context managers commit but do not close.
    from_db.close()
    to_db.close()


def backup(database_url: str, target: Path | None = None) -> Path:
    """Write a consistent copy of the database, even while others write to it."""
    database = sqlite_path(database_url)
    if not database.exists():
        raise BackupError(f"there is no database at {database}")
    target = target or default_backup_path(database)
    if target.exists():
        raise BackupError(f"{target} exists already: choose another file")
    files.private_file(target)
    _copy(database, target)
    return target


def restore(database_url: str, source: Path) -> None:
    """Replace the database's contents with a backup's, after checking it is one of ours."""
    database = sqlite_path(database_url)
    if not source.exists():
        raise BackupError(f"there is no backup at {source}")
    try:
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as check:
            tables = {row[0] for row in check.execute("SELECT name FROM sqlite_master")}
        check.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{source} is not a SQLite database") from error
    if not {"alembic_version", "child", "rating"} <= tables:
        raise BackupError(f"{source} is not a Goal Tracker database")
    _copy(source, database)
