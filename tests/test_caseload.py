"""The practitioner's caseload: due and overdue reviews, got-worse, sorting and pages."""

from datetime import date, timedelta

import pytest

from goaltracker import records, reminders, scoring
from goaltracker.extensions import db
from goaltracker.mail import outbox
from tests import factories

TODAY = date(2026, 6, 1)


def child_rated_days_ago(world, days, name, scores=((3, 3), (4, 4))):
    """Make a child of the key worker whose latest rating is `days` before TODAY."""
    child = factories.make_child(world.key_worker, first_name=name)
    goal = factories.make_goal(child, set_on=TODAY - timedelta(days=days + 100))
    first, latest = scores
    factories.make_rating(goal, TODAY - timedelta(days=days + 50), *first)
    factories.make_rating(goal, TODAY - timedelta(days=days), *latest)
    return child


def entry_for(page, child):
    """Return the caseload entry of a child."""
    return next(entry for entry in page.entries if entry.child.id == child.id)


@pytest.mark.parametrize(
    ("days", "status"),
    [(70, scoring.DUE_SOON), (84, scoring.DUE_SOON), (85, scoring.OVERDUE), (30, scoring.NOT_DUE)],
)
def test_review_status_at_the_edges_of_the_interval(world, days, status):
    child = child_rated_days_ago(world, days, "Edge")
    page = records.caseload(world.key_worker, today=TODAY, per_page=100)
    assert entry_for(page, child).review_status == status


def test_caseload_includes_key_worked_own_organisation_and_consented_children(world):
    jo_child = factories.make_child(world.school_practitioner, first_name="Shared")
    db.session.flush()
    page = records.caseload(world.key_worker, today=TODAY)
    assert {entry.child.first_name for entry in page.entries} == {"Amir", "Maya"}
    factories.grant_consent(jo_child, world.health)
    page = records.caseload(world.colleague, today=TODAY)
    assert "Shared" in {entry.child.first_name for entry in page.entries}
    other = records.caseload(world.other_area_practitioner, today=TODAY)
    assert other.total == 0


def test_got_worse_is_flagged_and_filtered(world):
    worse = child_rated_days_ago(world, 10, "Worse", scores=((6, 6), (3, 6)))
    better = child_rated_days_ago(world, 10, "Better", scores=((3, 3), (6, 6)))
    page = records.caseload(world.key_worker, today=TODAY, per_page=100)
    assert entry_for(page, worse).got_worse is True
    assert entry_for(page, better).got_worse is False
    only_worse = records.caseload(world.key_worker, today=TODAY, show="worse")
    assert [entry.child.first_name for entry in only_worse.entries] == ["Worse"]
    assert page.counts["worse"] == 1


def test_overdue_filter_and_due_order(world):
    overdue = child_rated_days_ago(world, 200, "Overdue")
    child_rated_days_ago(world, 5, "Recent")
    page = records.caseload(world.key_worker, today=TODAY, show="overdue")
    # The world's child was last rated on 10 January, also more than 84 days ago.
    assert [entry.child.id for entry in page.entries] == [overdue.id, world.child.id]
    everyone = records.caseload(world.key_worker, today=TODAY, sort="due")
    assert everyone.entries[0].child.id == overdue.id
    assert everyone.entries[-1].child.first_name == "Recent"


@pytest.mark.parametrize("sort", records.CASELOAD_SORTS)
def test_every_sort_returns_every_child_once(world, sort):
    for number in range(4):
        child_rated_days_ago(world, 20 * number + 1, f"Child {number}")
    page = records.caseload(world.key_worker, today=TODAY, sort=sort, per_page=100)
    assert len({entry.child.id for entry in page.entries}) == page.total == 6


def test_caseload_is_paginated(world):
    for number in range(7):
        factories.make_child(world.key_worker, first_name=f"Page {number}")
    first = records.caseload(world.key_worker, today=TODAY, sort="name", per_page=4)
    second = records.caseload(world.key_worker, today=TODAY, sort="name", page=3, per_page=4)
    assert (first.total, first.pages) == (9, 3)
    assert len(first.entries) == 4 and len(second.entries) == 1
    assert not {e.child.id for e in first.entries} & {e.child.id for e in second.entries}


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("olu", {"Olu"}),
        ("  OLU   ", {"Olu"}),
        ("olu   adeyemi", {"Olu"}),
        ("deyem", {"Olu"}),
        ("REF-A", {"Olu", "Noor"}),
        ("%", set()),
        ("_", {"Under_score"}),
        ("nobody", set()),
    ],
)
def test_caseload_search_by_name_or_reference(world, search, expected):
    factories.make_child(
        world.key_worker, first_name="Olu", last_name="Adeyemi", reference="REF-A1"
    )
    factories.make_child(world.key_worker, first_name="Noor", last_name="Ahmed", reference="ref-a2")
    factories.make_child(world.key_worker, first_name="Under_score", reference="X-1")
    page = records.caseload(world.key_worker, today=TODAY, search=search, per_page=100)
    assert {entry.child.first_name for entry in page.entries} == expected
    assert page.total == len(expected)


def test_caseload_search_combines_with_the_filters_and_pages(client, auth, world):
    child_rated_days_ago(world, 200, "Overdue Olu")
    child_rated_days_ago(world, 200, "Overdue Ola")
    child_rated_days_ago(world, 5, "Recent Olu")
    db.session.commit()
    page = records.caseload(world.key_worker, today=TODAY, show="overdue", search="olu")
    assert [entry.child.first_name for entry in page.entries] == ["Overdue Olu"]
    auth.sign_in(world.key_worker)
    html = client.get("/practitioner/?search=olu&show=all&sort=name").get_data(as_text=True)
    assert "Overdue Olu" in html and "Recent Olu" in html and "Overdue Ola" not in html
    assert 'value="olu"' in html and "Clear the search" in html
    assert "search=olu" in html  # the sort and filter links keep the search
    long = client.get("/practitioner/", query_string={"search": "x" * 5000})
    assert long.status_code == 200


def test_caseload_page_shows_counts_and_filters(client, auth, world):
    child_rated_days_ago(world, 200, "Overdue")
    db.session.commit()
    auth.sign_in(world.key_worker)
    html = client.get("/practitioner/?show=overdue&sort=name").get_data(as_text=True)
    # Amir (rated on 10 January) and the new child are overdue; Maya was never rated.
    assert (
        "2 children&#39;s reviews are overdue" in html or "2 children's reviews are overdue" in html
    )
    assert "Overdue" in html and "Amir" in html and "Maya" not in html
    assert client.get("/practitioner/?sort=nonsense&show=nonsense&page=-4").status_code == 200


def test_reminders_name_no_child_and_need_sign_in(app, world):
    child_rated_days_ago(world, 200, "Overdue")
    world.key_worker.email_reminders = True
    db.session.commit()
    assert reminders.send_review_reminders(TODAY) == (1, 0)
    message = outbox()[0]
    assert message.to == world.key_worker.email
    assert "Overdue" not in message.body and "Amir" not in message.body
    assert "/practitioner/" in message.body


def test_no_reminder_without_the_preference(app, world):
    child_rated_days_ago(world, 200, "Overdue")
    db.session.commit()
    assert reminders.send_review_reminders(TODAY) == (0, 0)
    assert outbox() == []


def test_practitioner_turns_reminders_on(client, auth, world):
    auth.sign_in(world.key_worker)
    client.post("/practitioner/reminders", data={"email_reminders": "yes"})
    db.session.refresh(world.key_worker)
    assert world.key_worker.email_reminders is True


def test_reminders_command_for_scheduled_jobs(runner, world):
    world.key_worker.email_reminders = True
    db.session.commit()
    result = runner.invoke(args=["send-review-reminders"])
    assert result.exit_code == 0
    assert "Sent 1 reminder." in result.output  # the world's child was last rated in January
