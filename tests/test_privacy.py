"""A family's own data, the audit trail search, and erasure on a verified request."""

import json

from sqlalchemy import func, select

from goaltracker.extensions import db
from goaltracker.models import AuditEvent, Child, FamilyLink, Goal, Rating
from tests import factories


def test_family_downloads_everything_held_as_json(client, auth, world):
    auth.sign_in(world.key_worker)
    client.post(f"/children/{world.child.id}/notes", data={"body": "Great week at school"})
    auth.sign_out()
    auth.sign_in(world.parent)
    response = client.get(f"/family/children/{world.child.id}/download.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    record = json.loads(response.data)
    assert record["child"]["first_name"] == "Amir"
    assert record["goals"][0]["text"] == world.goal.text
    assert record["goals"][0]["ratings"][0]["performance"] == 3
    assert record["notes"][0]["text"] == "Great week at school"
    assert {line["organisation"] for line in record["sharing"]} >= {"Community Paediatrics"}
    assert any(event["who"] == world.key_worker.name for event in record["access_history"])


def test_family_downloads_a_readable_page(client, auth, world):
    auth.sign_in(world.parent)
    response = client.get(f"/family/children/{world.child.id}/download.html")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Everything Goal Tracker holds about Amir" in html
    assert world.goal.text in html


def test_family_reads_everything_held_in_the_browser(client, auth, world):
    from goaltracker.family.views import HISTORY_PAGE_SIZE

    auth.sign_in(world.key_worker)
    for _ in range(HISTORY_PAGE_SIZE + 5):
        client.get(f"/children/{world.child.id}")
    auth.sign_out()
    auth.sign_in(world.parent)
    response = client.get(f"/family/children/{world.child.id}/everything")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Content-Disposition" not in response.headers  # a page, not a file
    assert "Everything Goal Tracker holds about Amir" in html and world.goal.text in html
    assert html.count('data-label="When"') == HISTORY_PAGE_SIZE
    assert "See them all, a page at a time" in html
    assert "parent_carer" not in html and "2026-01-10" not in html  # words, not codes
    assert "10 January 2026" in html
    kept = client.get(f"/family/children/{world.child.id}/download.html").get_data(as_text=True)
    assert kept.count('data-label="When"') > HISTORY_PAGE_SIZE  # the file keeps every one


def test_download_is_audited_and_refused_to_others(client, auth, world):
    auth.sign_in(world.other_parent)
    assert client.get(f"/family/children/{world.child.id}/download.json").status_code == 403
    auth.sign_out()
    auth.sign_in(world.parent)
    client.get(f"/family/children/{world.child.id}/download.json")
    assert (
        db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "record_downloaded")
        ).user_id
        == world.parent.id
    )


def test_admin_searches_the_audit_trail_by_person_and_child(client, auth, world):
    auth.sign_in(world.key_worker)
    client.get(f"/children/{world.child.id}")
    auth.sign_out()
    auth.sign_in(world.admin)
    page = client.get(
        "/admin/audit",
        query_string={"email": world.key_worker.email, "child_reference": world.child.reference},
    ).get_data(as_text=True)
    assert "looked at the record" in page
    assert "1 event" in page
    nothing = client.get("/admin/audit", query_string={"email": "nobody@example.com"})
    assert "0 events" in nothing.get_data(as_text=True)


def test_audit_search_of_another_area_finds_nothing_of_this_one(client, auth, world):
    auth.sign_in(world.key_worker)
    client.get(f"/children/{world.child.id}")
    auth.sign_out()
    auth.sign_in(world.other_area_admin)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert world.child.reference not in page


def test_failed_sign_ins_appear_in_the_audit_trail(client, auth, world):
    auth.sign_in("stranger@example.com", "wrong password guess")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "sign_in_failed"))
    assert event.detail["email"] == "stranger@example.com"
    assert event.ip_address == "127.0.0.1"


def test_erasure_needs_the_reference_typed(client, auth, world):
    auth.sign_in(world.admin)
    response = client.post(
        f"/admin/children/{world.child.id}/erase",
        data={"reference": "WRONG", "reason": "Parent asked by letter, ID checked"},
    )
    assert "does not match" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Goal.id)).where(Goal.child_id == world.child.id))


def test_erasure_removes_the_record_and_is_audited(client, auth, world):
    auth.sign_in(world.admin)
    response = client.post(
        f"/admin/children/{world.child.id}/erase",
        data={"reference": world.child.reference, "reason": "Parent asked by letter, ID checked"},
    )
    assert response.status_code == 302
    child = db.session.get(Child, world.child.id)
    db.session.refresh(child)
    assert child.erased_at is not None and child.first_name == ""
    assert db.session.scalar(select(func.count(Goal.id)).where(Goal.child_id == child.id)) == 0
    assert db.session.scalar(select(func.count(Rating.id))) == 0
    assert (
        db.session.scalar(
            select(func.count()).select_from(FamilyLink).where(FamilyLink.child_id == child.id)
        )
        == 0
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "record_erased"))
    assert event.detail["goals"] == 1 and event.detail["ratings"] == 1
    auth.sign_out()
    auth.sign_in(world.parent)
    assert client.get(f"/children/{world.child.id}").status_code == 404


def test_only_admins_erase(client, auth, world):
    auth.sign_in(world.manager)
    response = client.post(
        f"/admin/children/{world.child.id}/erase",
        data={"reference": world.child.reference, "reason": "x"},
    )
    assert response.status_code == 403


def test_every_child_an_import_touches_has_its_own_audit_event(world):
    from goaltracker import importing
    from goaltracker.models import AuditEvent

    header = (
        "child_ref,date_of_birth,primary_need,ehcp,organisation,goal_ref,goal_text,"
        "occupation_area,importance,outcomes,set_on,rater,assessed_on,performance,satisfaction\n"
    )
    lines = "".join(
        f"AUD-{n},2016-05-10,ASD,no,Clinic,G-1,Dress myself,self_care,8,,"
        "2025-09-01,parent_carer,2025-09-01,3,3\n"
        for n in range(3)
    )
    importing.import_ratings(db.session, world.area, header + lines, world.admin)
    db.session.commit()
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "child_imported")
    ).all()
    assert len({event.child_id for event in events}) == 3
    assert all(event.user_id == world.admin.id for event in events)


def test_opening_forms_that_show_goal_text_is_audited(client, auth, world):
    from goaltracker.models import AuditEvent

    auth.sign_in(world.key_worker)
    client.get(f"/children/{world.child.id}/goals/{world.goal.id}/edit")
    client.get(f"/children/{world.child.id}/goals/{world.goal.id}/status")
    client.get(f"/children/{world.child.id}/review")
    auth.sign_out()
    auth.sign_in(world.manager)
    client.get(f"/admin/children/{world.child.id}/key-worker")
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {
        "goal_form_viewed",
        "goal_status_form_viewed",
        "review_form_viewed",
        "key_worker_page_viewed",
    } <= actions


def test_organisation_and_outcome_changes_are_audited(world):
    from goaltracker import areas
    from goaltracker.models import AuditEvent

    areas.add_organisation(world.area, "New Charity", "voluntary")
    outcome = areas.add_outcome(world.area, "SAFE", "Be safe")
    areas.edit_outcome(outcome, "Be safe and well", "")
    areas.set_retired(outcome, True)
    db.session.commit()
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [event.action for event in events][-4:] == [
        "organisation_added",
        "outcome_added",
        "outcome_changed",
        "outcome_retired",
    ]
    assert events[-2].detail["before"]["title"] == "Be safe"


def test_the_family_download_holds_everything_in_words_and_as_data(client, auth, world):
    from goaltracker import records

    factories.grant_consent(world.child, world.school, granted=False)
    records.ask_family_about_key_worker(world.child, world.school_practitioner, world.admin)
    db.session.commit()
    auth.sign_in(world.key_worker)
    client.post(
        f"/practitioner/children/{world.child.id}/invite",
        data={"name": "Dev", "email": "dev@example.com", "relationship_to_child": "parent_carer"},
    )
    # Rate, then correct the same day's rating: the replaced scores are kept.
    form = {
        "rater": "parent_carer",
        "assessed_on": ["1", "2", "2026"],
        f"performance_{world.goal.id}": "4",
        f"satisfaction_{world.goal.id}": "4",
    }
    client.post(f"/children/{world.child.id}/review", data=form)
    client.post(
        f"/children/{world.child.id}/review",
        data={**form, f"performance_{world.goal.id}": "6", "replace_same_day": "yes"},
    )
    auth.sign_out()
    auth.sign_in(world.parent)
    data = json.loads(client.get(f"/family/children/{world.child.id}/download.json").data)
    assert data["replaced_scores"][0]["before"] == {"performance": 4, "satisfaction": 4}
    assert data["replaced_scores"][0]["after"]["performance"] == 6
    assert data["invitations"][0]["email"] == "dev@example.com"
    assert data["key_worker_requests"][0]["key_worker"] == world.school_practitioner.name
    event = data["access_history"][0]
    assert {"when", "who", "organisation", "what", "from_address"} <= set(event)
    assert event["when"].endswith(("+00:00", "+01:00"))  # UK time
    assert any(item["organisation"] == "Community Paediatrics" for item in data["access_history"])
    page = client.get(f"/family/children/{world.child.id}/download.html").get_data(as_text=True)
    assert "parent_carer" not in page  # labels, not codes
    assert "Parent or carer" in page or "parent or carer" in page
    assert "1 February 2026" in page  # dates in words
    assert "were replaced by" in page
    assert "record_key" not in page and "record_key" not in json.dumps(data)
