"""The life of an account: invitations that cannot take one over, sessions that really end,
forgotten passwords, staff joining and leaving, second factors and the account page."""

import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import func, select

from goaltracker import mail, security
from goaltracker.accounts import invitations, passwords, staff, two_factor
from goaltracker.extensions import db
from goaltracker.models import (
    AuditEvent,
    FamilyLink,
    Invitation,
    PasswordReset,
    User,
    UserSession,
    hash_token,
    utcnow,
)
from tests import factories

NEW_PASSWORD = "plum tractor lantern"  # noqa: S105


def link_path(html: str) -> str:
    """Return the path of the one-time link shown on a page."""
    return re.search(r'value="http://localhost(/[^"]+)"', html).group(1)


def emailed_path(message) -> str:
    """Return the path of the link in an email."""
    return re.search(r"http://localhost(/\S+)", message.body).group(1)


def actions(user: User | None = None) -> list[str]:
    """Return the audited actions, oldest first (by one user when given)."""
    query = select(AuditEvent.action).order_by(AuditEvent.id)
    if user is not None:
        query = query.where(AuditEvent.user_id == user.id)
    return list(db.session.scalars(query))


def invite_as_key_worker(app, world, email: str) -> str:
    """Invite an email address to the world's child as its key worker; return the link path."""
    practitioner = app.test_client()
    practitioner.post(
        "/sign-in", data={"email": world.key_worker.email, "password": factories.PASSWORD}
    )
    response = practitioner.post(
        f"/practitioner/children/{world.child.id}/invite",
        data={"name": "Someone", "email": email, "relationship_to_child": "parent_carer"},
        follow_redirects=True,
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return link_path(response.get_data(as_text=True))


# Invitations never take over an account


def test_a_practitioner_cannot_take_over_a_family_account_with_an_invitation(app, client, world):
    # Sam is signed in on her phone.
    sams_phone = app.test_client()
    sams_phone.post("/sign-in", data={"email": world.parent.email, "password": factories.PASSWORD})
    assert sams_phone.get("/family/").status_code == 200
    # Any practitioner, even of another area, invites Sam's email to a child of theirs.
    attacker = world.other_area_practitioner
    other_child = factories.make_child(attacker, first_name="Bait")
    db.session.commit()
    sent = invitations.invite_family_member(
        other_child,
        email=world.parent.email.upper(),
        name="Sam",
        relationship_to_child="parent_carer",
        invited_by=attacker,
        valid_days=7,
    )
    db.session.commit()
    path = f"/invitation/{sent.token}"
    # Whoever holds the link is offered no password form and cannot set one.
    page = client.get(path).get_data(as_text=True)
    assert 'type="password"' not in page
    assert "sign in with that account" in page.lower()
    response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 200
    assert client.get("/family/").status_code == 302  # not signed in as Sam
    assert client.get(f"/children/{world.child.id}").status_code == 302
    # Sam's password still works, the attacker's does not, her session is untouched.
    assert (
        client.post(
            "/sign-in", data={"email": world.parent.email, "password": NEW_PASSWORD}
        ).status_code
        == 200
    )
    assert sams_phone.get("/family/").status_code == 200
    assert db.session.get(FamilyLink, (world.parent.id, other_child.id)) is None
    assert db.session.scalar(select(Invitation.accepted_at)) is None


def test_the_owner_of_an_existing_account_signs_in_and_accepts(app, client, auth, world):
    path = invite_as_key_worker(app, world, world.other_parent.email)
    message = mail.outbox()[-1]
    assert "sign in with your own password" in message.body.lower()
    assert "does not change your password" in message.body
    # The link sends the owner to sign in, then back to accept.
    page = client.get(path).get_data(as_text=True)
    sign_in_link = re.search(r'href="(/sign-in\?next=[^"]+)"', page).group(1)
    response = client.post(
        sign_in_link.replace("&amp;", "&"),
        data={"email": world.other_parent.email, "password": factories.PASSWORD},
    )
    assert response.headers["Location"] == path
    assert "Accept and add Amir" in client.get(path).get_data(as_text=True)
    assert client.post(path).status_code == 302
    assert db.session.get(FamilyLink, (world.other_parent.id, world.child.id)) is not None
    assert client.get(f"/children/{world.child.id}").status_code == 200
    assert client.get(path).status_code == 410  # spent
    assert "invitation_accepted" in actions(world.other_parent)


def test_someone_else_signed_in_cannot_accept_an_invitation_for_another_account(
    app, client, auth, world
):
    path = invite_as_key_worker(app, world, world.other_parent.email)
    auth.sign_in(world.parent)
    page = client.get(path).get_data(as_text=True)
    assert "signed in with another account" in page
    client.post(path)
    assert db.session.get(FamilyLink, (world.other_parent.id, world.child.id)) is None
    assert db.session.get(FamilyLink, (world.parent.id, world.child.id)) is not None


@pytest.mark.parametrize("role", ["key_worker", "manager", "admin", "other_area_admin"])
def test_staff_addresses_cannot_be_invited_as_family(world, role):
    with pytest.raises(invitations.AccountError, match="staff account"):
        invitations.invite_family_member(
            world.child,
            email=getattr(world, role).email,
            name="Staff",
            relationship_to_child="parent_carer",
            invited_by=world.key_worker,
            valid_days=7,
        )


def test_an_invitation_to_a_new_address_that_gains_an_account_needs_its_owner(app, client, world):
    path = invite_as_key_worker(app, world, "late.comer@example.com")
    factories.make_user("family", world.area, email="late.comer@example.com")
    db.session.commit()
    response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert 'type="password"' not in response.get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.email == "late.comer@example.com"))
    assert security.verify_password(user.password_hash, factories.PASSWORD)


def test_a_mail_server_that_is_down_does_not_lose_the_invitation(app, client, auth, world):
    app.config.update(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=9)
    auth.sign_in(world.key_worker)
    response = client.post(
        f"/practitioner/children/{world.child.id}/invite",
        data={"name": "Sam", "email": "new@example.com", "relationship_to_child": "parent_carer"},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "could not be sent" in html
    assert link_path(html).startswith("/invitation/")
    assert db.session.scalar(select(func.count(Invitation.id))) == 1


# Sessions that really end


def test_a_cookie_replayed_after_sign_out_gets_the_sign_in_page(app, client, auth, world):
    auth.sign_in(world.parent)
    stolen = client.get_cookie("session").value
    auth.sign_out()
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/family/")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_every_request_checks_the_server_side_session(app, client, auth, world):
    auth.sign_in(world.parent)
    assert client.get("/family/").status_code == 200
    db.session.execute(UserSession.__table__.update().values(ended_at=utcnow()))
    db.session.commit()
    assert client.get("/family/").status_code == 302


def test_changing_the_password_ends_every_other_session(app, client, auth, world):
    laptop = app.test_client()
    laptop.post("/sign-in", data={"email": world.parent.email, "password": factories.PASSWORD})
    auth.sign_in(world.parent)
    response = client.post(
        "/account/password",
        data={"current": factories.PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get("/family/").status_code == 200  # this session carries on
    assert laptop.get("/family/").status_code == 302  # the other one ended
    assert "password_changed" in actions(world.parent)


def test_changing_the_password_needs_the_current_one(client, auth, world):
    auth.sign_in(world.parent)
    response = client.post(
        "/account/password",
        data={"current": "not my password", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert "current password is not right" in response.get_data(as_text=True)
    db.session.refresh(world.parent)
    assert security.verify_password(world.parent.password_hash, factories.PASSWORD)


def test_the_account_page_lists_sessions_and_ends_another_one(app, client, auth, world):
    tablet = app.test_client()
    tablet.post(
        "/sign-in",
        data={"email": world.key_worker.email, "password": factories.PASSWORD},
        headers={"User-Agent": "Mozilla/5.0 (iPad; CPU OS 17_0) Safari/604.1"},
    )
    auth.sign_in(world.key_worker)
    page = client.get("/account/").get_data(as_text=True)
    assert "Safari on iPad" in page and "This device" in page
    other = db.session.scalar(select(UserSession.id).where(UserSession.user_agent.contains("iPad")))
    client.post(f"/account/sessions/{other}/end")
    assert tablet.get("/practitioner/").status_code == 302
    assert client.get("/practitioner/").status_code == 200


def test_nobody_can_end_someone_elses_session(app, client, auth, world):
    victim = app.test_client()
    victim.post("/sign-in", data={"email": world.parent.email, "password": factories.PASSWORD})
    victims = db.session.scalar(
        select(UserSession.id).where(UserSession.user_id == world.parent.id)
    )
    auth.sign_in(world.other_parent)
    client.post(f"/account/sessions/{victims}/end")
    assert victim.get("/family/").status_code == 200


# Forgotten password


def test_a_forgotten_password_is_reset_from_an_emailed_single_use_link(app, client, world):
    laptop = app.test_client()
    laptop.post("/sign-in", data={"email": world.parent.email, "password": factories.PASSWORD})
    assert "Forgotten your password?" in client.get("/sign-in").get_data(as_text=True)
    response = client.post("/forgotten-password", data={"email": world.parent.email})
    assert "Check your email" in response.get_data(as_text=True)
    path = emailed_path(mail.outbox()[-1])
    token = path.rsplit("/", 1)[1]
    reset = db.session.scalar(select(PasswordReset))
    assert reset.token_hash == hash_token(token)  # only the hash is stored
    assert timedelta(minutes=59) < reset.expires_at - utcnow() <= timedelta(hours=1)
    response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.headers["Location"].endswith("/sign-in")
    assert laptop.get("/family/").status_code == 302  # every session ended
    assert client.get(path).status_code == 410  # single use
    assert (
        client.post(
            "/sign-in", data={"email": world.parent.email, "password": NEW_PASSWORD}
        ).status_code
        == 302
    )
    assert {"password_reset_requested", "password_reset"} <= set(actions(world.parent))


def test_the_answer_is_the_same_whether_or_not_the_email_has_an_account(client, world):
    known = client.post("/forgotten-password", data={"email": world.parent.email})
    unknown = client.post("/forgotten-password", data={"email": "nobody@example.com"})

    def text(response):
        return (
            response.get_data(as_text=True)
            .replace(world.parent.email, "")
            .replace("nobody@example.com", "")
        )

    assert known.status_code == unknown.status_code == 200
    assert text(known) == text(unknown)
    assert [message.to for message in mail.outbox()] == [world.parent.email]


def test_a_deactivated_account_gets_no_reset_link(client, world):
    world.parent.active = False
    db.session.commit()
    client.post("/forgotten-password", data={"email": world.parent.email})
    assert mail.outbox() == []


@pytest.mark.parametrize("problem", ["expired", "used", "tampered", "unknown"])
def test_an_unusable_reset_link_changes_nothing(client, world, problem):
    requested = passwords.request_reset(world.parent.email)
    db.session.commit()
    token = requested.token
    reset = db.session.scalar(select(PasswordReset))
    if problem == "expired":
        reset.expires_at = utcnow() - timedelta(seconds=1)
    elif problem == "used":
        reset.used_at = utcnow()
    elif problem == "tampered":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    else:
        token = "not-a-token"
    db.session.commit()
    response = client.post(
        f"/reset-password/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code in (404, 410)
    assert "cannot be used" in response.get_data(as_text=True)
    db.session.refresh(world.parent)
    assert security.verify_password(world.parent.password_hash, factories.PASSWORD)


# Sign-in treats unknown, deactivated and real accounts alike


class CountingHasher:
    """The real password hasher, counting each Argon2 computation."""

    def __init__(self, real):
        self.real, self.calls = real, 0

    def hash(self, password):
        self.calls += 1
        return self.real.hash(password)

    def verify(self, password_hash, password):
        self.calls += 1
        return self.real.verify(password_hash, password)


@pytest.mark.parametrize("who", ["unknown", "deactivated", "wrong_password", "right"])
def test_sign_in_does_the_same_work_for_every_kind_of_account(monkeypatch, world, who):
    hasher = CountingHasher(security._hasher)
    monkeypatch.setattr(security, "_hasher", hasher)
    if who == "deactivated":
        world.parent.active = False
    email = "nobody@example.com" if who == "unknown" else world.parent.email
    password = "wrong password!" if who == "wrong_password" else factories.PASSWORD
    user = passwords.authenticate(email, password)
    assert (user is not None) == (who == "right")
    assert hasher.calls == 1  # one Argon2 computation, whoever it is


def test_a_deactivated_account_gets_the_wrong_password_message(client, auth, world):
    world.parent.active = False
    db.session.commit()
    page = auth.sign_in(world.parent).get_data(as_text=True)
    assert "Enter a correct email address and password" in page
    assert "deactivated" not in page.lower()


# Staff lifecycle


def test_an_admin_invites_staff_who_set_a_password_and_sign_in(app, client, auth, world):
    auth.sign_in(world.admin)
    response = client.post(
        "/admin/staff/invite",
        data={
            "name": "Jo Bloggs",
            "email": "jo.bloggs@northfield.example",
            "role": "practitioner",
            "organisation_id": str(world.school.id),
        },
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "Invitation sent" in html
    path = link_path(html)
    assert "choose your password" in mail.outbox()[-1].body
    auth.sign_out()
    page = client.get(path).get_data(as_text=True)
    assert "Practitioner" in page and "Northfield School" in page
    response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.headers["Location"].endswith("/practitioner/")
    user = db.session.scalar(select(User).where(User.email == "jo.bloggs@northfield.example"))
    assert (user.role, user.organisation_id, user.area_id) == (
        "practitioner",
        world.school.id,
        world.area.id,
    )
    assert "staff_invited" in actions(world.admin)


@pytest.mark.parametrize(
    ("email", "role", "organisation", "message"),
    [
        ("sam@example.com", "manager", None, "already exists"),
        ("new@example.com", "practitioner", None, "organisation"),
        ("new@example.com", "family", None, "govuk-error-summary"),
    ],
)
def test_staff_invitations_that_cannot_be_made_say_why(
    client, auth, world, email, role, organisation, message
):
    auth.sign_in(world.admin)
    response = client.post(
        "/admin/staff/invite",
        data={"name": "New", "email": email, "role": role, "organisation_id": organisation or ""},
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Invitation.id))) == 0


def test_deactivating_an_account_ends_its_sessions_at_once(app, client, auth, world):
    jo = app.test_client()
    jo.post("/sign-in", data={"email": world.key_worker.email, "password": factories.PASSWORD})
    assert jo.get("/practitioner/").status_code == 200
    auth.sign_in(world.admin)
    page = client.get(f"/admin/staff/{world.key_worker.id}/deactivate").get_data(as_text=True)
    assert "key worker for 2 children" in page
    response = client.post(
        f"/admin/staff/{world.key_worker.id}/deactivate", data={"reason": "Left on 30 November"}
    )
    assert response.headers["Location"].endswith(f"/admin/staff/{world.key_worker.id}/caseload")
    assert jo.get("/practitioner/").status_code == 302
    refused = jo.post(
        "/sign-in", data={"email": world.key_worker.email, "password": factories.PASSWORD}
    )
    assert "Enter a correct email address and password" in refused.get_data(as_text=True)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account_deactivated"))
    assert event.detail["reason"] == "Left on 30 November"
    # The caseload moves in one go, audited per child.
    client.post(
        f"/admin/staff/{world.key_worker.id}/caseload",
        data={"key_worker_id": str(world.colleague.id)},
    )
    db.session.expire_all()
    assert staff.caseload_of(world.key_worker) == []
    assert len(staff.caseload_of(world.colleague)) == 2
    assert actions().count("key_worker_changed") == 2
    # Reactivated, they can sign in again.
    client.post(f"/admin/staff/{world.key_worker.id}/reactivate")
    assert (
        jo.post(
            "/sign-in", data={"email": world.key_worker.email, "password": factories.PASSWORD}
        ).status_code
        == 302
    )


def test_a_deactivation_needs_a_reason_and_an_admin_cannot_deactivate_themselves(
    client, auth, world
):
    auth.sign_in(world.admin)
    response = client.post(f"/admin/staff/{world.key_worker.id}/deactivate", data={"reason": " "})
    assert "Say why" in response.get_data(as_text=True)
    with pytest.raises(staff.AccountError):
        staff.deactivate(world.admin, "bored", changed_by=world.admin)
    db.session.refresh(world.key_worker)
    assert world.key_worker.active


def test_changing_a_role_ends_the_sessions_and_takes_effect(app, client, auth, world):
    morgan = app.test_client()
    morgan.post("/sign-in", data={"email": world.manager.email, "password": factories.PASSWORD})
    assert morgan.get("/manager/").status_code == 200
    auth.sign_in(world.admin)
    client.post(
        f"/admin/staff/{world.manager.id}/role",
        data={"role": "practitioner", "organisation_id": str(world.health.id)},
    )
    assert morgan.get("/manager/").status_code == 302
    morgan.post("/sign-in", data={"email": world.manager.email, "password": factories.PASSWORD})
    assert morgan.get("/manager/").status_code == 403
    assert morgan.get("/practitioner/").status_code == 200
    assert "staff_role_changed" in actions(world.admin)


def test_a_practitioner_with_a_caseload_keeps_the_role_until_the_children_move(client, auth, world):
    auth.sign_in(world.admin)
    response = client.post(
        f"/admin/staff/{world.key_worker.id}/role", data={"role": "manager", "organisation_id": ""}
    )
    assert "Give them new key workers first" in response.get_data(as_text=True)
    db.session.refresh(world.key_worker)
    assert world.key_worker.role == "practitioner"


def test_the_staff_list_shows_role_organisation_sign_in_and_second_factor(client, auth, world):
    world.manager.totp_secret = pyotp.random_base32()
    db.session.commit()
    auth.sign_in(world.admin)
    page = client.get("/admin/staff/").get_data(as_text=True)
    for text in ("Priya", world.key_worker.email, "Community Paediatrics", "Set up", "Never"):
        assert text in page or text.lower() in page.lower()
    assert world.other_area_practitioner.email not in page


def test_create_user_command_makes_a_staff_account_with_a_one_time_link(runner, world):
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "ola@example.com",
            "--name",
            "Ola",
            "--role",
            "practitioner",
            "--organisation",
            "northfield school",
            "--area",
            "TEST",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "http://localhost/invitation/" in result.output
    user = db.session.scalar(select(User).where(User.email == "ola@example.com"))
    assert user.organisation_id == world.school.id and user.password_hash is None
    again = runner.invoke(
        args=[
            "create-user",
            "--email",
            "ola@example.com",
            "--name",
            "Ola",
            "--role",
            "manager",
            "--area",
            "TEST",
        ]
    )
    assert again.exit_code != 0 and "already exists" in again.output


# Second factor


@pytest.fixture
def totp_admin(world):
    """The admin with an authenticator app set up."""
    world.admin.totp_secret = pyotp.random_base32()
    db.session.commit()
    return world.admin


def test_a_code_cannot_be_used_twice(app, client, auth, totp_admin):
    code = pyotp.TOTP(totp_admin.totp_secret).now()
    auth.sign_in(totp_admin)
    assert client.post("/sign-in/code", data={"code": code}).status_code == 302
    other = app.test_client()
    other.post("/sign-in", data={"email": totp_admin.email, "password": factories.PASSWORD})
    response = other.post("/sign-in/code", data={"code": code})
    assert response.status_code == 200
    assert "The code is not right" in response.get_data(as_text=True)
    assert other.get("/admin/").status_code == 302


def test_recovery_codes_are_shown_once_and_work_once(app, client, auth, world):
    app.config["TWO_FACTOR_ROLES"] = "admin"
    auth.sign_in(world.admin)
    page = client.get("/sign-in/set-up-code").get_data(as_text=True)
    secret = re.search(r'id="secret">([A-Z2-7]+)<', page).group(1)
    response = client.post("/sign-in/set-up-code", data={"code": pyotp.TOTP(secret).now()})
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    codes = re.findall(r"<code>([a-z0-9-]+)</code>", shown)
    assert len(codes) == 10
    assert client.get("/account/recovery-codes/new").status_code == 302  # not again
    stored = set(db.session.scalars(select(two_factor.RecoveryCode.code_hash)))
    assert stored == {hash_token(code) for code in codes}
    other = app.test_client()
    for attempt, expected in ((codes[0].upper(), 302), (codes[0], 200)):
        other.post("/sign-out")
        other.post("/sign-in", data={"email": world.admin.email, "password": factories.PASSWORD})
        assert other.post("/sign-in/code", data={"code": attempt}).status_code == expected


def test_an_admin_resets_someones_second_factor_and_they_set_it_up_again(app, client, auth, world):
    app.config["TWO_FACTOR_ROLES"] = "manager"
    world.manager.totp_secret = pyotp.random_base32()
    db.session.commit()
    morgan = app.test_client()
    morgan.post("/sign-in", data={"email": world.manager.email, "password": factories.PASSWORD})
    morgan.post("/sign-in/code", data={"code": pyotp.TOTP(world.manager.totp_secret).now()})
    assert morgan.get("/manager/").status_code == 200
    auth.sign_in(world.admin)
    client.post(f"/admin/staff/{world.manager.id}/reset-two-factor")
    assert morgan.get("/manager/").status_code == 302
    response = morgan.post(
        "/sign-in", data={"email": world.manager.email, "password": factories.PASSWORD}
    )
    assert response.headers["Location"].endswith("/sign-in/set-up-code")
    assert "two_factor_reset" in actions(world.admin)


def test_a_second_factor_can_be_set_up_from_the_account_page(client, auth, world):
    auth.sign_in(world.key_worker)
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'id="secret">([A-Z2-7]+)<', page).group(1)
    response = client.post(
        "/account/two-factor",
        data={"current": factories.PASSWORD, "code": pyotp.TOTP(secret).now()},
    )
    assert "/account/recovery-codes/new" in response.headers["Location"]
    db.session.refresh(world.key_worker)
    assert world.key_worker.totp_secret == secret
    auth.sign_out()
    assert auth.sign_in(world.key_worker).headers["Location"].endswith("/sign-in/code")
