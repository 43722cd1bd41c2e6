"""A family's own data, the audit trail search, and erasure on a verified request."""

import json

from sqlalchemy import func, select

from goaltracker.extensions import db
from goaltracker.models import AuditEvent, Child, FamilyLink, Goal, Rating


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
