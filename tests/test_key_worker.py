"""Reassigning a child's key worker: admins and managers of the area, audited, at once."""

from sqlalchemy import select

from goaltracker.extensions import db
from goaltracker.models import AuditEvent
from tests import factories


def reassign(client, world, practitioner):
    """Post a new key worker for the world's child."""
    return client.post(
        f"/admin/children/{world.child.id}/key-worker",
        data={"key_worker_id": str(practitioner.id)},
    )


def test_admin_reassigns_and_the_new_key_worker_sees_the_child_at_once(app, client, auth, world):
    auth.sign_in(world.admin)
    assert reassign(client, world, world.school_practitioner).status_code == 302
    db.session.refresh(world.child)
    assert world.child.key_worker_id == world.school_practitioner.id
    assert world.child.organisation_id == world.school.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "key_worker_changed"))
    assert event.user_id == world.admin.id
    assert event.detail["before"]["key_worker_id"] == world.key_worker.id
    school = app.test_client()
    from tests.conftest import AuthActions

    AuthActions(school).sign_in(world.school_practitioner)
    assert school.get(f"/children/{world.child.id}").status_code == 200


def test_manager_of_the_area_can_reassign(client, auth, world):
    auth.sign_in(world.manager)
    assert reassign(client, world, world.colleague).status_code == 302


def test_admin_of_another_area_cannot_reassign(client, auth, world):
    auth.sign_in(world.other_area_admin)
    assert reassign(client, world, world.colleague).status_code == 403


def test_practitioner_of_another_area_cannot_become_key_worker(client, auth, world):
    auth.sign_in(world.admin)
    response = reassign(client, world, world.other_area_practitioner)
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    db.session.refresh(world.child)
    assert world.child.key_worker_id == world.key_worker.id


def test_children_list_shows_references_not_names(client, auth, world):
    auth.sign_in(world.manager)
    page = client.get("/admin/children").get_data(as_text=True)
    assert world.child.reference in page
    assert "Amir" not in page


def test_children_are_found_by_how_their_reference_starts(client, auth, world):
    factories.make_child(world.key_worker, reference="ZZ_9%")
    db.session.commit()
    auth.sign_in(world.admin)
    page = client.get("/admin/children", query_string={"reference": "zz_"}).get_data(as_text=True)
    assert "ZZ_9%" in page and world.child.reference not in page
    assert "1 child in" in page
    # Wildcards typed into the box are taken as themselves.
    page = client.get("/admin/children", query_string={"reference": "%"}).get_data(as_text=True)
    assert "0 children" in page and "ZZ_9%" not in page


def test_children_are_listed_by_key_worker_and_all_of_them_can_be_moved(client, auth, world):
    jo = world.school_practitioner
    theirs = [factories.make_child(jo, reference=f"JO-{n}") for n in range(3)]
    orphan = factories.make_child(world.key_worker, reference="NOBODY-1")
    orphan.key_worker_id = None
    db.session.commit()
    auth.sign_in(world.admin)
    page = client.get("/admin/children", query_string={"key_worker": jo.id}).get_data(as_text=True)
    assert all(child.reference in page for child in theirs)
    assert world.child.reference not in page and "NOBODY-1" not in page
    assert f"3 children in {world.area.name} key-worked by {jo.name}" in page
    assert f"/admin/staff/{jo.id}/caseload" in page
    page = client.get("/admin/children", query_string={"key_worker": "none"}).get_data(as_text=True)
    assert "NOBODY-1" in page and "JO-0" not in page
    # Junk or another area's practitioner: no filter, never an error.
    for junk in ("abc", str(world.other_area_practitioner.id), "99999999999999999999", " "):
        response = client.get("/admin/children", query_string={"key_worker": junk})
        assert response.status_code == 200
        assert "JO-0" in response.get_data(as_text=True)
    # One confirmation moves them all, one audit event each.
    response = client.post(
        f"/admin/staff/{jo.id}/caseload", data={"key_worker_id": str(world.colleague.id)}
    )
    assert response.status_code == 302
    for child in theirs:
        db.session.refresh(child)
        assert child.key_worker_id == world.colleague.id
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "key_worker_changed")
    ).all()
    assert {event.child_id for event in events} == {child.id for child in theirs}


def test_managers_filter_by_key_worker_but_only_admins_move_a_whole_caseload(client, auth, world):
    auth.sign_in(world.manager)
    page = client.get("/admin/children", query_string={"key_worker": world.key_worker.id}).get_data(
        as_text=True
    )
    assert world.child.reference in page
    assert "/caseload" not in page
