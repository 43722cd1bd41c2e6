"""Writing many rows at once (goaltracker.bulk): COPY on PostgreSQL, executemany on SQLite.

COPY skips the column types' own conversions and the models' defaults, so these check that
rows come back as the ORM would have written them, on both databases.
"""

import sqlite3
from datetime import UTC, date, datetime, timedelta, timezone

import psycopg
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from goaltracker import audit, bulk
from goaltracker.extensions import db
from goaltracker.models import AuditEvent, Child, Rating


def test_json_columns_and_defaults_come_back_as_written(world):
    details = [{"source": "import", "n": n, "words": ["tab\there", 'quote "x"']} for n in range(3)]
    bulk.add(
        db.session,
        AuditEvent.__table__,
        [
            {"action": "bulk_check", "child_id": world.child.id, "detail": detail}
            for detail in details
        ],
    )
    db.session.commit()
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "bulk_check").order_by(AuditEvent.id)
    ).all()
    assert [event.detail for event in events] == details
    # occurred_at is a Python-side default: filled in even though no row gave it.
    assert all(event.occurred_at is not None for event in events)


def _children(world, prefix: str, count: int) -> list[dict]:
    """Rows of new children of the world's area, without record keys (a default makes them)."""
    return [
        {
            "area_id": world.area.id,
            "organisation_id": world.child.organisation_id,
            "reference": f"{prefix}-{n}",
            "date_of_birth": date(2015, 1, n + 1),
            "primary_need": "ASD",
            "ehcp": bool(n % 2),
            "first_name": "",
            "last_name": "",
        }
        for n in range(count)
    ]


def test_rows_added_with_ids_are_found_by_their_key(world):
    ids = bulk.add_with_ids(
        db.session, Child.__table__, _children(world, "BULK", 4), ("reference",)
    )
    db.session.commit()
    for n in range(4):
        child = db.session.get(Child, ids[(f"BULK-{n}",)])
        assert (child.reference, child.date_of_birth) == (f"BULK-{n}", date(2015, 1, n + 1))


def test_ids_come_back_by_keys_of_any_type_across_batches(world, monkeypatch):
    # SQLite returns keys as stored (a date as text) and in no set order, a batch at a time.
    monkeypatch.setattr(bulk._SQLiteInsert, "ROWS_AT_ONCE", 3)
    rows = _children(world, "DATED", 7)
    ids = bulk.add_with_ids(db.session, Child.__table__, rows, ("reference", "date_of_birth"))
    db.session.commit()
    assert len(set(ids.values())) == 7
    for key, child_id in ids.items():
        child = db.session.get(Child, child_id)
        assert (child.reference, child.date_of_birth) == key


def test_one_audit_event_per_child_with_one_shared_detail(world):
    audit.record_many(
        "bulk_many",
        area_id=world.area.id,
        user=world.admin,
        child_ids=[world.child.id, world.child.id],
        detail={"why": "a list of children repeats one"},
    )
    db.session.commit()
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "bulk_many")).all()
    assert [(event.child_id, event.user_id, event.detail) for event in events] == [
        (world.child.id, world.admin.id, {"why": "a list of children repeats one"})
    ]


def test_rows_as_tuples_from_a_generator_take_the_defaults(world):
    made = []
    child_id = world.child.id

    def rows():
        for n in range(5):
            made.append(n)
            yield ("bulk_rows", child_id, {"n": n})

    bulk.add_rows(db.session, AuditEvent.__table__, ("action", "child_id", "detail"), rows())
    db.session.commit()
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "bulk_rows").order_by(AuditEvent.id)
    ).all()
    assert made == [0, 1, 2, 3, 4]
    assert [event.detail for event in events] == [{"n": n} for n in range(5)]
    assert all(event.occurred_at is not None for event in events)


def test_rows_added_in_bulk_are_stored_exactly_as_the_orm_stores_them(world):
    # SQLite keeps dates and times as text, compared as text: a row added in bulk must be
    # written in the same form as one the ORM adds, or reports would sort and filter it wrongly.
    recorded_at = datetime(2025, 3, 30, 1, 30, 15, 120, tzinfo=timezone(timedelta(hours=-5)))
    values = {
        "goal_id": world.goal.id,
        "rater": "child",
        "assessed_on": date(2025, 3, 4),
        "performance": 3,
        "satisfaction": 4,
        "note": "Said in their own words",
        "recorded_at": recorded_at,
    }
    db.session.add(Rating(**values))
    db.session.flush()
    # The same rating by another rater, as the one key the two rows may not share.
    values["rater"] = "parent_carer"
    bulk.add_rows(db.session, Rating.__table__, tuple(values), [tuple(values.values())])
    stored = text(
        "SELECT assessed_on, recorded_at, note, performance FROM rating "
        "WHERE note = :note ORDER BY rater"
    )
    bulk_row, orm_row = (tuple(row) for row in db.session.execute(stored, {"note": values["note"]}))
    assert bulk_row == orm_row
    db.session.rollback()


def test_dates_and_times_that_repeat_down_the_rows_each_keep_their_own_value(world, monkeypatch):
    # Conversions of dates and times remember what they made of each value: a value must never
    # come back as another's, also once what they remember is full and starts again.
    monkeypatch.setattr(bulk, "REMEMBERED_VALUES", 2)
    instant = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    times = [instant, instant.astimezone(timezone(timedelta(hours=-5))), instant + timedelta(1)]
    given = [
        (
            world.goal.id,
            ("child", "parent_carer")[number // 6],
            date(2025, 1, 1) + timedelta(days=number % 6),
            number % 10 + 1,
            4,
            times[number % 3],
        )
        for number in range(12)
    ]
    columns = ("goal_id", "rater", "assessed_on", "performance", "satisfaction", "recorded_at")
    bulk.add_rows(db.session, Rating.__table__, columns, given)
    stored = db.session.execute(
        select(Rating.rater, Rating.assessed_on, Rating.performance, Rating.recorded_at)
        .where(Rating.goal_id == world.goal.id, Rating.assessed_on < date(2025, 2, 1))
        .order_by(Rating.rater, Rating.assessed_on)
    ).all()
    assert [tuple(row) for row in stored] == [
        (rater, assessed_on, performance, recorded_at)
        for _, rater, assessed_on, performance, _, recorded_at in given
    ]
    db.session.rollback()


def test_a_json_column_left_out_takes_its_default(world):
    bulk.add_rows(
        db.session, AuditEvent.__table__, ("action", "child_id"), [("bulk_bare", world.child.id)]
    )
    db.session.commit()
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "bulk_bare")).one()
    assert event.detail == {}


def test_defaults_made_by_a_function_are_made_for_each_row(world):
    # A child's record key is random (domain.md section 5): twenty-eight children copied in one
    # statement must not share one. All equal by chance: 1 in 256 to the power 27.
    ids = bulk.add_with_ids(
        db.session, Child.__table__, _children(world, "KEY", 28), ("reference",)
    )
    db.session.commit()
    keys = set(db.session.scalars(select(Child.record_key).where(Child.id.in_(list(ids.values())))))
    assert len(keys) > 1


@pytest.fixture
def postgresql(app):
    """Skip on SQLite, whose foreign keys have no triggers to skip."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("foreign keys are checked at once on PostgreSQL only")


def _locked_from_elsewhere(table: str, row_id: int) -> bool:
    """Return whether another connection finds the row locked (it cannot lock it FOR UPDATE)."""
    with db.engine.connect() as other:
        try:
            statement = f"SELECT id FROM {table} WHERE id = :id FOR UPDATE NOWAIT"  # noqa: S608
            other.execute(text(statement), {"id": row_id})
        except OperationalError:
            return True
        finally:
            other.rollback()
    return False


def test_rows_copied_at_once_point_at_parents_that_stay_locked(world, postgresql):
    with bulk.foreign_keys_checked_at_once(db.session) as at_once:
        ids = bulk.add_with_ids(
            db.session, Child.__table__, _children(world, "ONCE", 2), ("reference",)
        )
        audit.record_many(
            "bulk_check",
            area_id=world.area.id,
            user=world.school_practitioner,
            child_ids=[ids[("ONCE-0",)], world.child.id],
        )
    assert at_once
    # The parents the block did not make stay locked until the transaction ends: the held
    # child, the area, the organisation and the user.
    assert _locked_from_elsewhere("child", world.child.id)
    assert _locked_from_elsewhere("area", world.area.id)
    assert _locked_from_elsewhere("organisation", world.child.organisation_id)
    assert _locked_from_elsewhere('"user"', world.school_practitioner.id)
    db.session.commit()
    assert not _locked_from_elsewhere("child", world.child.id)
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "bulk_check"))
    assert {(event.child_id, event.user_id) for event in events} == {
        (ids[("ONCE-0",)], world.school_practitioner.id),
        (world.child.id, world.school_practitioner.id),
    }


def _events(action: str) -> set[tuple]:
    """Return the (child, user) of every audit event of an action."""
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == action))
    return {(event.child_id, event.user_id) for event in events}


def test_a_parent_deleted_elsewhere_while_rows_are_copied_fails_the_block(world, postgresql):
    ids = bulk.add_with_ids(
        db.session, Child.__table__, _children(world, "GONE", 1), ("reference",)
    )
    db.session.commit()
    gone = ids[("GONE-0",)]
    with pytest.raises(IntegrityError, match=f"child.id has no row {gone}"):
        with bulk.foreign_keys_checked_at_once(db.session):
            audit.record_many(
                "bulk_race",
                area_id=world.area.id,
                user=world.school_practitioner,
                child_ids=[gone, world.child.id],
            )
            # Another transaction deletes the child after the copy, before the check: the copied
            # rows are not yet visible to it and their triggers did not run, so nothing stops it.
            with db.engine.connect() as other:
                other.execute(text("SET lock_timeout = '5s'"))
                other.execute(text("DELETE FROM child WHERE id = :id"), {"id": gone})
                other.commit()
    db.session.rollback()
    assert _events("bulk_race") == set()
    assert db.session.get(Child, world.child.id) is not None


def test_two_blocks_pointing_at_the_same_parents_do_not_wait_for_each_other(world, postgresql):
    user, child = world.school_practitioner, world.child
    with bulk.foreign_keys_checked_at_once(db.session) as at_once:
        audit.record_many("bulk_first", area_id=world.area.id, user=user, child_ids=[child.id])
    assert at_once
    # A second import, in its own transaction, while the first still holds its parents: the
    # locks are shared, so it neither waits nor fails.
    with Session(db.engine) as other:
        other.execute(text("SET LOCAL lock_timeout = '2s'"))
        with bulk.foreign_keys_checked_at_once(other) as also_at_once:
            bulk.add_rows(
                other,
                AuditEvent.__table__,
                ("action", "area_id", "user_id", "child_id"),
                [("bulk_second", world.area.id, user.id, child.id)],
            )
        other.commit()
    assert also_at_once
    db.session.commit()
    assert _events("bulk_first") == _events("bulk_second") == {(child.id, user.id)}
    # Once both are kept, their rows stop the child from being deleted, as foreign keys do.
    with db.engine.connect() as other, pytest.raises(IntegrityError):
        other.execute(text("DELETE FROM child WHERE id = :id"), {"id": child.id})


def _add_rating_of_no_goal() -> None:
    """Add one rating of a goal that does not exist (id 987654)."""
    bulk.add_rows(
        db.session,
        Rating.__table__,
        ("goal_id", "rater", "assessed_on", "performance", "satisfaction", "note", "recorded_at"),
        [(987654, "child", date(2025, 1, 1), 3, 3, "", datetime(2025, 1, 1, tzinfo=UTC))],
    )


def test_a_row_pointing_at_no_parent_fails_as_a_foreign_key_would(world, postgresql):
    with pytest.raises(IntegrityError, match="goal.id has no row 987654"):
        with bulk.foreign_keys_checked_at_once(db.session):
            _add_rating_of_no_goal()
    db.session.rollback()
    orphans = select(func.count()).where(Rating.goal_id == 987654)
    assert db.session.scalar(orphans) == 0


def test_a_role_that_may_not_skip_triggers_has_them_check_each_row(world, postgresql):
    db.session.execute(
        text(
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'gt_plain') "
            "THEN CREATE ROLE gt_plain NOLOGIN; END IF; END $$"
        )
    )
    db.session.execute(text("GRANT USAGE ON SCHEMA public TO gt_plain"))
    db.session.execute(text("GRANT ALL ON ALL TABLES IN SCHEMA public TO gt_plain"))
    db.session.execute(text("GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO gt_plain"))
    db.session.execute(text("SET LOCAL ROLE gt_plain"))
    with bulk.foreign_keys_checked_at_once(db.session) as at_once:
        assert not at_once
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            # The trigger refuses the row as it is copied, as without the block.
            with db.session.begin_nested():
                _add_rating_of_no_goal()
    db.session.rollback()


def test_on_sqlite_rows_are_checked_as_they_are_added(world):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's own way")
    with bulk.foreign_keys_checked_at_once(db.session) as at_once:
        bulk.add_with_ids(db.session, Child.__table__, _children(world, "LITE", 2), ("reference",))
    assert not at_once
    db.session.commit()
    assert db.session.scalar(select(func.count()).where(Child.reference.like("LITE-%"))) == 2


def test_no_table_has_a_trigger_of_its_own(app, postgresql):
    # Copies inside foreign_keys_checked_at_once skip every trigger, so a trigger of the
    # service's own would be skipped silently: the schema has none (only constraints' own).
    own = db.session.scalars(
        text(
            "SELECT tgrelid::regclass || '.' || tgname FROM pg_trigger "
            "JOIN pg_class ON pg_class.oid = tgrelid "
            "JOIN pg_namespace ON pg_namespace.oid = relnamespace "
            "WHERE NOT tgisinternal AND nspname = current_schema()"
        )
    ).all()
    assert own == []


def test_a_bulk_write_on_sqlite_has_a_roomy_page_cache_then_gives_it_back(world):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's own page cache")
    usual = bulk.page_cache_size(db.session)
    assert usual != -bulk.BULK_PAGE_CACHE_KIB
    with bulk.roomy_page_cache(db.session):
        assert bulk.page_cache_size(db.session) == -bulk.BULK_PAGE_CACHE_KIB
        bulk.add_with_ids(db.session, Child.__table__, _children(world, "ROOM", 2), ("reference",))
    assert bulk.page_cache_size(db.session) == usual
    # A block that fails half-way gives the connection its own size back too, and the rows it
    # wrote go with the rollback.
    with pytest.raises(sqlite3.IntegrityError), bulk.roomy_page_cache(db.session):
        bulk.add(db.session, Child.__table__, _children(world, "ROOM", 1))
    db.session.rollback()
    assert bulk.page_cache_size(db.session) == usual
    assert not db.session.scalar(select(func.count()).where(Child.reference.like("ROOM-%")))
