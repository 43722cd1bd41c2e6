"""Single sign-on for staff against a real OpenID Connect provider on loopback."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import func, select

from goaltracker.extensions import db
from goaltracker.models import AuditEvent, User, UserSession
from tests import factories
from tests.oidc_provider import FAULTS, RunningProvider

CALLBACK = "http://localhost/sign-in/organisation/callback"


@pytest.fixture(scope="session")
def running_provider():
    """One provider for the whole run."""
    running = RunningProvider()
    yield running
    running.stop()


@pytest.fixture
def provider(app, running_provider):
    """Configure the app for the provider, which behaves well unless a test says otherwise."""
    provider = running_provider.provider
    provider.fault = None
    provider.redirect_uris = {CALLBACK}
    provider.person = {}
    app.config.update(
        OIDC_ISSUER=provider.issuer,
        OIDC_CLIENT_ID=provider.client_id,
        OIDC_CLIENT_SECRET=provider.client_secret,
        OIDC_PROVIDER_NAME="Test Council",
    )
    # A fresh client, so that discovery is read again for each test.
    app.extensions.pop("goaltracker_single_sign_on", None)
    return provider


def person(user, **claims) -> dict:
    """Return the claims the provider makes about a user."""
    return {
        "sub": f"subject-{user.id}",
        "email": user.email.upper(),
        "email_verified": True,
        "name": user.name,
        "amr": ["pwd", "mfa"],
        **claims,
    }


def sign_in_through_provider(client, provider, claims: dict):
    """Go to the provider and back, as a browser does; return the app's last response."""
    provider.person = claims
    start = client.get("/sign-in/organisation")
    assert start.status_code == 302, start.get_data(as_text=True)
    at_provider = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302, at_provider.text
    back = urlsplit(at_provider.headers["Location"])
    return client.get(f"{back.path}?{back.query}")


def test_a_member_of_staff_signs_in_through_their_organisation(client, provider, world):
    page = client.get("/sign-in").get_data(as_text=True)
    assert "Sign in with Test Council" in page
    response = sign_in_through_provider(client, provider, person(world.key_worker))
    assert response.headers["Location"].endswith("/practitioner/")
    assert client.get("/practitioner/").status_code == 200
    session = db.session.scalar(select(UserSession).where(UserSession.ended_at.is_(None)))
    assert (session.user_id, session.method) == (world.key_worker.id, "single_sign_on")
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "sign_in").order_by(AuditEvent.id.desc())
    )
    assert event.detail == {"method": "single_sign_on", "provider_second_factor": True}


def test_the_request_uses_the_code_flow_with_pkce_state_and_nonce(client, provider, world):
    start = client.get("/sign-in/organisation")
    query = parse_qs(urlsplit(start.headers["Location"]).query)
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["state"][0] and query["nonce"][0]
    assert query["redirect_uri"] == [CALLBACK]
    assert "openid" in query["scope"][0].split()


@pytest.mark.parametrize("fault", [fault for fault in FAULTS if fault])
def test_a_token_that_fails_any_check_signs_nobody_in(client, provider, world, fault):
    provider.fault = fault
    if fault == "discovery_issuer":
        response = client.get("/sign-in/organisation")
    else:
        response = sign_in_through_provider(client, provider, person(world.key_worker))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/sign-in")
    page = client.get("/sign-in").get_data(as_text=True)
    assert "did not" in page
    assert client.get("/practitioner/").status_code == 302
    assert db.session.scalar(select(func.count(UserSession.id))) == 0
    if fault != "discovery_issuer":
        # Refused by the token's checks, not for want of an account.
        reason = db.session.scalar(
            select(AuditEvent.detail).where(AuditEvent.action == "single_sign_on_failed")
        )["reason"]
        assert reason.endswith("Error"), reason


def test_a_replayed_callback_signs_nobody_in(app, client, provider, world):
    provider.person = person(world.key_worker)
    start = client.get("/sign-in/organisation")
    back = urlsplit(
        requests.get(start.headers["Location"], allow_redirects=False, timeout=10).headers[
            "Location"
        ]
    )
    other = app.test_client()  # another browser, without the state in its session
    response = other.get(f"{back.path}?{back.query}")
    assert response.headers["Location"].endswith("/sign-in")
    assert other.get("/practitioner/").status_code == 302


@pytest.mark.parametrize(
    "claims",
    [
        {"email": "nobody@example.com"},
        {"email_verified": False},
        {"email": None},
    ],
)
def test_only_a_verified_email_of_an_existing_staff_account_signs_in(
    client, provider, world, claims
):
    accounts_before = db.session.scalar(select(func.count(User.id)))
    response = sign_in_through_provider(client, provider, person(world.key_worker, **claims))
    assert response.headers["Location"].endswith("/sign-in")
    assert client.get("/practitioner/").status_code == 302
    assert db.session.scalar(select(func.count(User.id))) == accounts_before  # never created


def test_families_cannot_sign_in_through_an_organisation(client, provider, world):
    response = sign_in_through_provider(client, provider, person(world.parent))
    assert response.headers["Location"].endswith("/sign-in")
    assert client.get("/family/").status_code == 302


def test_a_deactivated_account_cannot_sign_in_through_the_provider(client, provider, world):
    world.key_worker.active = False
    db.session.commit()
    response = sign_in_through_provider(client, provider, person(world.key_worker))
    assert response.headers["Location"].endswith("/sign-in")


def test_without_the_providers_second_factor_the_accounts_own_is_asked_for(
    app, client, provider, world
):
    app.config["TWO_FACTOR_ROLES"] = "admin"
    response = sign_in_through_provider(client, provider, person(world.admin, amr=["pwd"]))
    assert response.headers["Location"].endswith("/sign-in/set-up-code")
    assert client.get("/admin/").status_code == 302
    client.post("/sign-out")
    response = sign_in_through_provider(client, provider, person(world.admin))
    assert response.headers["Location"].endswith("/admin/")


def test_password_sign_in_can_be_switched_off_for_single_sign_on_staff(
    app, client, auth, provider, world
):
    auth.sign_in(world.admin)
    client.post(f"/admin/staff/{world.key_worker.id}/password-sign-in")
    auth.sign_out()
    refused = auth.sign_in(world.key_worker)
    assert "Enter a correct email address and password" in refused.get_data(as_text=True)
    response = sign_in_through_provider(client, provider, person(world.key_worker))
    assert response.headers["Location"].endswith("/practitioner/")
    assert client.get("/account/password").status_code == 404  # no local password to change


def test_without_configuration_there_is_no_single_sign_on(client, world):
    assert "Sign in with" not in client.get("/sign-in").get_data(as_text=True)
    assert client.get("/sign-in/organisation").status_code == 404
    assert factories.PASSWORD  # families and staff keep email and password
