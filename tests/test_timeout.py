"""Sessions that time out: a warning before, and nothing typed lost after."""

import time
from datetime import timedelta

from sqlalchemy import func, select

from goaltracker.extensions import db
from goaltracker.models import Note, SavedForm
from tests import factories


def time_out(app, client) -> None:
    """Let the session go unused for longer than the idle timeout."""
    app.config["SESSION_IDLE_TIMEOUT"] = timedelta(seconds=1)
    time.sleep(1.2)


def test_a_form_sent_after_a_time_out_is_filled_in_again_after_signing_in(app, client, auth, world):
    auth.sign_in(world.parent)
    time_out(app, client)
    path = f"/children/{world.child.id}/notes"
    response = client.post(path, data={"body": "Managed buttons on Tuesday!"})
    assert response.status_code == 302
    assert f"/sign-in?next={path}" in response.headers["Location"]
    assert db.session.scalar(select(func.count(Note.id))) == 0
    app.config["SESSION_IDLE_TIMEOUT"] = timedelta(minutes=30)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "what you typed has been kept" in page
    signed_in = client.post(
        response.headers["Location"],
        data={"email": world.parent.email, "password": factories.PASSWORD},
    )
    assert signed_in.headers["Location"] == path
    form = client.get(path).get_data(as_text=True)
    assert "Managed buttons on Tuesday!" in form
    assert "has been put back" in form
    # Taken back once: the next visit shows an empty form, and nothing is kept any more.
    assert "Managed buttons" not in client.get(path).get_data(as_text=True)
    assert db.session.scalar(select(func.count(SavedForm.id))) == 0


def test_passwords_and_tokens_are_never_kept(app, client, auth, world):
    auth.sign_in(world.parent)
    time_out(app, client)
    client.post(
        "/account/password",
        data={
            "current": factories.PASSWORD,
            "password": "new one here",
            "confirm": "x",
            "csrf_token": "t",
        },
    )
    saved = db.session.scalar(select(SavedForm))
    assert saved is not None and saved.data == []


def test_nothing_is_kept_for_someone_who_signed_out(app, client, auth, world):
    auth.sign_in(world.parent)
    auth.sign_out()
    client.post(f"/children/{world.child.id}/notes", data={"body": "left behind"})
    assert db.session.scalar(select(func.count(SavedForm.id))) == 0


def test_another_person_signing_in_does_not_get_the_kept_form(app, client, auth, world):
    auth.sign_in(world.key_worker)
    time_out(app, client)
    path = f"/children/{world.child.id}/notes"
    client.post(path, data={"body": "Private words"})
    app.config["SESSION_IDLE_TIMEOUT"] = timedelta(minutes=30)
    other = app.test_client()
    other.post("/sign-in", data={"email": world.colleague.email, "password": factories.PASSWORD})
    assert "Private words" not in other.get(path).get_data(as_text=True)


def test_signed_in_pages_carry_the_time_out_warning(client, auth, world):
    assert 'id="timeout-warning"' not in client.get("/sign-in").get_data(as_text=True)
    auth.sign_in(world.parent)
    page = client.get("/family/").get_data(as_text=True)
    assert 'id="timeout-warning"' in page
    assert 'data-session-seconds="1800"' in page
    assert 'data-keep-alive-url="/account/keep-alive"' in page
    assert client.get("/account/keep-alive").status_code == 204
