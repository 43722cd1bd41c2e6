"""Writing many rows at once (goaltracker.bulk): COPY on PostgreSQL, executemany on SQLite.

COPY skips the column types' own conversions and the models' defaults, so these check that
rows come back as the ORM would have written them, on both databases.
"""

from datetime import date

from sqlalchemy import select

from goaltracker import audit, bulk
from goaltracker.extensions import db
from goaltracker.models import AuditEvent, Child


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

    bulk.add_rows(
        db.session, AuditEvent.__table__, ("action", "child_id", "detail"), rows(), batch=2
    )
    db.session.commit()
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "bulk_rows").order_by(AuditEvent.id)
    ).all()
    assert made == [0, 1, 2, 3, 4]
    assert [event.detail for event in events] == [{"n": n} for n in range(5)]
    assert all(event.occurred_at is not None for event in events)


def test_defaults_made_by_a_function_are_made_for_each_row(world):
    # A child's record key is random (domain.md section 5): twenty-eight children copied in one
    # statement must not share one. All equal by chance: 1 in 256 to the power 27.
    ids = bulk.add_with_ids(
        db.session, Child.__table__, _children(world, "KEY", 28), ("reference",)
    )
    db.session.commit()
    keys = set(db.session.scalars(select(Child.record_key).where(Child.id.in_(list(ids.values())))))
    assert len(keys) > 1
