"""Setting goals with a family, a child's details, removing a family member and the date boxes,
in Welsh: every page and every refused form, with no message missing from the catalogue and the
family's own words kept as they typed them."""

import re
from datetime import date, timedelta

import flask_babel
import pytest

from goaltracker import goal_setting, goals
from goaltracker.extensions import db
from tests.languages import in_welsh, welsh_page


def text(response) -> str:
    return response.get_data(as_text=True)


def add_idea(client, child, sub_area, words, importance):
    return client.post(
        f"/children/{child.id}/set-goals/write",
        data={"sub_area": sub_area, "text": words, "importance": str(importance)},
    )


def keys_of(child, user) -> dict[str, int]:
    return {idea.text: idea.key for idea in goal_setting.load(child, user).ideas}


def test_a_key_worker_sets_goals_step_by_step_in_welsh(client, auth, world, misses):
    child = world.other_child  # Maya, with one goal so far
    auth.sign_in(world.key_worker)
    in_welsh(client)
    base = f"/children/{child.id}/set-goals"

    tasks = welsh_page(client.get(base))
    assert "Gosod nodau" in tasks and "Ysgrifennu’r nodau" in tasks
    assert "Heb ddechrau eto" in tasks and "Methu dechrau eto" in tasks
    assert "Defnyddiwch y ffurflen un nod" in tasks

    written = welsh_page(client.get(f"{base}/write"))
    assert "Gofalu amdanaf fy hun" in written and "Paratoi yn y bore" in written
    assert "Am ba weithgaredd bob dydd mae e?" in written and "Ychwanegu nod" in written
    refused = welsh_page(client.post(f"{base}/write", data={}))
    assert "Mae problem" in refused
    assert "Dewiswch pa weithgaredd bob dydd mae’r nod yn ymwneud ag ef" in refused
    assert "Rhowch y nod" in refused

    added = add_idea(client, child, "personal_care", "Gwisgo fy hun i’r ysgol", 9)
    assert added.status_code == 302
    add_idea(client, child, "play", "Build a den in the garden", 4)
    add_idea(client, child, "socialising", "Chwarae gêm amser egwyl", 7)
    written = welsh_page(client.get(f"{base}/write"))
    assert "Nod wedi’i ychwanegu: “Chwarae gêm amser egwyl”." in written
    assert "Wedi’u hysgrifennu hyd yma (3)" in written
    assert "Gofal personol. Pwysigrwydd 9 allan o 10." in written
    assert "Build a den in the garden" in written  # the family's words, as typed
    keys = keys_of(child, world.key_worker)
    client.post(f"{base}/ideas/{keys['Chwarae gêm amser egwyl']}/remove", data={})
    assert "Syniad am nod wedi’i dynnu." in welsh_page(client.get(f"{base}/write"))
    assert "3 wedi’u hysgrifennu" not in welsh_page(client.get(base))
    assert "2 wedi’u hysgrifennu hyd yma" in welsh_page(client.get(base))

    chooser = welsh_page(client.get(f"{base}/choose"))
    assert "Pa nodau sydd bwysicaf?" in chooser and "Dewiswch hyd at" in chooser
    assert "Gwisgo fy hun i’r ysgol (pwysigrwydd 9 allan o 10)" in chooser
    none_chosen = welsh_page(client.post(f"{base}/choose", data={}))
    assert "Dewiswch o leiaf un nod i weithio arno" in none_chosen
    not_offered = welsh_page(client.post(f"{base}/choose", data={"chosen": ["99999"]}))
    assert "Dewiswch o’r opsiynau a ddangosir" in not_offered
    world.area.max_active_goals = 2  # one place left
    db.session.commit()
    both = [str(keys["Gwisgo fy hun i’r ysgol"]), str(keys["Build a den in the garden"])]
    too_many = welsh_page(client.post(f"{base}/choose", data={"chosen": both}))
    assert "Dewiswch 1 nod neu lai: dyna faint yn rhagor" in too_many
    world.area.max_active_goals = 5
    db.session.commit()
    chosen = client.post(f"{base}/choose", data={"chosen": both})
    assert chosen.headers["Location"].endswith("/set-goals/outcomes")

    welsh_page(client.get(f"{base}/outcomes"))
    client.post(f"{base}/outcomes", data={f"outcomes_{both[0]}": [str(world.outcome.id)]})
    check = welsh_page(client.get(f"{base}/check"))
    assert "Gwirio’r nodau cyn eu cadw" in check and "Gweithgaredd bob dydd" in check
    assert "Gofal personol (gofalu amdanaf fy hun)" in check and "9 allan o 10" in check
    assert "Newid pa nodau i weithio arnynt" in check and "Cadw’r nodau hyn" in check
    assert "Dim" in check  # the den has no outcome

    # The area's limit changed meanwhile: the rule's message, in Welsh, on the page.
    world.area.max_active_goals = 2
    db.session.commit()
    limited = welsh_page(client.post(f"{base}/check", data={}))
    assert "Mae gan Maya 2 nod i weithio arnynt yn barod, y nifer fwyaf ar un tro." in limited
    world.area.max_active_goals = 5
    db.session.commit()
    saved = client.post(f"{base}/check", data={}, follow_redirects=True)
    assert "2 nod wedi’u cadw ar gyfer Maya." in welsh_page(saved)

    add_idea(client, child, "play", "Reidio beic", 5)
    client.post(f"{base}/discard", data={})
    cleared = welsh_page(client.get(base))
    assert "Mae’r nodau roeddech chi’n eu gosod wedi’u clirio." in cleared
    assert misses == set()


def test_a_parent_sets_goals_and_a_single_goal_in_welsh(client, auth, world, misses):
    child = world.child  # Amir, linked to the parent
    auth.sign_in(world.parent)
    in_welsh(client)
    base = f"/children/{child.id}/set-goals"
    welsh_page(client.get(base))
    add_idea(client, child, "getting_around", "Cerdded i’r siop gyda fy chwaer", 8)
    too_long = welsh_page(add_idea(client, child, "getting_around", "x" * 501, 8))
    assert "Mae problem" in too_long and "500" in too_long
    no_importance = welsh_page(
        client.post(f"{base}/write", data={"sub_area": "play", "text": "Chwarae"})
    )
    assert "Mae problem" in no_importance
    keys = keys_of(child, world.parent)
    chosen = [str(keys["Cerdded i’r siop gyda fy chwaer"])]
    welsh_page(client.get(f"{base}/choose"))
    client.post(f"{base}/choose", data={"chosen": chosen})
    welsh_page(client.get(f"{base}/outcomes"))
    client.post(f"{base}/outcomes", data={})
    check = welsh_page(client.get(f"{base}/check"))
    assert "Cerdded i’r siop gyda fy chwaer" in check and "Mynd o le i le" in check
    saved = client.post(f"{base}/check", data={}, follow_redirects=True)
    assert "1 nod wedi’i gadw ar gyfer Amir." in welsh_page(saved)

    # One goal at a time, with the date boxes.
    new = welsh_page(client.get(f"/children/{child.id}/goals/new"))
    assert "Gosod nod" in new and "Pethau i siarad amdanynt" in new
    assert "Mae gan Amir 2 o 5 nod i weithio arnynt." in new
    assert "Pethau bob dydd i chi’ch hun" in new and "Mynd i’r siopau" in new
    for part, word in (("day", "Diwrnod"), ("month", "Mis"), ("year", "Blwyddyn")):
        assert re.search(rf'for="set_on-{part}">\s*{word}\s*</label>', new), word
    assert "Cadw a gosod nod arall" in new
    bad_date = welsh_page(
        client.post(
            f"/children/{child.id}/goals/new",
            data={
                "text": "Mynd i’r parc",
                "occupation_area": "leisure",
                "importance": "6",
                "set_on": ["31", "2", "2026"],
            },
        )
    )
    assert "Rhowch ddyddiad go iawn, fel 27 3 2026" in bad_date
    assert "Mynd i’r parc" in bad_date  # what was typed stays
    empty = welsh_page(client.post(f"/children/{child.id}/goals/new", data={}))
    assert "Mae problem" in empty and "Rhowch y nod" in empty

    world.area.max_active_goals = 2
    db.session.commit()
    full = welsh_page(client.get(f"/children/{child.id}/goals/new"))
    assert "Mae gan Amir 2 nod i weithio arnynt yn barod" in full and "Mynd i’r nodau" in full
    tasks = welsh_page(client.get(base))
    assert "Mae gan Amir gymaint o nodau i weithio arnynt" in tasks
    assert misses == set()


def test_a_childs_details_with_bad_input_in_welsh(client, auth, world, misses):
    child = world.child
    auth.sign_in(world.key_worker)
    in_welsh(client)
    url = f"/children/{child.id}/details"
    form = welsh_page(client.get(url))
    assert "Newid manylion Amir" in form and "Dros amser" in form and "Prif angen:" in form
    assert "Enw cyntaf" in form and "Dyddiad geni" in form and "Pryd newidiodd?" in form
    assert "Diwrnod" in form and "Blwyddyn" in form and "Cadw’r manylion" in form
    future = date.today() + timedelta(days=3)
    refused = welsh_page(
        client.post(
            url,
            data={
                "first_name": "",
                "reference": "",
                "date_of_birth": ["40", "13", "2016"],
                "primary_need": "ASD",
                "ehcp": "no",
                "change": "changed",
                "changed_on": [str(future.day), str(future.month), str(future.year)],
            },
        )
    )
    assert "Rhowch enw cyntaf y plentyn" in refused and "Rhowch gyfeirnod y plentyn" in refused
    assert "Rhowch ddyddiad go iawn, fel 27 3 2026" in refused
    assert "Rhaid i ddyddiad y newid fod heddiw neu yn y gorffennol" in refused
    taken = welsh_page(
        client.post(
            url,
            data={
                "first_name": "Amir",
                "reference": world.other_child.reference,
                "date_of_birth": ["10", "5", "2016"],
                "primary_need": child.primary_need,
                "ehcp": "yes" if child.ehcp else "no",
            },
        )
    )
    assert "Mae gan blentyn arall y cyfeirnod hwn yn barod" in taken
    assert '<a href="#reference">Mae gan blentyn arall' in taken  # on the field it is about
    assert misses == set()


def test_removing_a_family_members_access_in_welsh(client, auth, world, misses):
    auth.sign_in(world.key_worker)
    in_welsh(client)
    url = f"/children/{world.child.id}/family/{world.parent.id}/remove"
    page = welsh_page(client.get(url))
    assert "Tynnu mynediad" in page and "yw’r unig aelod o’r teulu" in page
    assert "Pam mae eu mynediad yn cael ei dynnu?" in page
    refused = welsh_page(client.post(url, data={"reason": " "}))
    assert "Dywedwch pam mae eu mynediad yn cael ei dynnu" in refused
    assert misses == set()


def test_a_rules_message_follows_the_pages_language(app, world):
    before = world.goal.set_on - timedelta(days=1)
    with app.test_request_context(headers={"Cookie": "language=cy"}):
        with pytest.raises(goals.GoalError) as welsh:
            goals.record_review(
                world.child,
                rater="parent_carer",
                assessed_on=before,
                scores={world.goal.id: (5, 5)},
                recorded_by=world.key_worker,
            )
    assert "Rhaid i’r dyddiad fod ar y diwrnod y gosodwyd y nod" in str(welsh.value)
    assert "5 Ionawr 2026" in str(welsh.value)
    flask_babel.refresh()  # the test's app context kept the language of the request above
    with pytest.raises(goals.GoalError) as english:
        goals.change_status(world.goal, "nonsense", on=None, changed_by=world.key_worker)
    assert str(english.value) == "Choose what happened to the goal"
    assert (
        goals.limit_message(world.child) == "Amir already has 5 goals to work on, the most at one "
        "time. Mark a goal as achieved or stopped before setting a new one."
    )
