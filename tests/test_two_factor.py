"""Managers and administrators sign in with a code from an authenticator app as well."""

import re

import pyotp
import pytest

from goaltracker.extensions import db
from tests import factories


@pytest.fixture
def two_factor(app):
    """Require codes of managers and administrators, as production does by default."""
    app.config["TWO_FACTOR_ROLES"] = "manager,admin"


def test_manager_sets_up_an_app_on_first_sign_in(client, auth, world, two_factor):
    response = auth.sign_in(world.manager)
    assert response.headers["Location"].endswith("/sign-in/set-up-code")
    assert client.get("/manager/").status_code == 302  # not signed in yet
    page = client.get("/sign-in/set-up-code").get_data(as_text=True)
    secret = re.search(r'id="secret">([A-Z2-7]+)<', page).group(1)
    wrong = client.post("/sign-in/set-up-code", data={"code": "000000"})
    assert "The code is not right" in wrong.get_data(as_text=True)
    response = client.post("/sign-in/set-up-code", data={"code": pyotp.TOTP(secret).now()})
    assert response.headers["Location"].endswith("/manager/")
    assert client.get("/manager/").status_code == 200
    db.session.refresh(world.manager)
    assert world.manager.totp_secret == secret


def test_code_is_asked_for_once_set_up(client, auth, world, two_factor):
    world.admin.totp_secret = pyotp.random_base32()
    db.session.commit()
    response = auth.sign_in(world.admin)
    assert response.headers["Location"].endswith("/sign-in/code")
    assert client.post("/sign-in/code", data={"code": "123456"}).status_code == 200
    assert client.get("/admin/").status_code == 302
    code = pyotp.TOTP(world.admin.totp_secret).now()
    response = client.post("/sign-in/code", data={"code": code})
    assert response.headers["Location"].endswith("/admin/")
    assert client.get("/admin/").status_code == 200


def test_code_page_needs_the_password_first(client, world, two_factor):
    assert client.get("/sign-in/code").headers["Location"].endswith("/sign-in")
    assert client.get("/sign-in/set-up-code").headers["Location"].endswith("/sign-in")


def test_families_and_practitioners_need_no_code(client, auth, world, two_factor):
    assert auth.sign_in(world.parent).headers["Location"].endswith("/family/")
    auth.sign_out()
    assert auth.sign_in(world.key_worker).headers["Location"].endswith("/practitioner/")


def test_anyone_who_set_up_a_code_is_asked_for_it(client, auth, world):
    world.parent.totp_secret = pyotp.random_base32()
    db.session.commit()
    assert (
        auth.sign_in(world.parent, factories.PASSWORD).headers["Location"].endswith("/sign-in/code")
    )
