"""Backing up the SQLite database while it is in use, and restoring it."""

import sqlite3

import pytest
from sqlalchemy import func, select

from goaltracker import backup
from goaltracker.extensions import db
from goaltracker.models import Rating


def make_database(path, rows: int) -> str:
    """Make a SQLite file shaped like ours (enough for the checks) and return its URL."""
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num TEXT)")
        connection.execute("CREATE TABLE child (id INTEGER)")
        connection.execute("CREATE TABLE rating (id INTEGER)")
        connection.executemany("INSERT INTO rating VALUES (?)", [(n,) for n in range(rows)])
    connection.close()
    return f"sqlite:///{path}"


def count(path) -> int:
    """Return how many ratings the file holds."""
    with sqlite3.connect(path) as connection:
        value = connection.execute("SELECT count(*) FROM rating").fetchone()[0]
    connection.close()
    return value


def test_backup_is_consistent_while_a_writer_holds_a_transaction(tmp_path):
    url = make_database(tmp_path / "live.sqlite", 100)
    writer = sqlite3.connect(tmp_path / "live.sqlite")
    writer.execute("BEGIN")
    writer.execute("INSERT INTO rating VALUES (1000)")  # not committed: not in the copy
    copy = backup.backup(url, tmp_path / "copy.sqlite")
    writer.rollback()
    writer.close()
    assert count(copy) == 100


def test_restore_brings_back_the_backup(tmp_path):
    url = make_database(tmp_path / "live.sqlite", 5)
    copy = backup.backup(url)
    assert copy.name.startswith("live-backup-")
    with sqlite3.connect(tmp_path / "live.sqlite") as connection:
        connection.execute("DELETE FROM rating")
    connection.close()
    backup.restore(url, copy)
    assert count(tmp_path / "live.sqlite") == 5


def test_restore_refuses_a_file_that_is_not_ours(tmp_path):
    url = make_database(tmp_path / "live.sqlite", 1)
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database" * 100)
    with pytest.raises(backup.BackupError, match="not a SQLite database"):
        backup.restore(url, junk)
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE something (id INTEGER)")
    connection.close()
    with pytest.raises(backup.BackupError, match="not a Goal Tracker database"):
        backup.restore(url, other)
    assert count(tmp_path / "live.sqlite") == 1


def test_backup_refuses_postgresql_and_existing_files(tmp_path):
    with pytest.raises(backup.BackupError, match="pg_dump"):
        backup.backup("postgresql+psycopg://postgres@127.0.0.1/test")
    url = make_database(tmp_path / "live.sqlite", 1)
    (tmp_path / "taken.sqlite").write_text("")
    with pytest.raises(backup.BackupError, match="exists already"):
        backup.backup(url, tmp_path / "taken.sqlite")


def test_backup_of_the_real_schema_round_trips(app, world, tmp_path):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("backup copies SQLite databases; PostgreSQL uses pg_dump")
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    copy = backup.backup(url, tmp_path / "real.sqlite")
    before = db.session.scalar(select(func.count(Rating.id)))
    db.session.execute(Rating.__table__.delete())
    db.session.commit()
    db.session.close()
    backup.restore(url, copy)
    assert db.session.scalar(select(func.count(Rating.id))) == before


def test_backup_and_restore_commands(app, runner, world, tmp_path):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("backup copies SQLite databases; PostgreSQL uses pg_dump")
    target = tmp_path / "by-command.sqlite"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert target.exists()
    db.session.execute(Rating.__table__.delete())
    db.session.commit()
    db.session.close()
    result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count(Rating.id))) == 1
    refused = runner.invoke(args=["restore", str(tmp_path / "missing.sqlite"), "--yes"])
    assert refused.exit_code != 0 and "no backup" in refused.output
