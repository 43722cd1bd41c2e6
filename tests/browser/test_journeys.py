"""The journeys of journeys.md, walked in Chromium with the keyboard only, at phone width.

Every page visited is checked with axe-core for serious or critical WCAG 2.2 AA problems.
"""

from datetime import date, timedelta

import pytest

from goaltracker import dashboard, demo
from tests.browser.conftest import DESKTOP
from tests.browser.helpers import (
    check_accessibility,
    choose_radio,
    press_button,
    screenshot,
    tab_to,
    tab_to_link,
    type_into,
    visit,
)

pytestmark = pytest.mark.browser


def sign_in(page, base: str, email: str, password: str = demo.DEMO_PASSWORD) -> None:
    """Sign in through the form, with the keyboard."""
    visit(page, f"{base}/sign-in")
    type_into(page, "#email", email)
    type_into(page, "#password", password)
    press_button(page, "Sign in")


def type_date(page, field: str, day: date) -> None:
    """Type a date into the day, month and year boxes."""
    type_into(page, f"#{field}-day", str(day.day))
    type_into(page, f"#{field}-month", str(day.month))
    type_into(page, f"#{field}-year", str(day.year))


def rate_goals(page, scores: list[tuple[int, int]], rater: str, day: date) -> None:
    """Fill in the rating form for each goal in turn and save."""
    choose_radio(page, "rater", rater)
    type_date(page, "assessed_on", day)
    names = page.eval_on_selector_all(
        "input.app-scale__input[value='1']", "inputs => inputs.map(input => input.name)"
    )
    for (performance, satisfaction), (performance_name, satisfaction_name) in zip(
        scores, zip(names[::2], names[1::2], strict=True), strict=False
    ):
        choose_radio(page, performance_name, str(performance))
        choose_radio(page, satisfaction_name, str(satisfaction))
    press_button(page, "Save ratings")


def test_key_worker_family_and_review_journey(browser, live_server, viewport):
    """Priya adds Amir and invites Sam; Sam sets goals and rates; Priya reviews three months on."""
    base = live_server
    priya = browser.new_context(viewport=viewport, bypass_csp=True)
    page = priya.new_page()
    sign_in(page, base, "priya@demo.example")
    assert page.url.endswith("/practitioner/")
    check_accessibility(page)
    screenshot(page, "01-caseload")

    visit(page, f"{base}/practitioner/children/new")
    press_button(page, "Add child")  # nothing filled in: the errors come back
    assert "There is a problem" in page.content()
    check_accessibility(page)
    screenshot(page, "02-add-child-errors")
    type_into(page, "#first_name", "Amir")
    type_into(page, "#last_name", "Khan")
    type_date(page, "date_of_birth", date.today() - timedelta(days=9 * 365 + 40))
    tab_to(page, "#primary_need")
    page.keyboard.type("Autism")
    choose_radio(page, "ehcp", "yes")
    press_button(page, "Add child")
    assert "Invite Amir" in page.content()
    check_accessibility(page)

    type_into(page, "#name", "Sam Khan")
    type_into(page, "#email", "sam.khan@example.com")
    choose_radio(page, "relationship_to_child", "parent_carer")
    press_button(page, "Send invitation")
    check_accessibility(page)
    screenshot(page, "03-invitation-sent")
    link = page.input_value("#invitation-link")
    child_url = page.url.rsplit("/practitioner/children/", 1)[0]
    child_id = page.url.split("/practitioner/children/")[1].split("/")[0]

    sam = browser.new_context(viewport=viewport, bypass_csp=True)
    family = sam.new_page()
    visit(family, link)
    type_into(family, "#password", "blue kettle morning")
    type_into(family, "#confirm", "blue kettle morning")
    press_button(family, "Create account")
    assert family.url.endswith("/family/")
    check_accessibility(family)

    goals = ["Get dressed for school by myself", "Play with a friend at break", "Sleep all night"]
    first_day = date.today() - timedelta(days=92)
    for index, text in enumerate(goals):
        visit(family, f"{base}/children/{child_id}/goals/new")
        type_into(family, "#text", text)
        choose_radio(family, "occupation_area", ["self_care", "leisure", "self_care"][index])
        choose_radio(family, "importance", str(9 - index))
        type_date(family, "set_on", first_day)
        if index == 0:
            screenshot(family, "04-set-a-goal")
        press_button(family, "Save goal")
    assert all(text in family.content() for text in goals)

    visit(family, f"{base}/children/{child_id}/review")
    screenshot(family, "05-rate-the-goals")
    rate_goals(family, [(2, 3), (3, 2), (4, 4)], "parent_carer", first_day)
    assert "Average score for how well it is going" in family.content()
    check_accessibility(family)

    visit(page, f"{base}/children/{child_id}/review")
    rate_goals(page, [(5, 6), (4, 3), (4, 5)], "parent_carer", date.today())
    content = page.content()
    assert "+3.0: Improved by an important amount" in content
    assert "No important change" in content
    check_accessibility(page)
    screenshot(page, "06-review-result")

    visit(page, f"{base}/children/{child_id}")
    screenshot(page, "07-child-summary")
    first_goal = page.get_attribute("h3.govuk-summary-card__title a", "href")
    visit(page, f"{base}{first_goal}")
    assert "<svg" in page.content()
    screenshot(page, "08-goal-progress")
    visit(page, f"{base}/children/{child_id}/summary")
    page.emulate_media(media="print")
    screenshot(page, "09-printed-summary")
    page.emulate_media(media="screen")
    assert child_url.startswith(base)
    priya.close()
    sam.close()


def test_family_controls_sharing(browser, live_server, viewport):
    """Sam lets Northfield School see Amir's goals, and Jo can; Sam stops it, and Jo cannot."""
    base = live_server
    sam = browser.new_context(viewport=viewport, bypass_csp=True)
    jo = browser.new_context(viewport=DESKTOP, bypass_csp=True)
    family, school = sam.new_page(), jo.new_page()
    sign_in(family, base, "sam@demo.example")
    sign_in(school, base, "jo@demo.example")
    family.goto(f"{base}/family/")
    child_link = family.get_attribute("a:text-matches('All of .* goals')", "href")
    sharing = family.get_attribute("a:text-is('Who can see them')", "href")
    visit(family, f"{base}{sharing}")
    screenshot(family, "10-sharing")
    assert school.goto(f"{base}{child_link}").status == 200  # consented in the demo
    press_button(family, "Stop sharing Northfield School")
    assert "can no longer see" in family.content()
    check_accessibility(family)
    assert school.goto(f"{base}{child_link}").status == 403
    press_button(family, "Allow Northfield School")
    assert school.goto(f"{base}{child_link}").status == 200
    # Everything held about Amir, read on the phone.
    tab_to_link(family, "Read it here")
    with family.expect_navigation():
        family.keyboard.press("Enter")
    check_accessibility(family)
    assert "Everything Goal Tracker holds about Amir" in family.content()
    screenshot(family, "24-everything-held")
    sam.close()
    jo.close()


@pytest.mark.parametrize(
    "email", ["priya@demo.example", "sam@demo.example", "morgan@demo.example", "alex@demo.example"]
)
def test_every_home_page_is_accessible_on_a_phone_and_a_desktop(
    browser, live_server, email, viewport
):
    """Each role's home page and every page it links to: accessible, and no wider than the
    screen, at 320 and at 1280 pixels."""
    context = browser.new_context(viewport=viewport, bypass_csp=True)
    page = context.new_page()
    sign_in(page, live_server, email)
    check_accessibility(page)
    links = page.eval_on_selector_all(
        "header a[href^='/'], main a[href^='/']",
        "links => [...new Set(links.map(link => link.getAttribute('href')))]",
    )
    for link in links[:40]:
        if any(part in link for part in ("/export.", ".pdf", "/download.")):
            continue  # files to download, not pages
        response = page.goto(f"{live_server}{link}")
        if response.headers.get("content-type", "").startswith("text/html"):
            check_accessibility(page)
    context.close()


def test_commissioner_reads_the_dashboard_switches_breakdown_and_exports(
    browser, live_server, viewport
):
    """Morgan reads the outcomes, breaks them down by EHC plan, sees a trend, downloads it."""
    base = live_server
    context = browser.new_context(viewport=viewport, bypass_csp=True, accept_downloads=True)
    page = context.new_page()
    sign_in(page, base, "morgan@demo.example")
    assert page.url.endswith("/manager/")
    check_accessibility(page)
    assert "Is anyone better off?" in page.content()
    screenshot(page, "11-dashboard")
    tab_to(page, "#by")
    page.keyboard.type("EHC")
    press_button(page, "Show the report")
    assert "All goals: EHC plan" in page.content()
    check_accessibility(page)
    screenshot(page, "12-dashboard-by-ehc-plan")
    widths = page.eval_on_selector_all(
        ".app-table-scroll", "regions => regions.map(r => [r.scrollWidth, r.clientWidth])"
    )
    assert len(widths) == len(dashboard.TABLES)
    if viewport == DESKTOP:  # on a phone they scroll inside their own regions
        assert all(scroll <= width for scroll, width in widths), widths
    with page.expect_download() as download:
        page.click("a:text('spreadsheet (.xlsx)')")
    assert download.value.suggested_filename.endswith(".xlsx")
    visit(page, f"{base}/manager/trend/INCLUDED")
    assert "Figures at each quarter end" in page.content()
    screenshot(page, "13-trend-be-included")
    context.close()


def test_administrator_imports_with_a_preview(browser, live_server, viewport, tmp_path):
    """Alex imports a spreadsheet: the preview first, then the import."""
    base = live_server
    csv_file = tmp_path / "last-year.csv"
    csv_file.write_text(
        "child_ref,date_of_birth,primary_need,ehcp,organisation,goal_ref,goal_text,"
        "occupation_area,importance,outcomes,set_on,rater,assessed_on,performance,satisfaction\n"
        "OLD-1,2014-06-01,SLCN,no,Community Paediatrics,OLD-1-1,Order my own lunch,self_care,7,"
        "INDEPENDENT,2025-06-01,parent_carer,2025-06-01,2,3\n"
    )
    context = browser.new_context(viewport=viewport, bypass_csp=True)
    page = context.new_page()
    sign_in(page, base, "alex@demo.example")
    visit(page, f"{base}/admin/import")
    page.set_input_files("#file", str(csv_file))
    press_button(page, "Check the file")
    assert "The file is ready to import" in page.content()
    check_accessibility(page)
    screenshot(page, "14-import-preview")
    press_button(page, "Import the file")
    assert "Import finished" in page.content()
    context.close()


def test_administrator_invites_staff_and_offboards_a_leaver(browser, live_server, viewport):
    """Alex invites Jo to Northfield School, deactivates Ola, and moves Ola's caseload."""
    base = live_server
    alex_context = browser.new_context(viewport=viewport, bypass_csp=True)
    ola_context = browser.new_context(viewport=viewport, bypass_csp=True)
    page, ola = alex_context.new_page(), ola_context.new_page()
    sign_in(ola, base, "ola@demo.example")
    assert ola.url.endswith("/practitioner/")
    sign_in(page, base, "alex@demo.example")

    visit(page, f"{base}/admin/staff/")
    screenshot(page, "15-staff")
    press_button(page, "Invite a member of staff")
    check_accessibility(page)
    type_into(page, "#name", "Jo Okafor")
    type_into(page, "#email", "jo.okafor@northfield.example")
    choose_radio(page, "role", "practitioner")
    tab_to(page, "#organisation_id")
    page.keyboard.type("Northfield")
    press_button(page, "Send invitation")
    assert "Invitation sent" in page.content()
    assert page.input_value("#invitation-link").startswith(base + "/invitation/")
    check_accessibility(page)

    visit(page, f"{base}/admin/staff/")
    (manage,) = page.eval_on_selector_all(
        "a",
        "links => links.filter(link => link.textContent.trim() === 'Manage Ola (demo)')"
        ".map(link => link.getAttribute('href'))",
    )
    visit(page, f"{base}{manage}")
    press_button(page, "Deactivate account")
    check_accessibility(page)
    type_into(page, "#reason", "Left the Sunrise Youth Project on 30 November")
    press_button(page, "Deactivate account")
    assert "/caseload" in page.url
    check_accessibility(page)
    screenshot(page, "16-move-caseload")
    # Ola's session ended at once.
    ola.goto(f"{base}/practitioner/")
    assert "/sign-in" in ola.url
    tab_to(page, "#key_worker_id")
    page.keyboard.type("Sky")
    press_button(page, "Move the children")
    assert "moved to Sky" in page.content()
    assert "Key worker for no children" in page.content()
    check_accessibility(page)
    alex_context.close()
    ola_context.close()


def test_the_time_out_warning_is_a_keyboard_friendly_dialog(browser, live_server, viewport):
    """Two minutes before the session would end, a dialog offers to stay signed in."""
    context = browser.new_context(viewport=viewport, bypass_csp=True)
    page = context.new_page()
    page.clock.install()
    sign_in(page, live_server, "sam@demo.example")
    page.clock.fast_forward("28:05")
    dialog = page.locator("#timeout-warning")
    dialog.wait_for(state="visible")
    assert page.evaluate("document.activeElement.innerText.trim()") == "Stay signed in"
    check_accessibility(page)
    screenshot(page, "17-time-out-warning")
    page.keyboard.press("Enter")
    dialog.wait_for(state="hidden")
    assert page.url.endswith("/family/")
    context.close()


def phone_page(browser, viewport):
    """Open a new page at the run's width in a context of its own (its own cookies)."""
    context = browser.new_context(viewport=viewport, bypass_csp=True)
    return context, context.new_page()


def accept_invitation(browser, viewport, link: str, password: str):
    """Open an invitation link on a phone, choose a password and land signed in."""
    context, page = phone_page(browser, viewport)
    visit(page, link)
    type_into(page, "#password", password)
    type_into(page, "#confirm", password)
    press_button(page, "Create account")
    assert page.url.endswith("/family/")
    check_accessibility(page)
    return context, page


def test_a_second_parent_joins_and_rates_from_his_week(browser, live_server, viewport):
    """Sam adds Dev to Amir's record; Dev signs in with his own account and rates the goals."""
    base = live_server
    sam_context, sam = phone_page(browser, viewport)
    sign_in(sam, base, "sam@demo.example")
    sharing = sam.get_attribute("a:text-is('Who can see them')", "href")
    visit(sam, f"{base}{sharing}")
    tab_to_link(sam, "Invite someone else in the family")
    with sam.expect_navigation():
        sam.keyboard.press("Enter")
    check_accessibility(sam)
    type_into(sam, "#name", "Dev Rahman")
    type_into(sam, "#email", "dev.rahman@example.com")
    choose_radio(sam, "relationship_to_child", "parent_carer")
    press_button(sam, "Send invitation")
    check_accessibility(sam)
    link = sam.input_value("#invitation-link")

    dev_context, dev = accept_invitation(browser, viewport, link, "green bicycle tuesday")
    child_link = dev.get_attribute("a:text-matches('All of .* goals')", "href")
    child_id = child_link.rstrip("/").split("/")[-1]
    visit(dev, f"{base}/children/{child_id}/review")
    rate_goals(dev, [(6, 7), (5, 5), (4, 6)], "parent_carer", date.today())
    assert "Average score for how well it is going" in dev.content()
    check_accessibility(dev)
    screenshot(dev, "18-second-parent-rates")

    # Sam sees who has access and who rated.
    visit(sam, f"{base}{sharing}")
    assert "Dev Rahman (parent or carer), since" in sam.content()
    visit(sam, f"{base}{child_link}")
    assert "Dev Rahman" in sam.content()
    sam_context.close()
    dev_context.close()


def test_a_young_person_takes_over_her_record_at_16(browser, live_server, viewport):
    """Maya turns 16: Priya invites her; she takes over, keeps her mum, and stops a service."""
    base = live_server
    priya_context, priya = phone_page(browser, viewport)
    sign_in(priya, base, "priya@demo.example")
    assert "Could take over their record" in priya.content()
    maya_link = priya.get_attribute("a:text-matches('^Maya')", "href")
    visit(priya, f"{base}{maya_link}")
    tab_to_link(priya, "Invite Maya to take over their record")
    with priya.expect_navigation():
        priya.keyboard.press("Enter")
    check_accessibility(priya)
    assert priya.is_checked("input[name=relationship_to_child][value=young_person]")
    type_into(priya, "#name", "Maya Byrne")
    type_into(priya, "#email", "maya.byrne@example.com")
    press_button(priya, "Send invitation")
    link = priya.input_value("#invitation-link")

    maya_context, maya = accept_invitation(browser, viewport, link, "purple lantern harbour")
    assert "you can take over your own record" in maya.content()
    tab_to_link(maya, "Decide who sees your goals")
    with maya.expect_navigation():
        maya.keyboard.press("Enter")
    check_accessibility(maya)
    screenshot(maya, "19-take-over")
    press_button(maya, "Take over my record")  # nothing answered: the question comes back
    assert "There is a problem" in maya.content()
    check_accessibility(maya)
    (question,) = maya.eval_on_selector_all(
        "input[type=radio][value=yes]", "inputs => inputs.map(input => input.name)"
    )
    choose_radio(maya, question, "yes")
    press_button(maya, "Take over my record")
    assert "Your record is now yours" in maya.content()
    assert "/sharing" in maya.url
    check_accessibility(maya)
    press_button(maya, "Stop sharing Sunrise Youth Project")
    assert "can no longer see" in maya.content()

    # Her mum keeps access, but sharing is no longer hers to change.
    claire_context, claire = phone_page(browser, viewport)
    sign_in(claire, base, "claire@demo.example")
    assert "Maya" in claire.content()
    assert claire.goto(f"{base}{maya.url.split(base, 1)[1]}").status == 403
    visit(priya, f"{base}{maya_link}")
    assert "took over their own record on" in priya.content()
    for context in (priya_context, maya_context, claire_context):
        context.close()


def test_an_administrator_erases_a_record_on_a_verified_request(browser, live_server, viewport):
    """Alex finds Leo's record by reference and erases it; Leo's dad no longer sees it."""
    base = live_server
    alex_context, alex = phone_page(browser, viewport)
    sign_in(alex, base, "alex@demo.example")
    visit(alex, f"{base}/admin/children")
    type_into(alex, "#reference", "DEMO-006")
    press_button(alex, "Find")
    assert "1 child in" in alex.content()
    check_accessibility(alex)
    tab_to_link(alex, "Erase")
    with alex.expect_navigation():
        alex.keyboard.press("Enter")
    check_accessibility(alex)
    type_into(alex, "#reason", "Request from Leo's father by email, identity checked by phone")
    type_into(alex, "#reference", "DEMO-005")  # the wrong reference: nothing is erased
    press_button(alex, "Erase the record")
    assert "The reference does not match this child" in alex.content()
    check_accessibility(alex)
    type_into(alex, "#reference", "DEMO-006")
    press_button(alex, "Erase the record")
    assert "The record DEMO-006 has been erased" in alex.content()
    check_accessibility(alex)
    screenshot(alex, "20-erased")

    dan_context, dan = phone_page(browser, viewport)
    sign_in(dan, base, "dan@demo.example")
    assert "Leo" not in dan.content()
    check_accessibility(dan)
    alex_context.close()
    dan_context.close()


def test_a_child_rates_his_own_goals_one_at_a_time(browser, live_server, viewport):
    """Amir, 9, rates his own goals on his mum's phone: one goal a screen, then then-and-now."""
    base = live_server
    context, page = phone_page(browser, viewport)
    sign_in(page, base, "sam@demo.example")
    press_button(page, "Amir rates their own goals")
    check_accessibility(page)
    assert "Rate your goals" in page.content()
    screenshot(page, "21-child-rating-start")
    press_button(page, "Start")
    step = 0
    while "/my-rating/" in page.url and not page.url.endswith("/save"):
        step += 1
        check_accessibility(page)
        if step == 1:
            screenshot(page, "22-child-rating-goal")
            # Pressing Next without answering says what is missing, and keeps the page.
            press_button(page, "Next")
            assert "Choose a number for how well you do it now" in page.content()
            check_accessibility(page)
        choose_radio(page, "performance", str(4 + step))
        choose_radio(page, "satisfaction", str(5 + step))
        press_button(page, "Finish" if "Finish" in page.content() else "Next")
    assert step >= 2
    check_accessibility(page)
    assert "Save your ratings" in page.content()
    press_button(page, "Save my ratings")
    assert "/my-rating/done/" in page.url
    check_accessibility(page)
    content = page.content()
    assert "Your ratings are saved" in content and "Then and now" in content
    assert "Now: 5 out of 10." in content
    screenshot(page, "23-child-rating-then-and-now")
    context.close()


def tick(page, name: str, value: str) -> None:
    """Tab to a checkbox by its value and tick it with the space bar."""
    tab_to(page, f'input[type=checkbox][name="{name}"][value="{value}"]')
    page.keyboard.press("Space")


def test_key_worker_sets_goals_with_a_family_step_by_step(browser, live_server, viewport):
    """Priya, with Claire and Maya: everyday activities, their words, importance, the ones that
    matter most, outcomes, check, save."""
    base = live_server
    context, page = phone_page(browser, viewport)
    sign_in(page, base, "priya@demo.example")
    visit(page, f"{base}/practitioner/?search=Maya")
    child_link = page.get_attribute("table a:text-matches('^Maya')", "href")
    visit(page, f"{base}{child_link}")
    press_button(page, "Set goals")
    check_accessibility(page)
    screenshot(page, "25-set-goals-task-list")
    tab_to_link(page, "Write the goals")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    ideas = [
        ("getting_around", "Take the bus to college on my own", "9"),
        ("socialising", "Go to the youth club with a friend", "7"),
        ("jobs_at_home", "Make my own lunch", "5"),
    ]
    for index, (sub_area, text, importance) in enumerate(ideas):
        choose_radio(page, "sub_area", sub_area)
        type_into(page, "#text", text)
        choose_radio(page, "importance", importance)
        if index == 0:
            screenshot(page, "26-write-a-goal")
        press_button(page, "Add this goal")
        check_accessibility(page)
    assert "Written so far (3)" in page.content()
    tab_to_link(page, "Done: choose the ones that matter most")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    check_accessibility(page)
    values = page.eval_on_selector_all("input[name=chosen]", "boxes => boxes.map(box => box.value)")
    tick(page, "chosen", values[0])
    tick(page, "chosen", values[1])
    press_button(page, "Save and continue")
    check_accessibility(page)
    assert "Link the goals to the area" in page.content()
    first = page.get_attribute("input[type=checkbox]", "name")
    tick(page, first, page.get_attribute(f'input[name="{first}"]', "value"))
    press_button(page, "Save and continue")
    check_accessibility(page)
    assert "Check the goals before saving them" in page.content()
    screenshot(page, "27-check-the-goals")
    press_button(page, "Save these goals")
    content = page.content()
    assert "2 goals saved" in content
    assert "Take the bus to college on my own" in content and "Make my own lunch" not in content
    check_accessibility(page)
    context.close()


def test_an_administrator_sets_up_the_area_searches_the_audit_and_publishes_outcomes(
    browser, live_server, viewport
):
    """Alex changes the review interval, adds an organisation, finds who saw a record, and
    publishes the outcomes page, which a parent then reads without signing in."""
    base = live_server
    context, alex = phone_page(browser, viewport)
    sign_in(alex, base, "alex@demo.example")
    visit(alex, f"{base}/admin/settings")
    type_into(alex, "#review_interval_days", "90")
    press_button(alex, "Save settings")
    check_accessibility(alex)
    assert "90" in alex.content()
    visit(alex, f"{base}/admin/organisations/new")
    type_into(alex, "#name", "Riverside Sixth Form")
    choose_radio(alex, "type", "education")
    press_button(alex, "Add organisation")
    check_accessibility(alex)
    assert "Riverside Sixth Form" in alex.content()
    visit(alex, f"{base}/admin/audit")
    type_into(alex, "#child_reference", "DEMO-001")
    press_button(alex, "Search")
    check_accessibility(alex)
    assert "DEMO-001" in alex.content() and " event" in alex.content()
    visit(alex, f"{base}/admin/public-page")
    tab_to_link(alex, "Check what the page shows")
    with alex.expect_navigation():
        alex.keyboard.press("Enter")
    check_accessibility(alex)
    visit(alex, f"{base}/admin/public-page")
    choose_radio(alex, "publish", "yes")
    press_button(alex, "Save")
    check_accessibility(alex)
    parent_context, parent = phone_page(browser, viewport)
    visit(parent, f"{base}/areas/{demo.AREA_CODE}/outcomes")
    assert "Is anyone better off?" in parent.content()
    screenshot(parent, "28-public-outcomes")
    parent_context.close()
    context.close()


def test_a_parent_adds_a_note_and_a_commissioner_breaks_down_by_agency(
    browser, live_server, viewport
):
    """Sam adds news between meetings; Morgan looks at the outcomes by agency."""
    base = live_server
    context, sam = phone_page(browser, viewport)
    sign_in(sam, base, "sam@demo.example")
    child_link = sam.get_attribute("a:text-matches('All of .* goals')", "href")
    visit(sam, f"{base}{child_link}/notes")
    type_into(sam, "#body", "Managed buttons on Tuesday!")
    press_button(sam, "Add note")
    check_accessibility(sam)
    assert "Managed buttons on Tuesday!" in sam.content()
    morgan_context = browser.new_context(viewport=viewport, bypass_csp=True)
    morgan = morgan_context.new_page()
    sign_in(morgan, base, "morgan@demo.example")
    tab_to(morgan, "#by")
    morgan.keyboard.type("Organisation")
    press_button(morgan, "Show the report")
    check_accessibility(morgan)
    assert "All goals: Community Paediatrics" in morgan.content()
    morgan_context.close()
    context.close()
