"""The family controls sharing: other organisations see a child only with the family's consent."""

from sqlalchemy import func, select

from goaltracker.extensions import db
from goaltracker.mail import outbox
from goaltracker.models import AuditEvent, Consent

CHILD_PAGES = (
    "/children/{child}",
    "/children/{child}/goals/{goal}",
    "/children/{child}/review",
    "/children/{child}/summary.pdf",
)


def statuses(client, world):
    """Return the status of every child page for whoever is signed in."""
    return {
        page: client.get(page.format(child=world.child.id, goal=world.goal.id)).status_code
        for page in CHILD_PAGES
    }


def decide(client, world, decision, organisation=None):
    """Post the family's decision about an organisation."""
    organisation = organisation or world.school
    return client.post(
        f"/family/children/{world.child.id}/sharing/{organisation.id}",
        data={"decision": decision},
    )


def test_other_organisation_refused_before_allowed_after_and_refused_again_after_withdrawal(
    app, world
):
    family = app.test_client()
    school = app.test_client()
    from tests.conftest import AuthActions

    AuthActions(family).sign_in(world.parent)
    AuthActions(school).sign_in(world.school_practitioner)
    assert set(statuses(school, world).values()) == {403}
    assert decide(family, world, "allow").status_code == 302
    assert set(statuses(school, world).values()) == {200}
    assert decide(family, world, "stop").status_code == 302
    assert set(statuses(school, world).values()) == {403}


def test_every_decision_is_recorded_with_who_and_when(client, auth, world):
    auth.sign_in(world.parent)
    decide(client, world, "allow")
    decide(client, world, "stop")
    consent = db.session.scalar(select(Consent))
    assert consent.granted is False and consent.decided_by_id == world.parent.id
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.child_id == world.child.id, AuditEvent.action.like("consent_%"))
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["consent_granted", "consent_withdrawn"]


def test_key_workers_organisation_always_has_access(client, auth, world):
    auth.sign_in(world.parent)
    response = decide(client, world, "stop", organisation=world.health)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "always has access" in page
    assert db.session.scalar(select(Consent)) is None


def test_organisation_of_another_area_cannot_be_chosen(client, auth, world):
    from goaltracker.models import Organisation

    elsewhere = db.session.scalar(
        select(Organisation).where(Organisation.area_id == world.other_area.id)
    )
    auth.sign_in(world.parent)
    decide(client, world, "allow", organisation=elsewhere)
    assert db.session.scalar(select(Consent)) is None


def test_only_the_family_decides(client, auth, world):
    auth.sign_in(world.key_worker)
    assert decide(client, world, "allow").status_code == 403
    auth.sign_out()
    auth.sign_in(world.other_parent)
    assert decide(client, world, "allow").status_code == 403
    assert db.session.scalar(select(Consent)) is None


def test_family_sees_who_looked_at_the_record(client, auth, world):
    auth.sign_in(world.key_worker)
    client.get(f"/children/{world.child.id}")
    auth.sign_out()
    auth.sign_in(world.parent)
    page = client.get(f"/family/children/{world.child.id}/sharing").get_data(as_text=True)
    assert world.key_worker.name in page
    assert "looked at the record" in page


def test_who_has_looked_comes_a_page_at_a_time_newest_first(client, auth, world):
    from goaltracker.family.views import HISTORY_PAGE_SIZE

    auth.sign_in(world.key_worker)
    for _ in range(HISTORY_PAGE_SIZE + 3):
        client.get(f"/children/{world.child.id}")
    auth.sign_out()
    auth.sign_in(world.parent)
    total = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.child_id == world.child.id)
    )
    first = client.get(f"/family/children/{world.child.id}/sharing").get_data(as_text=True)
    assert first.count('data-label="When"') == HISTORY_PAGE_SIZE
    assert f"Showing 1 to {HISTORY_PAGE_SIZE} of {total}" in first
    assert "Older" in first and "Newer" not in first
    second = client.get(f"/family/children/{world.child.id}/sharing?page=2").get_data(as_text=True)
    assert second.count('data-label="When"') == total - HISTORY_PAGE_SIZE
    assert "Newer" in second
    assert "UTC" not in first


def test_key_worker_asks_and_the_family_is_told_without_details(client, auth, world):
    auth.sign_in(world.key_worker)
    response = client.post(
        f"/practitioner/children/{world.child.id}/ask-consent",
        data={"organisation_id": str(world.school.id)},
    )
    assert response.status_code == 302
    message = outbox()[0]
    assert message.to == world.parent.email
    assert world.child.first_name not in message.body and "Northfield" not in message.body
    auth.sign_out()
    auth.sign_in(world.parent)
    page = client.get(f"/family/children/{world.child.id}/sharing").get_data(as_text=True)
    assert "has asked whether Northfield School may see" in page


def test_practitioner_of_another_organisation_cannot_ask(client, auth, world):
    auth.sign_in(world.school_practitioner)
    response = client.post(
        f"/practitioner/children/{world.child.id}/ask-consent",
        data={"organisation_id": str(world.school.id)},
    )
    assert response.status_code == 403
    assert outbox() == []
