"""A child's details through the years: corrections, and a need and EHC plan with dates, which
reports as at a date (kept aggregates included) follow."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from goaltracker import child_details, importing
from goaltracker.extensions import db
from goaltracker.models import AuditEvent, Child, ChildDetail
from goaltracker.reports import kept, outcome_reports
from tests import factories

BEFORE, ISSUED, AFTER = date(2026, 2, 28), date(2026, 3, 3), date(2026, 3, 31)


@pytest.fixture
def two_children(world):
    """Amy without an EHC plan (until one is issued) and Ben with one, a goal each."""
    amy = factories.make_child(world.key_worker, first_name="Amy", ehcp=False)
    ben = factories.make_child(world.key_worker, first_name="Ben", ehcp=True)
    for child in (amy, ben):
        factories.make_goal(child, set_on=date(2026, 1, 5), outcomes=[world.outcome])
    db.session.commit()
    return world, amy, ben


def goals_by_plan(area, as_at) -> dict:
    """Return the exact report's goals for HEALTHY by EHC plan as at a date."""
    report = outcome_reports.exact_outcomes_report(db.session, area, as_at, by="ehcp")
    return {row.group: row.goals for row in report.rows_for("HEALTHY") if row.group}


def change(child, world, **details):
    """Change some of a child's details through the domain function, and commit."""
    values = {
        "first_name": child.first_name,
        "last_name": child.last_name,
        "reference": child.reference,
        "date_of_birth": child.date_of_birth,
        "primary_need": child.primary_need,
        "ehcp": child.ehcp,
        "changed_on": date.today(),
        **details,
    }
    result = child_details.change_details(child, changed_by=world.key_worker, **values)
    db.session.commit()
    return result


def test_a_report_as_at_a_date_uses_the_ehc_plan_in_force_then(two_children):
    world, amy, _ben = two_children
    assert goals_by_plan(world.area, BEFORE) == {"yes": 1, "no": 1}
    change(amy, world, ehcp=True, changed_on=ISSUED)
    # Hand-worked: before 3 March Amy had no plan; from then she has one.
    assert goals_by_plan(world.area, BEFORE) == {"yes": 1, "no": 1}
    assert goals_by_plan(world.area, AFTER) == {"yes": 2}
    filtered = outcome_reports.exact_outcomes_report(
        db.session, world.area, BEFORE, filters={"ehcp": False}
    )
    assert filtered.rows_for("HEALTHY")[0].goals == 1


def test_a_correction_applies_on_every_date(two_children):
    world, amy, _ben = two_children
    change(amy, world, ehcp=True, changed_on=None)
    assert goals_by_plan(world.area, BEFORE) == {"yes": 2}
    assert [entry.ehcp for entry in child_details.history(amy)] == [True]


def test_kept_aggregates_follow_a_change_of_details(two_children):
    world, amy, _ben = two_children
    today = date.today()
    kept.rebuild(db.session, world.area, today)
    db.session.commit()
    change(amy, world, ehcp=True, primary_need="SEMH", changed_on=ISSUED)
    change(amy, world, date_of_birth=date(2004, 1, 1))  # a corrected date of birth
    for as_at in (ISSUED - timedelta(days=1), ISSUED, AFTER, today):
        grains = kept.grains_on(db.session, world.area, as_at)
        assert kept.kept_cells(db.session, world.area, as_at) == kept.computed_cells(
            db.session, world.area, as_at, grains
        ), as_at


def test_the_childs_page_says_the_history_in_words(client, auth, two_children):
    world, amy, _ben = two_children
    change(amy, world, ehcp=True, changed_on=ISSUED)
    auth.sign_in(world.key_worker)
    page = client.get(f"/children/{amy.id}").get_data(as_text=True)
    assert "EHC plan since 3 March 2026" in page
    assert "No EHC plan from" in page and "to 3 March 2026" in page


def test_details_are_changed_from_the_form_and_audited_with_before_and_after(
    client, auth, two_children
):
    world, amy, _ben = two_children
    auth.sign_in(world.key_worker)
    response = client.post(
        f"/children/{amy.id}/details",
        data={
            "first_name": "Amelia",
            "last_name": "Stone",
            "reference": "AMY-NEW",
            "date_of_birth": ["10", "5", "2016"],
            "primary_need": "SLCN",
            "ehcp": "yes",
            "change": "changed",
            "changed_on": ["3", "3", "2026"],
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    amy = db.session.get(Child, amy.id)
    assert (amy.first_name, amy.reference, amy.primary_need, amy.ehcp) == (
        "Amelia",
        "AMY-NEW",
        "SLCN",
        True,
    )
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "child_details_changed")
    )
    assert event.detail["before"]["first_name"] == "Amy"
    assert event.detail["after"]["first_name"] == "Amelia"
    assert event.detail["after"]["ehcp"] is True and event.detail["took_effect"] == "2026-03-03"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date_of_birth", ["31", "2", "2016"], "Enter a real date"),
        ("date_of_birth", ["1", "1", "2999"], "today or in the past"),
        ("primary_need", "XYZ", "Not a valid choice"),
        ("reference", "", "reference"),
        ("changed_on", ["1", "1", "2999"], "today or in the past"),
    ],
)
def test_bad_details_come_back_as_errors_and_change_nothing(
    client, auth, two_children, field, value, message
):
    world, amy, ben = two_children
    auth.sign_in(world.key_worker)
    data = {
        "first_name": "Amy",
        "last_name": "",
        "reference": amy.reference,
        "date_of_birth": ["10", "5", "2016"],
        "primary_need": "SEMH",
        "ehcp": "no",
        "change": "changed",
        "changed_on": ["3", "3", "2026"],
        field: value,
    }
    response = client.post(f"/children/{amy.id}/details", data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Child, amy.id).primary_need == "ASD"


def test_a_reference_already_used_is_refused(client, auth, two_children):
    world, amy, ben = two_children
    auth.sign_in(world.key_worker)
    response = client.post(
        f"/children/{amy.id}/details",
        data={
            "first_name": "Amy",
            "reference": ben.reference,
            "date_of_birth": ["10", "5", "2016"],
            "primary_need": "ASD",
            "ehcp": "no",
        },
    )
    assert "Another child already has this reference" in response.get_data(as_text=True)


def test_an_import_that_changes_the_need_makes_it_take_effect_on_the_import_day(world):
    header = (
        "child_ref,date_of_birth,primary_need,ehcp,organisation,goal_ref,goal_text,"
        "occupation_area,importance,outcomes,set_on,rater,assessed_on,performance,satisfaction\n"
    )
    line = "IMP-1,2016-05-10,{need},no,Community Paediatrics,G-1,Dress myself,self_care,8,,"
    line += "2025-09-01,parent_carer,2025-09-01,3,3\n"
    importing.import_ratings(db.session, world.area, header + line.format(need="ASD"))
    db.session.commit()
    import_day = date(2026, 4, 30)
    importing.import_ratings(
        db.session, world.area, header + line.format(need="SEMH"), today=import_day
    )
    db.session.commit()
    child = db.session.scalar(select(Child).where(Child.reference == "IMP-1"))
    entries = db.session.scalars(
        select(ChildDetail)
        .where(ChildDetail.child_id == child.id)
        .order_by(ChildDetail.effective_from)
    ).all()
    assert [(entry.primary_need, entry.effective_from) for entry in entries] == [
        ("ASD", date(2025, 9, 1)),
        ("SEMH", import_day),
    ]
    assert child.primary_need == "SEMH"
