"""The key worker's pages (caseload, adding a child, inviting a family, reminders, asking
consent) and the staff administration pages, in Welsh, with no missing translation."""

from datetime import date, timedelta

from goaltracker import reminders
from goaltracker.extensions import db
from goaltracker.mail import outbox
from tests import factories
from tests.languages import in_welsh, welsh_page


def child_rated_days_ago(world, days: int, name: str, first: int = 3, latest: int = 4):
    """A child of the key worker whose latest rating is `days` before today."""
    today = date.today()
    child = factories.make_child(world.key_worker, first_name=name)
    goal = factories.make_goal(
        child, text="Mynd i’r parc", set_on=today - timedelta(days=days + 100)
    )
    factories.make_rating(goal, today - timedelta(days=days + 50), first, first)
    factories.make_rating(goal, today - timedelta(days=days), latest, latest)
    return child


def test_the_caseload_in_welsh_misses_no_translation(client, auth, world, misses):
    child_rated_days_ago(world, 200, "Olu")
    child_rated_days_ago(world, 77, "Ola")
    child_rated_days_ago(world, 10, "Gethin", first=8, latest=2)
    for number in range(22):
        factories.make_child(world.key_worker, first_name=f"Plentyn{number}")
    db.session.commit()
    auth.sign_in(world.key_worker)
    in_welsh(client)
    home = welsh_page(client.get("/practitioner/"))
    assert "Llwyth achosion" in home and "Angen eich sylw" in home
    assert "Mae adolygiadau 2 blentyn yn hwyr" in home  # Amir (rated in January) and Olu
    assert "Mae 1 adolygiad i’w gynnal yn ystod y pythefnos nesaf" in home
    due = welsh_page(client.get("/practitioner/?show=needs_review&search=ol"))
    assert "Adolygiad yn hwyr" in due and "Adolygiad yn fuan" in due and "Ola" in due
    assert "i’w gynnal erbyn" in due and "Sgoriwyd ddiwethaf" in due
    assert "2 blentyn yn cyfateb i “ol”" in due
    assert "Nodiadau atgoffa drwy e-bost" in home and "Dewiswch ie neu na" not in home
    assert "Mae gan 1 plentyn nod a waethygodd" in home and "Wedi gwaethygu" in home
    assert "Olu" in home and "Amir" in home  # names stay as they are
    second = welsh_page(client.get("/practitioner/?page=2&sort=name"))
    assert "27 o blant" in second and "Blaenorol" in second and "Tudalen 2" in second
    found = welsh_page(client.get("/practitioner/?search=ol&show=overdue&sort=name"))
    assert "1 plentyn yn cyfateb i “ol”" in found and "Clirio’r chwiliad" in found
    assert "Olu" in found and "Ola" not in found
    assert "trefnu yn ôl hwn" in found and "(wedi’i drefnu)" in found
    none = welsh_page(client.get("/practitioner/?search=zzz&show=worse"))
    assert "Does dim plant i’w dangos gyda’r hidlydd hwn" in none and "“zzz”" in none
    refused = welsh_page(client.post("/practitioner/reminders", data={}, follow_redirects=True))
    assert "Llwyth achosion" in refused
    saved = welsh_page(
        client.post(
            "/practitioner/reminders", data={"email_reminders": "yes"}, follow_redirects=True
        )
    )
    assert "Mae nodiadau atgoffa drwy e-bost ymlaen." in saved
    assert misses == set()


def test_adding_a_child_and_inviting_the_family_in_welsh_miss_no_translation(
    client, auth, world, misses
):
    auth.sign_in(world.key_worker)
    in_welsh(client)
    form = welsh_page(client.get("/practitioner/children/new"))
    assert "Ychwanegu plentyn neu berson ifanc" in form and "Dewiswch y prif angen" in form
    assert "Awtistiaeth" in form and "Oes gan y plentyn gynllun addysg" in form
    empty = welsh_page(client.post("/practitioner/children/new", data={}))
    assert "Mae problem" in empty and "Rhowch enw cyntaf y plentyn" in empty
    assert "Rhowch ddyddiad geni’r plentyn" in empty and "Dewiswch brif angen y plentyn" in empty
    assert "Dywedwch a oes gan y plentyn gynllun EHC" in empty
    future = date.today() + timedelta(days=30)
    wrong = welsh_page(
        client.post(
            "/practitioner/children/new",
            data={
                "first_name": "Siôn",
                "date_of_birth": [str(future.day), str(future.month), str(future.year)],
                "primary_need": "ASD",
                "ehcp": "no",
                "reference": world.child.reference,
            },
        )
    )
    assert "Rhaid i’r dyddiad geni fod heddiw neu yn y gorffennol" in wrong and "Siôn" in wrong
    added = client.post(
        "/practitioner/children/new",
        data={
            "first_name": "Siôn",
            "date_of_birth": ["3", "4", "2015"],
            "primary_need": "ASD",
            "ehcp": "no",
            "reference": world.child.reference,
        },
    )
    assert "Mae gan blentyn arall y cyfeirnod hwn" in welsh_page(added)
    added = client.post(
        "/practitioner/children/new",
        data={
            "first_name": "Siôn",
            "date_of_birth": ["3", "4", "2015"],
            "primary_need": "ASD",
            "ehcp": "no",
        },
    )
    invite_url = added.headers["Location"]
    invite = welsh_page(client.get(invite_url))
    assert "Mae Siôn wedi’i ychwanegu at eich llwyth achosion." in invite
    assert "Gwahodd teulu Siôn" in invite and "Pwy ydyn nhw?" in invite
    empty = welsh_page(client.post(invite_url, data={}))
    assert "Rhowch eu henw" in empty and "Rhowch eu cyfeiriad e-bost" in empty
    bad = welsh_page(
        client.post(
            invite_url,
            data={"name": "Nain", "email": "not an email", "relationship_to_child": "parent_carer"},
        )
    )
    assert "Rhowch gyfeiriad e-bost yn y fformat cywir" in bad
    sent = client.post(
        invite_url,
        data={"name": "Nain", "email": "nain@example.com", "relationship_to_child": "parent_carer"},
        follow_redirects=True,
    )
    done = welsh_page(sent)
    assert "Gwahoddiad wedi’i anfon" in done and "at nain@example.com" in done
    assert "Mynd i gofnod Siôn" in done
    assert misses == set()


def test_asking_the_family_in_welsh_misses_no_translation(client, auth, world, misses):
    auth.sign_in(world.key_worker)
    in_welsh(client)
    url = f"/practitioner/children/{world.child.id}/ask-consent"
    refused = welsh_page(client.post(url, data={}, follow_redirects=True))
    assert "Dewiswch sefydliad i ofyn amdano." in refused
    asked = welsh_page(
        client.post(url, data={"organisation_id": str(world.school.id)}, follow_redirects=True)
    )
    assert "Gofynnwyd i’r teulu." in asked
    assert misses == set()


def test_review_reminders_follow_the_language_of_the_request_and_are_english_otherwise(app, world):
    child_rated_days_ago(world, 200, "Olu")
    world.key_worker.email_reminders = True
    db.session.commit()
    # Each request has its own app context, where the language is kept.
    with app.app_context(), app.test_request_context(headers={"Cookie": "language=cy"}):
        assert reminders.send_review_reminders(date.today()) == (1, 0)
    assert outbox()[-1].subject == "Goal Tracker: mae angen i chi roi sylw i adolygiadau"
    assert "Mewngofnodwch i’w gweld:" in outbox()[-1].body
    with app.app_context():  # as the scheduled command sends them: no request, in English
        assert reminders.send_review_reminders(date.today()) == (1, 0)
    assert outbox()[-1].subject == "Goal Tracker: reviews need your attention"
    assert "Sign in to see them:" in outbox()[-1].body


def test_the_staff_pages_in_welsh_miss_no_translation(client, auth, world, misses):
    auth.sign_in(world.admin)
    in_welsh(client)
    index = welsh_page(client.get("/admin/staff/"))
    assert "Staff Test Borough" in index and "Gwahodd aelod o staff" in index
    assert "Ymarferydd" in index and "Rheolwr" in index and "Gweinyddwr" in index
    assert "Erioed" in index and "Community Paediatrics" in index
    invite_url = f"/admin/staff/invite?area={world.area.id}"
    form = welsh_page(client.get(invite_url))
    assert "Cyfeiriad e-bost gwaith" in form and "Dim sefydliad" in form
    empty = welsh_page(client.post(invite_url, data={}))
    assert "Rhowch eu cyfeiriad e-bost gwaith" in empty and "Dewiswch rôl" in empty
    no_organisation = welsh_page(
        client.post(
            invite_url,
            data={"name": "Jo", "email": "new@example.com", "role": "practitioner"},
        )
    )
    assert "Dewiswch sefydliad yr ymarferydd" in no_organisation
    taken = welsh_page(
        client.post(invite_url, data={"name": "Jo", "email": world.parent.email, "role": "manager"})
    )
    assert "yn bodoli eisoes" in taken
    sent = welsh_page(
        client.post(
            invite_url,
            data={"name": "Jo Bloggs", "email": "jo.bloggs@example.com", "role": "manager"},
            follow_redirects=True,
        )
    )
    assert "Gwahoddiad wedi’i anfon" in sent and "Yn ôl at y staff" in sent

    show_url = f"/admin/staff/{world.key_worker.id}"
    show = welsh_page(client.get(show_url))
    assert "Rôl a sefydliad" in show and "Gweithiwr allweddol i 2 blentyn." in show
    assert "Dadactifadu’r cyfrif" in show and "Gweithredol" in show
    kept = welsh_page(client.post(f"{show_url}/role", data={"role": "manager"}))
    assert "Rhowch weithwyr allweddol newydd iddynt yn gyntaf" in kept
    unchosen = welsh_page(client.post(f"{show_url}/role", data={}))
    assert "Dewiswch rôl" in unchosen
    no_factor = welsh_page(client.post(f"{show_url}/reset-two-factor", follow_redirects=True))
    assert "Does gan y cyfrif hwn ddim ail ffactor i’w ailosod" in no_factor

    deactivate = welsh_page(client.get(f"{show_url}/deactivate"))
    assert "Dadactifadu cyfrif" in deactivate and "gweithiwr allweddol i 2 blentyn" in deactivate
    blank = welsh_page(client.post(f"{show_url}/deactivate", data={"reason": " "}))
    assert "Dywedwch pam mae’r cyfrif yn cael ei ddadactifadu" in blank
    reassign = welsh_page(client.get(f"{show_url}/caseload"))
    assert "Symud llwyth achosion" in reassign and "Bydd gan y 2 blentyn hyn" in reassign
    refused = welsh_page(client.post(f"{show_url}/caseload", data={}))
    assert "Dewiswch y gweithiwr allweddol newydd" in refused
    done = client.post(
        f"{show_url}/deactivate", data={"reason": "Wedi gadael"}, follow_redirects=True
    )
    assert "wedi’i ddadactifadu ac wedi’i allgofnodi ym mhobman" in welsh_page(done)
    moved = welsh_page(
        client.post(
            f"{show_url}/caseload",
            data={"key_worker_id": str(world.colleague.id)},
            follow_redirects=True,
        )
    )
    assert "Symudwyd 2 blentyn at" in moved and "Wedi gadael" in moved  # the reason as typed
    again = welsh_page(client.post(f"{show_url}/reactivate", follow_redirects=True))
    assert "yn gallu mewngofnodi eto" in again
    assert misses == set()
