"""Several family members per child, the young person taking over at 16, and a new key worker
that respects the family's decision."""

import re
from datetime import date

from sqlalchemy import select

from goaltracker import records
from goaltracker.extensions import db
from goaltracker.models import AuditEvent, Child, Consent, FamilyLink, KeyWorkerRequest
from tests import factories

PASSWORD = "plum tractor lantern"  # noqa: S105


def test_a_parent_invites_another_who_gets_their_own_sign_in(app, client, auth, world):
    auth.sign_in(world.parent)
    response = client.post(
        f"/family/children/{world.child.id}/invite",
        data={
            "name": "Dev Khan",
            "email": "dev@example.com",
            "relationship_to_child": "parent_carer",
        },
        follow_redirects=True,
    )
    link = re.search(
        r'value="http://localhost(/invitation/[^"]+)"', response.get_data(as_text=True)
    ).group(1)
    sharing = client.get(f"/family/children/{world.child.id}/sharing").get_data(as_text=True)
    assert "Dev Khan" in sharing and "not joined yet" in sharing
    dev = app.test_client()
    dev.post(link, data={"password": PASSWORD, "confirm": PASSWORD})
    assert dev.get(f"/children/{world.child.id}").status_code == 200
    sharing = client.get(f"/family/children/{world.child.id}/sharing").get_data(as_text=True)
    assert "Dev Khan (parent or carer), since" in sharing


def test_the_key_worker_removes_a_family_members_access_at_once(app, client, auth, world):
    second = factories.make_user("family", world.area, name="Dev Khan")
    factories.link_family(second, world.child)
    db.session.commit()
    dev = app.test_client()
    dev.post("/sign-in", data={"email": second.email, "password": factories.PASSWORD})
    assert dev.get(f"/children/{world.child.id}").status_code == 200
    auth.sign_in(world.key_worker)
    page = client.get(f"/children/{world.child.id}").get_data(as_text=True)
    assert "Dev Khan" in page and "Remove access" in page
    response = client.post(
        f"/children/{world.child.id}/family/{second.id}/remove", data={"reason": "Court order"}
    )
    assert response.status_code == 302
    assert dev.get(f"/children/{world.child.id}").status_code == 403  # at once, while signed in
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "family_member_removed")
    )
    assert event.detail == {"member": "Dev Khan", "reason": "Court order"}
    assert event.user_id == world.key_worker.id


def test_removing_the_last_family_member_is_allowed_and_says_what_it_means(client, auth, world):
    auth.sign_in(world.key_worker)
    page = client.get(f"/children/{world.child.id}/family/{world.parent.id}/remove")
    assert "only family member" in page.get_data(as_text=True)
    response = client.post(
        f"/children/{world.child.id}/family/{world.parent.id}/remove",
        data={"reason": "Moved away"},
        follow_redirects=True,
    )
    assert "Nobody in the family can see it now" in response.get_data(as_text=True)
    assert db.session.get(FamilyLink, (world.parent.id, world.child.id)) is None


def test_a_reason_is_needed_to_remove_access(client, auth, world):
    auth.sign_in(world.key_worker)
    response = client.post(
        f"/children/{world.child.id}/family/{world.parent.id}/remove", data={"reason": " "}
    )
    assert "Say why" in response.get_data(as_text=True)
    assert db.session.get(FamilyLink, (world.parent.id, world.child.id)) is not None


def sixteen_year_old(world):
    """Maya, 16 today, with her own account as the young person; her mum is also linked."""
    maya = factories.make_child(
        world.key_worker,
        first_name="Maya",
        date_of_birth=date(date.today().year - 16, date.today().month, min(date.today().day, 28)),
    )
    young_person = factories.make_user("family", world.area, name="Maya")
    db.session.add(
        FamilyLink(user_id=young_person.id, child_id=maya.id, relationship_to_child="young_person")
    )
    mum = factories.make_user("family", world.area, name="Maya's mum")
    factories.link_family(mum, maya)
    db.session.commit()
    return maya, young_person, mum


def test_the_young_person_takes_over_at_16_and_decides_about_their_mum(app, client, auth, world):
    maya, young_person, mum = sixteen_year_old(world)
    mums_phone = app.test_client()
    mums_phone.post("/sign-in", data={"email": mum.email, "password": factories.PASSWORD})
    assert mums_phone.get(f"/family/children/{maya.id}/sharing").status_code == 200
    auth.sign_in(young_person)
    home = client.get("/family/").get_data(as_text=True)
    assert "you can take over your own record" in home
    # The young person rates their own goals in their own words, not "Maya rates…".
    assert "Rate my goals" in home and "rates their own goals" not in home
    form = client.get(f"/family/children/{maya.id}/take-over").get_data(as_text=True)
    assert (
        "Can Maya&#39;s mum still see your record?" in form
        or "Can Maya's mum still see your record?" in form
    )
    response = client.post(f"/family/children/{maya.id}/take-over", data={f"keep_{mum.id}": "yes"})
    assert response.headers["Location"].endswith(f"/family/children/{maya.id}/sharing")
    db.session.expire_all()
    assert db.session.get(Child, maya.id).handed_over_at is not None
    # Her mum still sees the record, but sharing is now Maya's to decide.
    assert mums_phone.get(f"/children/{maya.id}").status_code == 200
    assert mums_phone.get(f"/family/children/{maya.id}/sharing").status_code == 403
    assert client.get(f"/family/children/{maya.id}/sharing").status_code == 200
    # A handover already done cannot be repeated.
    assert client.get(f"/family/children/{maya.id}/take-over").status_code == 403
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.child_id == maya.id)
    ).all()
    assert "handover_accepted" in actions and "family_access_kept" in actions


def test_a_parent_the_young_person_does_not_share_with_loses_access(app, client, auth, world):
    maya, young_person, mum = sixteen_year_old(world)
    auth.sign_in(young_person)
    client.post(f"/family/children/{maya.id}/take-over", data={f"keep_{mum.id}": "no"})
    mums_phone = app.test_client()
    mums_phone.post("/sign-in", data={"email": mum.email, "password": factories.PASSWORD})
    assert mums_phone.get(f"/children/{maya.id}").status_code == 403


def test_under_16_nobody_can_take_over_and_nothing_changes(client, auth, world):
    young = factories.make_child(world.key_worker, date_of_birth=date(date.today().year - 15, 1, 1))
    person = factories.make_user("family", world.area)
    db.session.add(
        FamilyLink(user_id=person.id, child_id=young.id, relationship_to_child="young_person")
    )
    db.session.commit()
    auth.sign_in(person)
    assert client.get(f"/family/children/{young.id}/take-over").status_code == 403
    assert client.post(f"/family/children/{young.id}/take-over", data={}).status_code == 403


def test_a_parent_cannot_take_over_for_the_young_person(client, auth, world):
    maya, _young_person, mum = sixteen_year_old(world)
    auth.sign_in(mum)
    assert client.get(f"/family/children/{maya.id}/take-over").status_code == 403


def test_the_key_worker_sees_a_young_person_who_could_take_over(client, auth, world):
    maya, _young_person, _mum = sixteen_year_old(world)
    auth.sign_in(world.key_worker)
    page = client.get(f"/children/{maya.id}").get_data(as_text=True)
    assert "can take over their own record" in page


def test_a_new_key_worker_in_a_stopped_organisation_needs_the_familys_agreement(
    client, auth, world
):
    factories.grant_consent(world.child, world.school, granted=False)  # the family said no
    db.session.commit()
    auth.sign_in(world.admin)
    response = client.post(
        f"/admin/children/{world.child.id}/key-worker",
        data={"key_worker_id": str(world.school_practitioner.id)},
        follow_redirects=True,
    )
    assert "they have been asked first" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Child, world.child.id).key_worker_id == world.key_worker.id
    request = db.session.scalar(select(KeyWorkerRequest))
    auth.sign_out()
    auth.sign_in(world.parent)
    sharing = client.get(f"/family/children/{world.child.id}/sharing").get_data(as_text=True)
    assert "would like" in sharing and world.school_practitioner.name in sharing
    client.post(
        f"/family/children/{world.child.id}/key-worker-requests/{request.id}",
        data={"decision": "agree"},
    )
    db.session.expire_all()
    child = db.session.get(Child, world.child.id)
    assert (child.key_worker_id, child.organisation_id) == (
        world.school_practitioner.id,
        world.school.id,
    )
    decision = db.session.scalar(select(Consent).where(Consent.child_id == child.id))
    assert decision.granted is True


def test_a_family_that_says_no_keeps_its_key_worker(client, auth, world):
    factories.grant_consent(world.child, world.school, granted=False)
    db.session.commit()
    request = records.ask_family_about_key_worker(
        world.child, world.school_practitioner, world.admin
    )
    db.session.commit()
    auth.sign_in(world.parent)
    client.post(
        f"/family/children/{world.child.id}/key-worker-requests/{request.id}",
        data={"decision": "refuse"},
    )
    db.session.expire_all()
    assert db.session.get(Child, world.child.id).key_worker_id == world.key_worker.id
    assert db.session.get(KeyWorkerRequest, request.id).accepted is False


def test_the_caseload_shows_young_people_who_could_take_over(client, auth, world):
    sixteen_year_old(world)
    auth.sign_in(world.key_worker)
    assert "Could take over their record" in client.get("/practitioner/").get_data(as_text=True)
