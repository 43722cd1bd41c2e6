"""Erasure that is final: after it, a dump of the whole database holds nothing of the record,
and an import cannot bring the child back."""

from datetime import date

from sqlalchemy import select

from goaltracker import child_details, importing
from goaltracker.extensions import db
from goaltracker.models import AuditEvent, Child, ErasedReference
from goaltracker.reports import kept
from tests import factories

NAME, SURNAME, REFERENCE = "Zebediah", "Quartermaine", "Q-REF-7731"
BORN = date(2013, 7, 29)
FIRST_WORDS = "Walk to the corner shop with Zebediah's brother"
NEW_WORDS = "Walk to the corner shop on my own, Thursdays"
NOTE = "Managed the zip on Tuesday at Gran's in Penzance"
RATING_NOTE = "Proud of the Penzance trip"
DRAFT_WORDS = "Swim a width at Penzance pool"


def rich_record(client, auth, world) -> Child:
    """Give the world's child a full record, made through the service's own pages."""
    child = world.child
    with kept.tracking(db.session, [child.id]):
        child.first_name, child.last_name, child.reference = NAME, SURNAME, REFERENCE
        child.date_of_birth = BORN
    db.session.commit()
    auth.sign_in(world.key_worker)
    client.post(
        f"/children/{child.id}/goals/new",
        data={
            "text": FIRST_WORDS,
            "occupation_area": "self_care",
            "importance": "8",
            "set_on": ["1", "9", "2025"],
        },
    )
    goal = next(goal for goal in child.goals if goal.text == FIRST_WORDS)
    client.post(
        f"/children/{child.id}/goals/{goal.id}/edit",
        data={"text": NEW_WORDS, "importance": "8", "version": goal.version},
    )
    client.post(
        f"/children/{child.id}/review",
        data={
            "rater": "parent_carer",
            "assessed_on": ["10", "9", "2025"],
            f"performance_{goal.id}": "3",
            f"satisfaction_{goal.id}": "4",
            f"performance_{world.goal.id}": "3",
            f"satisfaction_{world.goal.id}": "4",
            "note": RATING_NOTE,
        },
    )
    client.post(f"/children/{child.id}/notes", data={"body": NOTE})
    client.post(
        f"/children/{child.id}/set-goals/write",
        data={"sub_area": "play", "text": DRAFT_WORDS, "importance": "6"},
    )
    client.post(
        f"/practitioner/children/{child.id}/invite",
        data={
            "name": "Gran Quartermaine",
            "email": "gran.quartermaine@example.com",
            "relationship_to_child": "parent_carer",
        },
    )
    db.session.expire_all()
    child_details.change_details(
        child,
        first_name=NAME,
        last_name=SURNAME,
        reference=REFERENCE,
        date_of_birth=BORN,
        primary_need="SLCN",
        ehcp=False,
        changed_on=date(2025, 10, 1),
        changed_by=world.key_worker,
    )
    db.session.commit()
    auth.sign_out()
    auth.sign_in(world.parent)
    client.get(f"/children/{child.id}")
    response = client.post(
        f"/family/children/{child.id}/sharing/{world.school.id}", data={"decision": "allow"}
    )
    assert response.status_code == 302
    auth.sign_out()
    return child


def dump() -> str:
    """Return every row of every table as text, as a copy of the database would hold it."""
    lines = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)):
            lines.append(f"{table.name}: " + " | ".join(str(value) for value in row))
    return "\n".join(lines)


def test_after_erasure_a_dump_of_the_database_holds_nothing_of_the_record(app, client, auth, world):
    child = rich_record(client, auth, world)
    before = dump()
    for text in (NAME, SURNAME, REFERENCE, BORN.isoformat(), FIRST_WORDS, NEW_WORDS, NOTE):
        assert text in before, text
    assert DRAFT_WORDS in before  # a goal being set, not saved yet  # the record really held them
    child_id, family = child.id, world.parent.id
    auth.sign_in(world.admin)
    response = client.post(
        f"/admin/children/{child_id}/erase",
        data={"reference": REFERENCE, "reason": "Verified request by email, identity checked"},
    )
    assert response.status_code == 302
    after = dump()
    for text in (
        NAME,
        SURNAME,
        REFERENCE,
        BORN.isoformat(),
        FIRST_WORDS,
        NEW_WORDS,
        NOTE,
        RATING_NOTE,
        DRAFT_WORDS,
        "gran.quartermaine",
        "Penzance",
        "Walk to the corner shop",
    ):
        assert text not in after, text
    db.session.expire_all()
    tombstone = db.session.get(Child, child_id)
    assert (tombstone.date_of_birth, tombstone.primary_need, tombstone.ehcp) == (None, None, None)
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.child_id == child_id)).all()
    assert events, "what happened is kept"
    assert all(event.user_id != family for event in events)  # no link to a family account
    # Only the erasure itself, the administrator's act, keeps the address it came from.
    assert all(event.ip_address is None for event in events if event.action != "record_erased")
    erased = [event for event in events if event.action == "record_erased"]
    assert len(erased) == 1 and erased[0].user_id == world.admin.id
    # Only a keyed hash of the reference is kept.
    stored = db.session.scalar(select(ErasedReference.reference_hash))
    assert stored and REFERENCE not in stored and len(stored) == 64


def test_an_import_cannot_bring_an_erased_child_back(app, client, auth, world):
    rich_record(client, auth, world)
    auth.sign_in(world.admin)
    client.post(
        f"/admin/children/{world.child.id}/erase",
        data={"reference": REFERENCE, "reason": "Verified request"},
    )
    line = (
        "child_ref,date_of_birth,primary_need,ehcp,organisation,goal_ref,goal_text,"
        "occupation_area,importance,outcomes,set_on,rater,assessed_on,performance,satisfaction\n"
        f"{REFERENCE},2013-07-29,ASD,yes,Community Paediatrics,G-1,Back again,self_care,7,,"
        "2025-09-01,parent_carer,2025-09-01,3,3\n"
    )
    summary = importing.import_ratings(db.session, world.area, line)
    assert not summary.imported
    assert "erased on request" in str(summary.errors[0])
    assert summary.errors[0].line == 2
    assert db.session.scalar(select(Child).where(Child.reference == REFERENCE)) is None


def test_retention_lists_then_anonymises_records_past_the_period(runner, world):
    old = factories.make_child(world.key_worker, first_name="Elder", date_of_birth=date(1994, 1, 1))
    factories.make_goal(old, text="Find a flat of my own")
    young = factories.make_child(
        world.key_worker, first_name="Junior", date_of_birth=date(2010, 1, 1)
    )
    db.session.commit()
    before = dump()
    listed = runner.invoke(args=["apply-retention", "--dry-run"])
    assert listed.exit_code == 0, listed.output
    assert f"{old.reference}: due since 2025-01-01" in listed.output  # 25 + 6 years
    assert young.reference not in listed.output
    assert dump() == before  # a dry run changes nothing
    done = runner.invoke(args=["apply-retention"])
    assert "1 record anonymised" in done.output
    db.session.expire_all()
    assert db.session.get(Child, old.id).erased_at is not None
    assert db.session.get(Child, young.id).erased_at is None
    assert "Find a flat of my own" not in dump()
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "record_anonymised_for_retention")
    )
    assert event.child_id == old.id


def test_retention_after_the_last_activity(world):
    from goaltracker import erasure

    world.area.retention_basis = "last_activity"
    world.area.retention_years = 1
    db.session.commit()
    in_three_years = date.today().replace(year=date.today().year + 3)
    due = erasure.due_records(world.area, in_three_years)
    assert {record.child_id for record in due} == {world.child.id, world.other_child.id}
    assert erasure.due_records(world.area, date.today()) == []


def test_the_admin_page_shows_what_is_due(client, auth, world):
    factories.make_child(world.key_worker, reference="DUE-1", date_of_birth=date(1990, 5, 5))
    db.session.commit()
    auth.sign_in(world.admin)
    page = client.get("/admin/retention").get_data(as_text=True)
    assert "DUE-1" in page and "5 May 2021" in page
