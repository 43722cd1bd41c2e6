"""The review meeting summary: a printable page and the same content as a tagged PDF, fit for an
EHC annual review, in every script families write in."""

import io
import shutil
import subprocess
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from goaltracker import review_summary
from goaltracker.extensions import db
from goaltracker.models import Note
from tests import factories


def pdf_text(response) -> str:
    """Return the text of a PDF response, read back from the file."""
    reader = PdfReader(io.BytesIO(response.data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def words(html: str) -> str:
    """Return a page's text with its tags and spacing taken out."""
    import re

    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


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
    assert "A parent or carer 3 / 4 6 / 7" in text
    assert "How well +3.0 (improved by an important amount)" in text
    assert "Community Paediatrics" in text


def test_the_summary_has_what_an_ehc_annual_review_needs(client, auth, world):
    """EHC plan and need, each goal's importance, notes, the next review and a headline."""
    second = factories.make_goal(world.child, text="Ride a bike", set_on=date(2026, 1, 1))
    factories.make_rating(second, date(2026, 1, 10), 5, 5)
    factories.make_rating(second, date(2026, 4, 10), 5, 6)
    factories.make_rating(world.goal, date(2026, 4, 10), 6, 7)
    db.session.commit()
    auth.sign_in(world.parent)
    client.post(f"/children/{world.child.id}/notes", data={"body": "Managed buttons on Tuesday!"})
    page = words(client.get(f"/children/{world.child.id}/summary").get_data(as_text=True))
    text = pdf_text(client.get(f"/children/{world.child.id}/summary.pdf"))
    due = date(2026, 4, 10) + timedelta(days=world.area.review_interval_days)
    for phrase in (
        "1 of 2 goals improved",
        "EHC plan since",
        "Primary need Autism since",
        f"How much it matters: {world.goal.importance} out of 10",
        "Managed buttons on Tuesday!",
        f"{due.day} {due:%B %Y}",
        "Reviews",
    ):
        assert phrase in page, phrase
        assert phrase in text, phrase


def test_the_pdf_is_tagged_for_screen_readers_and_fits_two_pages(client, auth, world):
    for number in range(4):
        goal = factories.make_goal(world.child, text=f"Goal number {number} " + "words " * 20)
        factories.make_rating(goal, date(2026, 2, 1), 3, 3)
        factories.make_rating(goal, date(2026, 5, 1), 6, 6)
    for number in range(15):
        db.session.add(Note(child_id=world.child.id, body=f"Note {number} " + "news " * 15))
    db.session.commit()
    auth.sign_in(world.key_worker)
    reader = PdfReader(io.BytesIO(client.get(f"/children/{world.child.id}/summary.pdf").data))
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog  # tagged
    assert catalog["/MarkInfo"]["/Marked"]
    assert str(catalog["/Lang"]).startswith("en")
    assert len(reader.pages) <= 2
    assert f"{15 - review_summary.NOTES_SHOWN} older notes are on the child" in " ".join(
        page.extract_text() for page in reader.pages
    )


SCRIPTS = {
    "Chinese": "每天自己穿衣服",
    "Gurmukhi": "ਸਕੂਲ ਲਈ ਤਿਆਰ ਹੋਣਾ",
    "Arabic": "أن أرتدي ملابسي بنفسي",
    "Urdu": "خود کپڑے پہننا",
    "Polish": "Zapinać guziki samodzielnie, żółw",
    "Emoji": "Ride my bike 🚲",
}


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) missing")
def test_every_script_families_write_in_prints(client, auth, world, tmp_path):
    """Each script, and a name with a letter outside Latin-1, comes back out of the PDF."""
    world.child.first_name = "Zoë Łucja"
    for text in SCRIPTS.values():
        factories.make_goal(world.child, text=text)
    db.session.commit()
    auth.sign_in(world.key_worker)
    response = client.get(f"/children/{world.child.id}/summary.pdf")
    path = tmp_path / "summary.pdf"
    path.write_bytes(response.data)
    extracted = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    flat = "".join(extracted.split())
    assert "ZoëŁucja" in flat
    for script, text in SCRIPTS.items():
        if script in ("Arabic", "Urdu"):
            # Right-to-left text may come back in visual order: every letter must be there.
            assert set(text.replace(" ", "")) <= set(flat), script
        else:
            assert "".join(text.split()) in flat, script
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    if (
        shutil.which("fc-list")
        and "Noto" in subprocess.run(["fc-list"], capture_output=True, text=True).stdout
    ):
        # With the Noto fonts installed (make installs them), each script has its own font.
        assert "CJK" in fonts and "Gurmukhi" in fonts and "Arabic" in fonts


def test_pdf_shows_no_more_than_the_page(client, auth, world):
    auth.sign_in(world.parent)
    client.post(f"/children/{world.child.id}/notes", data={"body": "A family note"})
    page = words(client.get(f"/children/{world.child.id}/summary").get_data(as_text=True))
    text = pdf_text(client.get(f"/children/{world.child.id}/summary.pdf"))
    for phrase in ("Get dressed for school by myself", "Community Paediatrics", "A family note"):
        assert phrase in page and phrase in text
    # The secret record key that protects managers' figures is never part of a summary.
    assert "record_key" not in review_summary.Summary.__dataclass_fields__


def test_summary_page_has_a_print_stylesheet_and_pdf_link(client, auth, world):
    auth.sign_in(world.parent)
    page = client.get(f"/children/{world.child.id}/summary").get_data(as_text=True)
    assert "app-no-print" in page
    assert f"/children/{world.child.id}/summary.pdf" in page


def test_without_pango_the_pdf_link_says_to_print_the_page(client, auth, world, monkeypatch):
    def no_pango(summary):
        raise review_summary.PdfUnavailable("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(review_summary, "to_pdf", no_pango)
    auth.sign_in(world.key_worker)
    response = client.get(f"/children/{world.child.id}/summary.pdf")
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "Print this page instead" in page and "Get dressed for school by myself" in page
