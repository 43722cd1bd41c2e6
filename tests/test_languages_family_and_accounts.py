"""The family's other pages, signing in's other steps, the account pages, the public pages and
the emails, in Welsh: every word marked, every message held, the family's own words as typed."""

import re
from datetime import date

import pyotp

from goaltracker import mail
from goaltracker.accounts import invitations
from goaltracker.extensions import db
from goaltracker.models import FamilyLink
from tests import factories
from tests.languages import in_welsh, welsh_page

NEW_PASSWORD = "plum tractor lantern"  # noqa: S105


def test_everything_held_and_the_download_in_welsh(client, auth, world, misses):
    factories.make_goal(world.child, text="Reidio fy meic")
    db.session.commit()
    auth.sign_in(world.parent)
    in_welsh(client)
    child = world.child.id
    everything = welsh_page(client.get(f"/family/children/{child}/everything"))
    assert "Popeth sydd gan Goal Tracker am Amir" in everything
    assert "Nodau a sgoriau" in everything and "Pwy sy’n gallu gweld y cofnod" in everything
    assert "Prif angen: Awtistiaeth" in everything and "Cadw copi" in everything
    assert "Rhiant neu ofalwr" in everything  # the rater's label, in Welsh
    assert "10 Ionawr 2026" in everything  # the first rating's date, in Welsh
    assert "Reidio fy meic" in everything and "Get dressed for school by myself" in everything
    download = client.get(f"/family/children/{child}/download.html")
    html = welsh_page(download)
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert '<html lang="cy" dir="ltr">' in html
    assert "<title>Popeth sydd gan Goal Tracker am Amir</title>" in html
    assert "Pob tro yr edrychwyd arno neu y’i newidiwyd" in html
    data = client.get(f"/family/children/{child}/download.json").get_json()
    assert data["child"]["primary_need_label"] == "Autism"  # the data keeps English labels
    assert misses == set()


def sixteen_year_old(world):
    """Maya, 16 today, with her own account as the young person; her mum is also linked."""
    today = date.today()
    maya = factories.make_child(
        world.key_worker,
        first_name="Maya",
        date_of_birth=date(today.year - 16, today.month, min(today.day, 28)),
    )
    young_person = factories.make_user("family", world.area, name="Maya")
    db.session.add(
        FamilyLink(user_id=young_person.id, child_id=maya.id, relationship_to_child="young_person")
    )
    mum = factories.make_user("family", world.area, name="Mam Maya")
    factories.link_family(mum, maya)
    db.session.commit()
    return maya, young_person, mum


def test_taking_over_the_record_in_welsh(client, auth, world, misses):
    maya, young_person, _mum = sixteen_year_old(world)
    auth.sign_in(young_person)
    in_welsh(client)
    url = f"/family/children/{maya.id}/take-over"
    form = welsh_page(client.get(url))
    assert "Cymryd eich cofnod drosodd" in form and "Ydy Mam Maya yn cael dal i weld" in form
    assert "Cymryd fy nghofnod drosodd" in form
    refused = welsh_page(client.post(url, data={}))
    assert "Mae problem" in refused
    assert "Dywedwch a yw Mam Maya yn cael dal i weld eich cofnod" in refused
    assert misses == set()


def test_inviting_a_family_member_in_welsh(client, auth, world, misses):
    auth.sign_in(world.parent)
    in_welsh(client)
    url = f"/family/children/{world.child.id}/invite"
    form = welsh_page(client.get(url))
    assert "Gwahodd rhywun i weld cofnod Amir" in form and "rhiant neu ofalwr arall" in form
    welsh_page(client.post(url, data={"name": "Dev", "email": "not an address"}))
    staff = welsh_page(
        client.post(
            url,
            data={
                "name": "Priya",
                "email": world.key_worker.email,
                "relationship_to_child": "parent_carer",
            },
        )
    )
    assert "Mae’r cyfeiriad e-bost hwn yn perthyn i gyfrif staff" in staff
    sent = client.post(
        url,
        data={
            "name": "Dev Khan",
            "email": "dev@example.com",
            "relationship_to_child": "parent_carer",
        },
    )
    done = welsh_page(client.get(sent.headers["Location"]))
    assert "Yn ôl at bwy sy’n gallu gweld cofnod Amir" in done
    email = mail.outbox()[-1]
    assert email.subject == "Rydych wedi cael gwahoddiad i Goal Tracker"
    assert email.body.startswith("Helo Dev Khan,")
    assert "Agorwch y ddolen hon i greu eich cyfrif:" in email.body
    assert misses == set()


def invite(world, email: str) -> str:
    sent = invitations.invite_family_member(
        world.child,
        email=email,
        name="Dev Khan",
        relationship_to_child="parent_carer",
        invited_by=world.key_worker,
        valid_days=7,
    )
    db.session.commit()
    return f"/invitation/{sent.token}"


def test_accepting_an_invitation_in_welsh(client, world, misses):
    in_welsh(client)
    path = invite(world, "dev@example.com")
    form = welsh_page(client.get(path))
    assert "Creu eich cyfrif" in form and "Helo Dev Khan" in form and "nodau Amir" in form
    assert "Defnyddiwch 10 nod neu fwy" in form or "Defnyddiwch" in form
    empty = welsh_page(client.post(path, data={}))
    assert "Mae problem" in empty and "Rhowch gyfrinair" in empty
    different = welsh_page(client.post(path, data={"password": NEW_PASSWORD, "confirm": "other"}))
    assert "Nid yw’r cyfrineiriau’n cyfateb" in different
    existing = welsh_page(client.get(invite(world, world.other_parent.email)))
    assert "Derbyn y gwahoddiad" in existing and "Mewngofnodi i dderbyn" in existing
    assert "cofnod Amir" in existing
    unusable = welsh_page(client.get("/invitation/no-such-token"), 404)
    assert "Does dim modd defnyddio’r ddolen wahoddiad hon" in unusable
    assert misses == set()


def test_a_forgotten_password_in_welsh_and_its_email(client, world, misses):
    in_welsh(client)
    form = welsh_page(client.get("/forgotten-password"))
    assert "Wedi anghofio eich cyfrinair" in form and "Anfonwch ddolen ataf" in form
    empty = welsh_page(client.post("/forgotten-password", data={}))
    assert "Rhowch eich cyfeiriad e-bost" in empty
    sent = welsh_page(client.post("/forgotten-password", data={"email": world.parent.email}))
    assert "Gwiriwch eich e-bost" in sent and "ffolder sbam" in sent
    email = mail.outbox()[-1]
    assert email.subject == "Gosod cyfrinair newydd ar gyfer Goal Tracker"
    assert email.body.startswith(f"Helo {world.parent.name},")
    assert "Mae’r ddolen yn gweithio unwaith ac yn dod i ben ymhen 1 awr." in email.body
    path = re.search(r"http://localhost(/\S+)", email.body).group(1)
    reset = welsh_page(client.get(path))
    assert "Gosod cyfrinair newydd" in reset and world.parent.email in reset
    empty = welsh_page(client.post(path, data={}))
    assert "Rhowch gyfrinair" in empty and "Teipiwch y cyfrinair eto" in empty
    different = welsh_page(client.post(path, data={"password": NEW_PASSWORD, "confirm": "other"}))
    assert "Nid yw’r cyfrineiriau’n cyfateb" in different
    unusable = welsh_page(client.get("/reset-password/no-such-token"), 404)
    assert "Does dim modd defnyddio’r ddolen hon i osod cyfrinair newydd" in unusable
    assert misses == set()


def test_two_factor_set_up_and_sign_in_code_in_welsh(app, client, auth, world, misses):
    app.config["TWO_FACTOR_ROLES"] = "admin"
    in_welsh(client)
    auth.sign_in(world.admin)
    setup = welsh_page(client.get("/sign-in/set-up-code"))
    assert "Gosod ap dilysu" in setup and "Rhowch yr allwedd hon" in setup
    assert "Cod o’ch ap dilysu" in setup
    wrong = welsh_page(client.post("/sign-in/set-up-code", data={"code": "000000"}))
    assert "Nid yw’r cod yn gywir. Gwiriwch yr allwedd" in wrong
    world.manager.totp_secret = pyotp.random_base32()
    db.session.commit()
    other = app.test_client()
    in_welsh(other)
    other.post("/sign-in", data={"email": world.manager.email, "password": factories.PASSWORD})
    code = welsh_page(other.get("/sign-in/code"))
    assert "Rhowch eich cod" in code and "Parhau" in code
    empty = welsh_page(other.post("/sign-in/code", data={}))
    assert "Rhowch y cod" in empty
    refused = welsh_page(other.post("/sign-in/code", data={"code": "000000"}))
    assert "Nid yw’r cod yn gywir. Rhowch y cod y mae eich ap yn ei ddangos nawr" in refused
    assert misses == set()


def test_the_account_pages_in_welsh(app, client, auth, world, misses):
    in_welsh(client)
    auth.sign_in(world.parent)
    laptop = app.test_client()
    laptop.post("/sign-in", data={"email": world.parent.email, "password": factories.PASSWORD})
    home = welsh_page(client.get("/account/"))
    assert "Eich cyfrif" in home and "Ble rydych chi wedi mewngofnodi" in home
    assert (
        "Y ddyfais hon" in home and "Heb ei osod" in home and "Allgofnodi ym mhobman arall" in home
    )
    password = welsh_page(client.get("/account/password"))
    assert "Newid eich cyfrinair" in password and "Cyfrinair presennol" in password
    empty = welsh_page(client.post("/account/password", data={}))
    assert "Rhowch eich cyfrinair presennol" in empty and "Rhowch gyfrinair" in empty
    wrong = welsh_page(
        client.post(
            "/account/password",
            data={"current": "not it at all", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        )
    )
    assert "Nid yw eich cyfrinair presennol yn gywir" in wrong
    setup = welsh_page(client.get("/account/two-factor"))
    assert "Gosod ap dilysu" in setup and "Defnyddio’r ap hwn" in setup
    secret = re.search(r'id="secret">([A-Z2-7]+)<', setup).group(1)
    empty = welsh_page(client.post("/account/two-factor", data={}))
    assert "Rhowch y cod" in empty
    wrong = welsh_page(
        client.post("/account/two-factor", data={"current": factories.PASSWORD, "code": "000000"})
    )
    assert "Nid yw’r cod yn gywir" in wrong
    made = client.post(
        "/account/two-factor",
        data={"current": factories.PASSWORD, "code": pyotp.TOTP(secret).now()},
    )
    shown = welsh_page(client.get(made.headers["Location"]))
    assert "Eich codau adfer" in shown and "Rwyf wedi cadw fy nghodau’n ddiogel" in shown
    home = welsh_page(client.get("/account/"))
    assert "Ymlaen. 10 cod adfer ar ôl" in home and "Codau adfer newydd" in home
    codes = welsh_page(client.get("/account/recovery-codes"))
    assert "Gwneud codau adfer newydd" in codes
    empty = welsh_page(client.post("/account/recovery-codes", data={}))
    assert "Rhowch eich cyfrinair presennol" in empty
    wrong = welsh_page(client.post("/account/recovery-codes", data={"current": "not it at all"}))
    assert "Nid yw eich cyfrinair presennol yn gywir" in wrong
    ended = welsh_page(client.post("/account/sessions/end-others", follow_redirects=True))
    assert "Rydych wedi cael eich allgofnodi ym mhobman arall." in ended
    assert misses == set()


def test_the_public_pages_in_welsh(client, misses):
    in_welsh(client)
    home = welsh_page(client.get("/"))
    assert "Gosodwch eich nodau eich hun a gweld eich cynnydd" in home
    assert "Mewngofnodi" in home
    privacy = welsh_page(client.get("/privacy"))
    assert "Sut rydym yn defnyddio eich gwybodaeth" in privacy
    accessibility = welsh_page(client.get("/accessibility"))
    assert "Datganiad hygyrchedd ar gyfer Goal Tracker" in accessibility
    assert "hyd at 400% heb" in accessibility and "24 Tachwedd 2026" in accessibility
    assert misses == set()


def test_the_emails_stay_english_for_an_english_request(client, world):
    client.post("/forgotten-password", data={"email": world.parent.email})
    email = mail.outbox()[-1]
    assert email.subject == "Set a new password for Goal Tracker"
    assert email.body.startswith(f"Hello {world.parent.name},")
    assert "The link works once and expires in 1 hour." in email.body
