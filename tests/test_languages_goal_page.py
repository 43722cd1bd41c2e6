"""A goal's page, its forms, the review summary (page and PDF) and the charts, in Welsh: every
word the service shows has its Welsh, and the family's own words stay as they typed them."""

import io
from datetime import date
from types import SimpleNamespace

from pypdf import PdfReader

from goaltracker import charts, goal_setting
from goaltracker.extensions import db
from tests import factories
from tests.languages import in_welsh, welsh_page


def test_a_goal_with_ratings_over_months_in_welsh_misses_no_translation(
    client, auth, world, misses
):
    factories.make_rating(world.goal, date(2026, 2, 14), 5, 6)
    factories.make_rating(world.goal, date(2026, 4, 10), 7, 8)
    factories.make_rating(world.goal, date(2026, 2, 1), 4, 5, rater="child")
    factories.make_rating(world.goal, date(2026, 7, 1), 6, 9, rater="child")
    db.session.commit()
    auth.sign_in(world.parent)
    in_welsh(client)
    url = f"/children/{world.child.id}/goals/{world.goal.id}"
    html = welsh_page(client.get(url))
    assert html.count('<figure class="app-chart-figure"') == 2
    assert "Barn y plentyn ei hun" in html and "Barn rhiant neu ofalwr" in html
    assert "Mor dda 7" in html and "Mor hapus 8" in html  # the labels at the lines' ends
    assert "Ion 2026" in html and "Gorff 2026" in html  # Welsh months on the time axis
    assert "Pa mor dda: 3 ar 10 Ionawr 2026" in html  # the chart's words for screen readers
    assert "Sgoriau dros amser" in html and "Pob sgôr" in html
    assert "Yn gweithio arno" in html and "8 allan o 10" in html
    assert "Get dressed for school by myself" in html  # the goal in its own words
    assert misses == set()


def test_the_charts_follow_the_pages_language(app):
    ratings = [
        SimpleNamespace(rater="parent_carer", assessed_on=day, performance=p, satisfaction=s)
        for day, p, s in ((date(2026, 2, 1), 2, 3), (date(2026, 7, 1), 10, 10))
    ]
    with app.test_request_context(headers={"Cookie": "language=cy"}):
        (chart,) = charts.progress_charts(ratings)
    assert chart.title == "Barn rhiant neu ofalwr"
    assert [text for _, text, _ in chart.x_ticks] == ["Chwef 2026", "Gorff 2026"]
    assert [line.label for line in chart.lines] == ["Mor dda 10", "Mor hapus 10"]
    assert [line.name for line in chart.lines] == ["Pa mor dda", "Pa mor hapus"]
    # The Welsh end labels are no longer than the English ones, so they fit the same room.
    with app.test_request_context():
        (english,) = charts.progress_charts(ratings)
    for welsh_line, english_line in zip(chart.lines, english.lines, strict=True):
        assert len(welsh_line.label) <= len(english_line.label) + 1


def test_the_goal_forms_with_bad_input_in_welsh_miss_no_translation(client, auth, world, misses):
    auth.sign_in(world.parent)
    in_welsh(client)
    goal_url = f"/children/{world.child.id}/goals/{world.goal.id}"
    status_form = welsh_page(client.get(f"{goal_url}/status"))
    assert "Wedi’i gyflawni, wedi stopio neu’n dal i weithio arno" in status_form
    assert "Wedi’i gyflawni: mae’r plentyn yn gallu ei wneud nawr" in status_form
    refused = welsh_page(
        client.post(
            f"{goal_url}/status",
            data={"status": "", "closed_on": ["1", "1", "2099"], "version": world.goal.version},
        )
    )
    assert 'class="govuk-error-summary"' in refused
    assert "Dewiswch beth sydd wedi digwydd gyda’r nod" in refused
    assert "Rhaid i’r dyddiad fod heddiw neu yn y gorffennol" in refused
    edit_form = welsh_page(client.get(f"{goal_url}/edit"))
    assert "Newid y nod" in edit_form and "Pa mor bwysig yw’r nod hwn i’r teulu?" in edit_form
    empty = welsh_page(
        client.post(
            f"{goal_url}/edit", data={"text": "", "importance": "", "version": world.goal.version}
        )
    )
    assert "Rhowch y nod" in empty and "Dewiswch pa mor bwysig yw’r nod, o 1 i 10" in empty
    too_long = welsh_page(
        client.post(
            f"{goal_url}/edit",
            data={"text": "x" * 501, "importance": "5", "version": world.goal.version},
        )
    )
    assert "Rhaid i’r nod fod yn 500 nod neu lai" in too_long
    note_form = welsh_page(client.get(f"/children/{world.child.id}/notes"))
    assert "Ychwanegu nodyn" in note_form and "Yn ôl at Amir" in note_form
    no_note = welsh_page(client.post(f"/children/{world.child.id}/notes", data={"body": ""}))
    assert "Rhowch y nodyn" in no_note
    # And the changes that go through, with their messages.
    changed = welsh_page(
        client.post(
            f"{goal_url}/edit",
            data={"text": "Gwisgo fy hun", "importance": "9", "version": world.goal.version},
            follow_redirects=True,
        )
    )
    assert "Mae’r nod wedi’i ddiweddaru." in changed and "Geiriad cynharach" in changed
    assert "“Get dressed for school by myself”, newidiwyd" in changed
    db.session.refresh(world.goal)
    closed = welsh_page(
        client.post(
            f"{goal_url}/status",
            data={
                "status": "achieved",
                "closed_on": ["1", "3", "2026"],
                "version": world.goal.version,
            },
            follow_redirects=True,
        )
    )
    assert "Mae’r nod wedi’i nodi fel wedi’i gyflawni." in closed
    assert "Wedi’i gyflawni ar 1 Mawrth 2026" in closed
    noted = welsh_page(
        client.post(
            f"/children/{world.child.id}/notes", data={"body": "Da iawn"}, follow_redirects=True
        )
    )
    assert "Mae’r nodyn wedi’i ychwanegu." in noted and "Da iawn" in noted
    assert misses == set()


def test_linking_goals_to_outcomes_in_welsh_misses_no_translation(client, auth, world, misses):
    child = world.other_child
    auth.sign_in(world.other_parent)
    client.post(
        f"/children/{child.id}/set-goals/write",
        data={"sub_area": "play", "text": "Chwarae gyda ffrindiau", "importance": "8"},
    )
    key = goal_setting.load(child, world.other_parent).ideas[0].key
    client.post(f"/children/{child.id}/set-goals/choose", data={"chosen": [str(key)]})
    in_welsh(client)
    url = f"/children/{child.id}/set-goals/outcomes"
    page = welsh_page(client.get(url))
    assert "Cysylltu’r nodau â chanlyniadau’r ardal" in page
    assert "Chwarae gyda ffrindiau" in page and world.outcome.description in page
    refused = welsh_page(client.post(url, data={f"outcomes_{key}": ["999999"]}))
    assert 'class="govuk-error-summary"' in refused
    assert misses == set()


def test_the_review_summary_and_its_pdf_in_welsh_miss_no_translation(client, auth, world, misses):
    factories.make_rating(world.goal, date(2026, 4, 10), 6, 7)
    factories.make_rating(world.goal, date(2026, 2, 1), 4, 5, rater="child")
    factories.make_goal(world.child, text="Reidio fy meic")
    db.session.commit()
    auth.sign_in(world.parent)
    in_welsh(client)
    client.post(f"/children/{world.child.id}/notes", data={"body": "Wythnos wych"})
    html = welsh_page(client.get(f"/children/{world.child.id}/summary"))
    assert "Nodau a chynnydd: Amir" in html and "Lawrlwytho’r crynodeb hwn fel PDF" in html
    assert "Gwellodd 1 o 1 nod." in html
    assert "Pa mor dda +3.0 (wedi gwella gan swm pwysig)" in html
    assert "Statws: Yn gweithio arno. Pa mor bwysig yw e: 8 allan o 10." in html
    assert "Yn hwyr: roedd i’w gynnal erbyn" in html and "2026." in html
    assert "Reidio fy meic" in html and "Wythnos wych" in html
    response = client.get(f"/children/{world.child.id}/summary.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    assert str(reader.trailer["/Root"]["/Lang"]).startswith("cy")
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Nodau a chynnydd: Amir" in text and "Rhiant neu ofalwr 3 / 4 6 / 7" in text
    assert "Tudalen 1 o 1" in text  # the page numbers, in Welsh
    assert "Reidio fy meic" in text and "Wythnos wych" in text
    assert misses == set()
