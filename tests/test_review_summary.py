"""The review meeting summary: a printable page and the same content as a PDF."""

import io
from datetime import date

from pypdf import PdfReader

from goaltracker.extensions import db
from tests import factories


def pdf_text(response) -> str:
    """Return the text of a PDF response, read back from the file."""
    reader = PdfReader(io.BytesIO(response.data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_pdf_carries_the_goals_scores_and_change(client, auth, world):
    factories.make_rating(world.goal, date(2026, 4, 10), 6, 7)
    db.session.commit()
    auth.sign_in(world.key_worker)
    response = client.get(f"/children/{world.child.id}/summary.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    text = pdf_text(response)
    assert "Goals and progress: Amir" in text
    assert "Get dressed for school by myself" in text
    assert "first 3 / 4, latest 6 / 7" in text
    assert "How well +3.0 (improved by an important amount)" in text
    assert "Community Paediatrics" in text


def test_pdf_shows_no_more_than_the_page(client, auth, world):
    factories.db.session.commit()
    auth.sign_in(world.parent)
    client.post(f"/children/{world.child.id}/notes", data={"body": "Private family note"})
    page = client.get(f"/children/{world.child.id}/summary").get_data(as_text=True)
    text = pdf_text(client.get(f"/children/{world.child.id}/summary.pdf"))
    assert "Private family note" not in page and "Private family note" not in text
    for phrase in ("Get dressed for school by myself", "Community Paediatrics", "Reviews"):
        assert phrase in page and phrase in text


def test_summary_page_has_a_print_stylesheet_and_pdf_link(client, auth, world):
    auth.sign_in(world.parent)
    page = client.get(f"/children/{world.child.id}/summary").get_data(as_text=True)
    assert "app-no-print" in page
    assert f"/children/{world.child.id}/summary.pdf" in page


def test_non_latin_text_does_not_break_the_pdf(client, auth, world):
    world.goal.text = "Say “hello” to Zoë – and ☺"
    db.session.commit()
    auth.sign_in(world.parent)
    response = client.get(f"/children/{world.child.id}/summary.pdf")
    assert response.status_code == 200
    assert "hello" in pdf_text(response)
