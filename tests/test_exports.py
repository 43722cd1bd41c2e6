"""Every file the service gives out, with hostile names in it: CSV cells never run as formulas,
spreadsheets open, and file names never break the response's headers."""

import csv
import io
import json
from datetime import date

import pytest
from openpyxl import load_workbook

from goaltracker import text
from goaltracker.extensions import db
from tests import factories

HOSTILE = 'Acme, =HYPERLINK("http://evil.example","x")\r\n=1+1 "quoted"\x0b\x1f'
QUERY = {"as_at": ["31", "3", "2026"]}


@pytest.fixture
def hostile_area(world):
    """An area whose organisation, outcome and child carry hostile text, with enough children."""
    organisation = factories.make_organisation(world.area, HOSTILE, "other")
    worker = factories.make_user("practitioner", world.area, organisation)
    world.outcome.title = "=cmd|' /C calc'!A0\x0b"
    for number in range(8):
        child = factories.make_child(worker, first_name=f"C{number}")
        goal = factories.make_goal(child, set_on=date(2025, 9, 1), outcomes=[world.outcome])
        factories.make_rating(goal, date(2025, 9, 1), 2, 2)
        factories.make_rating(goal, date(2026, 1, 10), 5, 5)
    world.child.reference = 'A"B\r\nC;\x0bfilename=evil.exe'
    db.session.commit()
    return world


def text_cells_are_safe(cells) -> None:
    """No cell starts like a formula or holds a control character."""
    for cell in cells:
        if isinstance(cell, str) and cell and not _is_number_or_mark(cell):
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
            assert text.control_characters(cell) == [], cell


def _is_number_or_mark(cell: str) -> bool:
    """Return whether a cell is one of the numbers or marks the service writes itself."""
    try:
        float(cell)
    except ValueError:
        return cell in ("[c]", "")
    return True


@pytest.mark.parametrize("query", [QUERY, {**QUERY, "by": "organisation"}])
def test_the_csv_quotes_every_cell_and_never_holds_a_formula(client, auth, hostile_area, query):
    auth.sign_in(hostile_area.manager)
    organisation_id = next(o.id for o in hostile_area.area.organisations if o.name == HOSTILE)
    response = client.get(
        "/manager/export.csv", query_string={**query, "organisation": organisation_id}
    )
    body = response.get_data(as_text=True).removeprefix("\ufeff")
    lines = list(csv.reader(io.StringIO(body)))
    for line in lines:
        text_cells_are_safe(line)
    # The filter's line is two cells, however many commas and new lines the name has.
    info = [line for line in lines if line and line[0] == "Filter: organisation"]
    assert len(info) == 1 and len(info[0]) == 2
    # Every non-empty line is quoted cell by cell.
    assert all(
        raw.startswith('"') for raw in body.split("\n") if raw and not raw.startswith((" ", "="))
    )


def test_the_spreadsheet_opens_and_holds_no_formula_or_control_character(
    client, auth, hostile_area
):
    auth.sign_in(hostile_area.manager)
    for query in (QUERY, {**QUERY, "by": "organisation"}):
        response = client.get("/manager/export.xlsx", query_string=query)
        workbook = load_workbook(io.BytesIO(response.data))
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f"
                    if isinstance(cell.value, str):
                        assert len(cell.value) <= 32767  # the most a spreadsheet cell holds
                        text_cells_are_safe([cell.value])


def file_name(response) -> str:
    """Return the file name a response's Content-Disposition header gives."""
    header = response.headers["Content-Disposition"]
    assert "\r" not in header and "\n" not in header
    assert header.startswith('attachment; filename="') and header.endswith('"')
    return header.removeprefix('attachment; filename="').removesuffix('"')


def test_every_download_has_a_safe_name_and_is_not_cached(client, auth, hostile_area):
    child = hostile_area.child
    downloads = []
    auth.sign_in(hostile_area.parent)
    downloads += [
        client.get(f"/family/children/{child.id}/download.{kind}") for kind in ("json", "html")
    ]
    auth.sign_out()
    auth.sign_in(hostile_area.key_worker)
    downloads.append(client.get(f"/children/{child.id}/summary.pdf"))
    auth.sign_out()
    auth.sign_in(hostile_area.manager)
    downloads += [
        client.get(f"/manager/export.{kind}", query_string=QUERY)
        for kind in ("csv", "xlsx", "json")
    ]
    for response in downloads:
        assert response.status_code == 200
        name = file_name(response)
        assert all(character.isalnum() or character in "-_." for character in name), name
        assert '"' not in name and ";" not in name
        assert response.headers["Cache-Control"] == "no-store"


def test_the_family_download_is_readable_json_with_the_hostile_reference_intact(
    client, auth, hostile_area
):
    auth.sign_in(hostile_area.parent)
    data = json.loads(client.get(f"/family/children/{hostile_area.child.id}/download.json").data)
    assert data["child"]["reference"] == hostile_area.child.reference
    assert "record_key" not in json.dumps(data)


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("goals", 'A"B\r\nC', "2026-03-31"), "goals-A-B-C-2026-03-31.pdf"),
        (("goals", "../../etc/passwd"), "goals-etc-passwd.pdf"),
        (("", "\x00"), "download.pdf"),
        (("Ünïcödé ref",), "Unicode-ref.pdf"),
    ],
)
def test_file_names_keep_only_plain_letters_digits_and_dashes(parts, expected):
    assert text.filename(*parts, extension="pdf") == expected


def test_the_fast_search_for_control_characters_finds_exactly_unicodes_own():
    """text._CONTROL finds a character exactly when unicodedata calls it a control character
    that is not a tab or a new line, over every character below U+3000."""
    import unicodedata

    from goaltracker import text

    for code in range(0x3000):
        character = chr(code)
        expected = unicodedata.category(character) == "Cc" and character not in "\t\r\n"
        assert bool(text.control_characters(f"a{character}b")) is expected, hex(code)
