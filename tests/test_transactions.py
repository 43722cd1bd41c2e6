"""A request's transaction ends with a commit only when it read and nothing else."""

import pytest
from sqlalchemy import event, func, insert, select, text

from goaltracker import bulk, transactions
from goaltracker.extensions import db
from goaltracker.models import Area, AuditEvent, Child
from tests import factories


@pytest.fixture
def endings(app):
    """Record how each transaction ends: 'commit' or 'rollback'."""
    ended = []
    listeners = {
        "commit": lambda _connection: ended.append("commit"),
        "rollback": lambda _connection: ended.append("rollback"),
    }
    for name, listener in listeners.items():
        event.listen(db.engine, name, listener)
    yield ended
    for name, listener in listeners.items():
        event.remove(db.engine, name, listener)


def areas_stored() -> int:
    """Count the areas, from a connection of its own."""
    with db.engine.connect() as connection:
        return connection.scalar(select(func.count(Area.id)))


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        (select(Child.id), True),
        (select(Child.id).with_for_update(), True),
        (select(select(Child.id).cte("c")), True),
        (text("SELECT 1"), True),
        (insert(Area).values(code="X", name="X"), False),
        (text("WITH c AS (SELECT 1) INSERT INTO area (code) SELECT 'X'"), False),
        (text("UPDATE area SET name = 'X'"), False),
    ],
)
def test_only_selects_count_as_reading(statement, expected):
    class Context:
        compiled = statement.compile()

    assert transactions.reads_only(str(Context.compiled), Context) is expected


def test_a_page_that_only_reads_ends_with_a_commit(client, auth, world, endings):
    auth.sign_in(world.parent)
    endings.clear()
    assert client.get("/account/").status_code == 200
    assert endings == ["commit"]


def test_a_transaction_that_wrote_without_committing_is_rolled_back(app, endings):
    factories.make_area("WROTE")
    transactions.end_unfinished(None)
    assert endings == []
    db.session.rollback()
    assert areas_stored() == 0


def test_changes_not_yet_written_are_never_committed(world, endings):
    db.session.commit()
    endings.clear()
    world.child.first_name = "Changed"
    transactions.end_unfinished(None)
    assert endings == []
    db.session.rollback()
    assert db.session.get(Child, world.child.id).first_name != "Changed"


def test_a_failed_request_is_not_committed(app, endings):
    db.session.scalar(select(func.count(Area.id)))
    transactions.end_unfinished(RuntimeError("the page failed"))
    assert endings == []


def test_rows_written_in_bulk_are_never_committed_as_a_read(world, endings):
    # Bulk writes go straight to the driver (COPY, executemany), past SQLAlchemy's events.
    db.session.commit()
    endings.clear()
    columns = ("action", "child_id")
    bulk.add_rows(db.session, AuditEvent.__table__, columns, [("bulk_unfinished", world.child.id)])
    transactions.end_unfinished(None)
    assert endings == []
    db.session.rollback()
    assert (
        db.session.scalar(select(func.count()).where(AuditEvent.action == "bulk_unfinished")) == 0
    )
