"""Signing in and out, throttling, CSRF and invitations."""

import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from goaltracker import mail
from goaltracker.accounts import invitations
from goaltracker.extensions import db
from goaltracker.models import AuditEvent, FamilyLink, Invitation, User, utcnow
from tests import factories


@pytest.mark.parametrize(
    ("role_attribute", "home"),
    [
        ("parent", "/family/"),
        ("key_worker", "/practitioner/"),
        ("manager", "/manager/"),
        ("admin", "/admin/"),
    ],
)
def test_each_role_lands_on_its_own_home_page(client, auth, world, role_attribute, home):
    response = auth.sign_in(getattr(world, role_attribute))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(home)
    assert client.get(home).status_code == 200


def test_wrong_password_gets_a_generic_message(client, auth, world):
    response = auth.sign_in(world.parent, "not the password")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Enter a correct email address and password" in html
    assert 'class="govuk-error-summary"' in html
    assert world.parent.email in html  # what the person typed is kept


def test_unknown_email_gets_the_same_message_as_a_wrong_password(client, auth, world):
    unknown = auth.sign_in("nobody@example.com", "not the password").get_data(as_text=True)
    wrong = auth.sign_in(world.parent, "not the password").get_data(as_text=True)
    message = "Enter a correct email address and password"
    assert message in unknown and message in wrong
    assert "not found" not in unknown.lower() and "no account" not in unknown.lower()


def test_deactivated_account_cannot_sign_in(client, auth, world):
    world.parent.active = False
    db.session.commit()
    response = auth.sign_in(world.parent)
    assert response.status_code == 200
    assert client.get("/family/").status_code == 302


def test_sign_in_and_failure_are_audited(client, auth, world):
    auth.sign_in(world.parent, "wrong password here")
    auth.sign_in(world.parent)
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.user_id == world.parent.id)
    ).all()
    assert "sign_in_failed" in actions and "sign_in" in actions


def test_sign_out_ends_the_session(client, auth, world):
    auth.sign_in(world.parent)
    response = auth.sign_out()
    assert response.status_code == 302
    assert client.get("/family/").status_code == 302


def test_pages_need_sign_in(client, world):
    response = client.get("/family/")
    assert response.status_code == 302
    assert "/sign-in?next=" in response.headers["Location"]


def test_next_redirect_stays_on_the_site(client, auth, world):
    response = auth.sign_in(world.parent, query_string={"next": "/children/1"})
    assert response.headers["Location"] == "/children/1"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"]
)
def test_next_redirect_to_another_site_is_ignored(client, auth, world, target):
    response = auth.sign_in(world.parent, query_string={"next": target})
    assert response.headers["Location"].endswith("/family/")


def test_session_cookie_is_http_only_and_same_site_lax(client, auth, world):
    response = auth.sign_in(world.parent)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_session_cookie_is_secure_outside_development(app, world):
    app.config["SESSION_COOKIE_SECURE"] = True
    client = app.test_client()
    response = client.post(
        "/sign-in",
        data={"email": world.parent.email, "password": factories.PASSWORD},
        base_url="https://localhost",
    )
    assert "Secure" in response.headers["Set-Cookie"]


def test_repeated_failed_sign_ins_to_one_account_are_throttled(app, client, world):
    app.config["SIGN_IN_FAILURES_PER_ACCOUNT"] = "3 per 15 minutes"
    statuses = [
        client.post("/sign-in", data={"email": "x@example.com", "password": "guess"}).status_code
        for _ in range(5)
    ]
    assert statuses == [200, 200, 200, 429, 429]
    page = client.post("/sign-in", data={"email": "X@example.com ", "password": "guess"})
    assert page.status_code == 429
    assert "Wait 15 minutes, then try again" in page.get_data(as_text=True)


def test_a_throttled_account_cannot_sign_in_even_with_the_right_password(app, client, world):
    app.config["SIGN_IN_FAILURES_PER_ACCOUNT"] = "2 per 15 minutes"
    for _ in range(2):
        client.post("/sign-in", data={"email": world.parent.email, "password": "wrong guess"})
    response = client.post(
        "/sign-in", data={"email": world.parent.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 429
    assert client.get("/family/").status_code == 302


def test_successful_sign_ins_never_count_towards_the_limits(app, world):
    # An office signing in from one address all morning is never locked out by its own people.
    app.config["SIGN_IN_FAILURES_PER_ACCOUNT"] = "2 per 15 minutes"
    app.config["SIGN_IN_FAILURES_PER_ADDRESS"] = "2 per 15 minutes"
    for _ in range(5):
        for user in (world.parent, world.key_worker, world.colleague):
            client = app.test_client()
            response = client.post(
                "/sign-in", data={"email": user.email, "password": factories.PASSWORD}
            )
            assert response.status_code == 302


def test_failures_from_one_address_are_throttled_across_accounts(app, client, world):
    app.config["SIGN_IN_FAILURES_PER_ADDRESS"] = "4 per 15 minutes"
    statuses = [
        client.post(
            "/sign-in", data={"email": f"guess{number}@example.com", "password": "guess"}
        ).status_code
        for number in range(6)
    ]
    assert statuses == [200, 200, 200, 200, 429, 429]
    # Another address is not held up.
    other = client.post(
        "/sign-in",
        data={"email": world.parent.email, "password": factories.PASSWORD},
        environ_base={"REMOTE_ADDR": "192.0.2.9"},
    )
    assert other.status_code == 302


def test_behind_a_trusted_proxy_the_client_address_is_throttled_and_audited(app, world):
    from goaltracker import create_app
    from tests.conftest import TEST_CONFIG

    proxied = create_app(
        {
            **TEST_CONFIG,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "TRUSTED_PROXIES": 1,
            "SIGN_IN_FAILURES_PER_ADDRESS": "2 per 15 minutes",
        }
    )
    client = proxied.test_client()

    def attempt(forwarded_for: str) -> int:
        return client.post(
            "/sign-in",
            data={"email": world.parent.email, "password": "wrong guess"},
            headers={"X-Forwarded-For": forwarded_for},
            environ_base={"REMOTE_ADDR": "10.0.0.1"},  # the proxy
        ).status_code

    assert [attempt("203.0.113.5") for _ in range(3)] == [200, 200, 429]
    assert attempt("203.0.113.6") == 200
    with proxied.app_context():
        addresses = set(
            db.session.scalars(
                select(AuditEvent.ip_address).where(AuditEvent.action == "sign_in_failed")
            )
        )
        db.session.remove()
        db.engine.dispose()  # the second app's connections, before the suite's checks
    assert addresses == {"203.0.113.5", "203.0.113.6"}


def test_without_trusted_proxies_forwarded_headers_are_ignored(app, client, world):
    app.config["SIGN_IN_FAILURES_PER_ADDRESS"] = "2 per 15 minutes"
    statuses = [
        client.post(
            "/sign-in",
            data={"email": f"guess{number}@example.com", "password": "guess"},
            headers={"X-Forwarded-For": f"203.0.113.{number}"},
        ).status_code
        for number in range(3)
    ]
    assert statuses == [200, 200, 429]


def test_forms_without_a_csrf_token_are_refused(app, client, world):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(
        "/sign-in", data={"email": world.parent.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 400
    assert "The form could not be sent" in response.get_data(as_text=True)
    assert client.get("/family/").status_code == 302


def test_forms_with_the_csrf_token_are_accepted(app, client, world):
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post(
        "/sign-in",
        data={"email": world.parent.email, "password": factories.PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302


# Invitations


def invite(client, auth, world, email="new.parent@example.com"):
    """Sign in as the key worker and invite a family member; return the link."""
    auth.sign_in(world.key_worker)
    response = client.post(
        f"/practitioner/children/{world.child.id}/invite",
        data={"name": "Sam Rahman", "email": email, "relationship_to_child": "parent_carer"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    link = re.search(r'value="(http://localhost/invitation/[^"]+)"', html).group(1)
    auth.sign_out()
    return link


def test_invitation_is_emailed_and_shown_once(client, auth, world):
    link = invite(client, auth, world)
    sent = mail.outbox()
    assert len(sent) == 1
    assert sent[0].to == "new.parent@example.com"
    assert link in sent[0].body
    # The token is never stored: only its hash.
    token = link.rsplit("/", 1)[1]
    assert db.session.scalar(select(Invitation.token_hash)) == Invitation.hash_token(token)
    auth.sign_in(world.key_worker)
    again = client.get(f"/practitioner/children/{world.child.id}/invite/sent")
    assert again.status_code == 302


def test_valid_invitation_sets_a_password_and_links_the_child(client, auth, world):
    link = invite(client, auth, world)
    path = link.replace("http://localhost", "")
    assert client.get(path).status_code == 200
    response = client.post(
        path, data={"password": "plum tractor lantern", "confirm": "plum tractor lantern"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/family/")
    user = db.session.scalar(select(User).where(User.email == "new.parent@example.com"))
    assert user.role == "family"
    assert db.session.get(FamilyLink, (user.id, world.child.id)) is not None
    assert client.get(f"/children/{world.child.id}").status_code == 200
    auth.sign_out()
    assert auth.sign_in("new.parent@example.com", "plum tractor lantern").status_code == 302


def test_used_invitation_cannot_be_used_again(client, auth, world):
    path = invite(client, auth, world).replace("http://localhost", "")
    client.post(path, data={"password": "plum tractor lantern", "confirm": "plum tractor lantern"})
    auth.sign_out()
    response = client.get(path)
    assert response.status_code == 410
    assert "already been used" in response.get_data(as_text=True)


def test_expired_invitation_cannot_be_used(client, auth, world):
    sent = invitations.invite_family_member(
        world.child,
        email="late@example.com",
        name="Late",
        relationship_to_child="parent_carer",
        invited_by=world.key_worker,
        valid_days=7,
    )
    sent.invitation.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.post(
        f"/invitation/{sent.token}",
        data={"password": "plum tractor lantern", "confirm": "plum tractor lantern"},
    )
    assert response.status_code == 410
    assert "expired" in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "late@example.com")) is None


def test_invitation_lasts_seven_days(client, auth, world):
    invite(client, auth, world)
    invitation = db.session.scalar(select(Invitation))
    assert timedelta(days=6, hours=23) < invitation.expires_at - utcnow() <= timedelta(days=7)


def test_unknown_invitation_is_not_found(client, world):
    assert client.get("/invitation/not-a-real-token").status_code == 404


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "10 characters or more"),
        ("password123", "too easy to guess"),
        ("new.parent@example.com", "too easy to guess"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(client, auth, world, password, message):
    path = invite(client, auth, world).replace("http://localhost", "")
    response = client.post(path, data={"password": password, "confirm": password})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(Invitation.accepted_at)) is None


def test_staff_email_cannot_be_invited_as_family(client, auth, world):
    auth.sign_in(world.key_worker)
    response = client.post(
        f"/practitioner/children/{world.child.id}/invite",
        data={
            "name": "Jo",
            "email": world.school_practitioner.email,
            "relationship_to_child": "parent_carer",
        },
    )
    assert response.status_code == 200
    assert "belongs to a staff account" in response.get_data(as_text=True)
    assert mail.outbox() == []


def test_session_ends_after_a_period_without_use(app, client, auth, world):
    app.config["SESSION_IDLE_TIMEOUT"] = timedelta(seconds=1)
    auth.sign_in(world.parent)
    assert client.get("/family/").status_code == 200
    time.sleep(2.1)
    response = client.get("/family/")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_using_the_service_keeps_the_session_alive(app, client, auth, world):
    app.config["SESSION_IDLE_TIMEOUT"] = timedelta(seconds=2)
    auth.sign_in(world.parent)
    for _ in range(3):
        time.sleep(1)
        assert client.get("/family/").status_code == 200


@pytest.mark.parametrize(
    "password", ["qwertyuiop", "1q2w3e4r5t", "iloveyou12", "Password123", "QWERTYUIOP1"]
)
def test_passwords_on_the_large_block_list_are_refused(password):
    from goaltracker import security

    assert security.password_problem(password) == (
        "Password is too easy to guess. Try three random words"
    )


def test_an_uncommon_long_password_is_accepted():
    from goaltracker import security

    assert security.password_problem("plum tractor lantern") is None
