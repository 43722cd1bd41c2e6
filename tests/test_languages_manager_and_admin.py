"""The manager's outcomes dashboard and trend, the area administrator's pages and the public
outcomes page in Welsh: every word through the catalogue, the area's and families' own words as
they were typed, and the files and the API still in English."""

import io
from datetime import date

import openpyxl
import pytest

from goaltracker.api import tokens
from goaltracker.extensions import db
from goaltracker.models import ApiToken
from goaltracker.reports import formats
from tests import factories
from tests.languages import in_welsh, welsh_page
from tests.test_import_page import GOOD, upload

AS_AT = {"as_at": ["31", "3", "2026"]}


def test_the_note_explains_the_mark_the_files_use():
    assert formats.SUPPRESSION_NOTE.startswith(formats.SUPPRESSED_MARK + " means")


@pytest.fixture
def rated_area(world):
    """Eight rated children with goals linked to the area's outcome."""
    factories.make_rated_children(world, 8, date(2025, 12, 1), lambda number: (5, 3))
    return world


def test_the_dashboard_and_the_trend_in_welsh_miss_no_translation(client, auth, rated_area, misses):
    auth.sign_in(rated_area.manager)
    in_welsh(client)
    plain = welsh_page(client.get("/manager/", query_string=AS_AT))
    filtered = welsh_page(
        client.get(
            "/manager/",
            query_string={
                **AS_AT,
                "by": "age_band",
                "organisation": str(rated_area.health.id),
                "age_band": "5-10",
                "primary_need": "ASD",
                "ehcp": "yes",
                "rater": "parent_carer",
            },
        )
    )
    by_ehcp = welsh_page(client.get("/manager/", query_string={**AS_AT, "by": "ehcp"}))
    by_need = welsh_page(client.get("/manager/", query_string={**AS_AT, "by": "primary_need"}))
    refused = welsh_page(
        client.get("/manager/", query_string={"as_at": ["1", "1", "2999"], "by": "x"})
    )
    trend = welsh_page(client.get("/manager/trend/HEALTHY"))
    monthly = welsh_page(client.get("/manager/trend/HEALTHY?every=month"))
    assert misses == set()
    assert "Canlyniadau ar gyfer Test Borough" in plain and "Faint wnaethon ni?" in plain
    assert "A oes unrhyw un yn well ei fyd?" in plain and "Pob nod" in plain
    assert "Be healthy" in plain  # the area's own title, as it wrote it
    assert "Beth mae’r ffigurau hyn yn ei olygu" in plain and "Mae [c] yn golygu" in plain
    assert "Lawrlwytho hyn yn union" in plain and "Dyddiad yr adroddiad" in plain
    assert "Hidlydd: band oedran" in filtered and "5 i 10 oed" in filtered
    assert "Dadansoddiad" in filtered and "Band oedran" in filtered
    assert "Pob nod: Cynllun EHC" in by_ehcp
    assert "Awtistiaeth" in by_need or "Prif angen" in by_need
    assert "Mae problem" in refused and "Rhaid i ddyddiad yr adroddiad fod heddiw" in refused
    assert "A oes unrhyw un yn well ei fyd?" not in refused
    assert "Tuedd: Be healthy" in trend and "Ffigurau ar ddiwedd pob chwarter" in trend
    assert "diwedd pob un o’r 8 chwarter ariannol diwethaf" in trend
    assert "Ffigurau ar ddiwedd pob mis" in monthly and "Diwedd y mis" in monthly


def test_the_downloads_keep_english_column_names_in_welsh(client, auth, rated_area):
    auth.sign_in(rated_area.manager)
    in_welsh(client)
    query = {**AS_AT, "organisation": str(rated_area.health.id), "by": "ehcp"}
    body = client.get("/manager/export.csv", query_string=query).get_data(as_text=True)
    assert "Filter: organisation" in body and "Breakdown" in body and "Hidlydd" not in body
    assert "EHC plan or not" in body
    assert "31 March 2026" in body and "Mawrth" not in body  # the date in English too
    sheet = client.get("/manager/export.xlsx", query_string=query).get_data()
    workbook = openpyxl.load_workbook(io.BytesIO(sheet))
    cells = [str(cell) for ws in workbook for row in ws.iter_rows(values_only=True) for cell in row]
    assert "Breakdown" in cells and not any("Hidlydd" in cell or "Mawrth" in cell for cell in cells)


def test_the_administrators_pages_in_welsh_miss_no_translation(client, auth, world, misses):
    world.outcome.description = "Bod yn iach ac yn hapus"
    db.session.commit()
    auth.sign_in(world.admin)
    in_welsh(client)
    child = world.child
    pages = {
        "home": client.get("/admin/"),
        "outcomes": client.get("/admin/outcomes"),
        "new outcome": client.get("/admin/outcomes/new"),
        "bad outcome": client.post("/admin/outcomes/new", data={"code": "not a code", "title": ""}),
        "taken outcome": client.post(
            "/admin/outcomes/new", data={"code": "HEALTHY", "title": "Again"}
        ),
        "edit outcome": client.get(f"/admin/outcomes/{world.outcome.id}/edit"),
        "bad edit": client.post(f"/admin/outcomes/{world.outcome.id}/edit", data={"title": ""}),
        "new organisation": client.get("/admin/organisations/new"),
        "bad organisation": client.post("/admin/organisations/new", data={}),
        "taken organisation": client.post(
            "/admin/organisations/new", data={"name": world.school.name, "type": "education"}
        ),
        "settings": client.get("/admin/settings"),
        "bad settings": client.post(
            "/admin/settings",
            data={"review_interval_days": "many", "suppression_threshold": "2"},
        ),
        "retention": client.get("/admin/retention"),
        "children": client.get(f"/admin/children?area={world.area.id}"),
        "children found": client.get(
            f"/admin/children?area={world.area.id}&reference=CHILD&key_worker={world.key_worker.id}"
        ),
        "no key worker": client.get(f"/admin/children?area={world.area.id}&key_worker=none"),
        "key worker": client.get(f"/admin/children/{child.id}/key-worker"),
        "bad key worker": client.post(f"/admin/children/{child.id}/key-worker", data={}),
        "audit": client.get("/admin/audit"),
        "bad audit": client.get("/admin/audit", query_string={"since": ["40", "2", "2026"]}),
        "erase": client.get(f"/admin/children/{child.id}/erase"),
        "bad erase": client.post(f"/admin/children/{child.id}/erase", data={}),
        "wrong reference": client.post(
            f"/admin/children/{child.id}/erase",
            data={"reference": "NOT-IT", "reason": "Asked by email"},
        ),
        "public page": client.get("/admin/public-page"),
        "bad public page": client.post("/admin/public-page", data={}),
        "preview": client.get("/admin/public-page/preview"),
        "import": client.get("/admin/import"),
        "no file": client.post("/admin/import", data={}),
        "bad file": upload(client, GOOD.replace("2025-12-01,5,6", "2025-12-01,5,11")),
        "empty file": upload(client, ""),
        "api keys": client.get("/admin/api-keys"),
        "bad api key": client.post("/admin/api-keys", data={"days": "999"}),
    }
    html = {name: welsh_page(response) for name, response in pages.items()}
    assert misses == set()
    assert "Gosod yr ardal" in html["home"] and "Canlyniadau strategol" in html["home"]
    assert "84 diwrnod" in html["home"] and "Allweddi API" in html["home"]
    assert "Bod yn iach ac yn hapus" in html["outcomes"]  # the area's words as typed
    assert "Be healthy" in html["outcomes"] and "Symud i lawr" in html["outcomes"]
    assert "Ychwanegu canlyniad" in html["new outcome"]
    assert "Mae problem" in html["bad outcome"] and "Rhowch deitl" in html["bad outcome"]
    assert "Defnyddiwch 1 i 32 o briflythrennau" in html["bad outcome"]
    assert "Mae gan ardal TEST ganlyniad gyda’r cod HEALTHY yn barod" in html["taken outcome"]
    assert "Cod: <strong>HEALTHY</strong>" in html["edit outcome"]
    assert "Rhowch deitl" in html["bad edit"]
    assert "Dewiswch y math o sefydliad" in html["bad organisation"]
    assert "Mae gan yr ardal sefydliad gyda’r enw hwn yn barod" in html["taken organisation"]
    assert "Gosodiadau ar gyfer Test Borough" in html["settings"]
    assert "Rhaid i’r trothwy fod yn rhif cyfan o 5 i 50" in html["bad settings"]
    assert "Cofnodion i’w gwneud yn ddienw" in html["retention"]
    assert "Plant a gweithwyr allweddol" in html["children"] and child.reference in html["children"]
    assert "a chyfeirnod yn dechrau CHILD" in html["children found"]
    assert "heb weithiwr allweddol" in html["no key worker"]
    assert "Newid y gweithiwr allweddol" in html["key worker"]
    assert "Dewiswch y gweithiwr allweddol newydd" in html["bad key worker"]
    assert "Trywydd archwilio" in html["audit"] and "Unrhyw beth" in html["audit"]
    assert "Rhowch ddyddiad go iawn" in html["bad audit"]
    assert "Dileu’r cofnod hwn" in html["erase"]
    assert "Teipiwch gyfeirnod y plentyn" in html["bad erase"]
    assert "Disgrifiwch y cais a wiriwyd" in html["bad erase"]
    assert "Nid yw’r cyfeirnod yn cyfateb i’r plentyn hwn" in html["wrong reference"]
    assert "Tudalen canlyniadau gyhoeddus" in html["public page"]
    assert "Dewiswch a ddylid cyhoeddi’r dudalen" in html["bad public page"]
    assert "Rhagolwg: dyma beth mae’r dudalen gyhoeddus yn ei ddangos" in html["preview"]
    assert "Mewnforio nodau a sgoriau i Test Borough" in html["import"]
    assert "Dewiswch ffeil CSV" in html["no file"]
    assert "Ni ellir mewnforio’r ffeil: ni fewnforiwyd dim" in html["bad file"]
    assert "Llinell 3: Rhaid i satisfaction fod yn rhif cyfan o 1 i 10, nid" in html["bad file"]
    assert "Mae’r ffeil yn wag." in html["empty file"]
    assert "Rhoi allwedd" in html["api keys"] and "Dim allweddi eto." in html["api keys"]
    assert "Dywedwch ar gyfer beth mae’r allwedd" in html["bad api key"]
    assert "Mae allwedd yn para o 1 i 366 diwrnod" in html["bad api key"]


def test_the_administrators_changes_in_welsh_miss_no_translation(client, auth, world, misses):
    auth.sign_in(world.admin)
    in_welsh(client)
    added = client.post(
        "/admin/outcomes/new",
        data={"code": "SAFE", "title": "Stay safe", "description": ""},
        follow_redirects=True,
    )
    organisation = client.post(
        "/admin/organisations/new",
        data={"name": "Elm Tree Nursery", "type": "education"},
        follow_redirects=True,
    )
    settings = client.post(
        "/admin/settings",
        data={
            "review_interval_days": "56",
            "suppression_threshold": "5",
            "max_active_goals": "5",
            "important_change": "2",
            "retention_basis": "age_25",
            "retention_years": "6",
        },
        follow_redirects=True,
    )
    published = client.post("/admin/public-page", data={"publish": "yes"}, follow_redirects=True)
    checked = upload(client, GOOD)
    imported = client.post("/admin/import/confirm", follow_redirects=True)
    issued = client.post(
        "/admin/api-keys",
        data={"name": "Power BI board pack", "scopes": [tokens.REPORTS_READ], "days": "90"},
    )
    token = db.session.query(ApiToken).one()
    revoked = client.post(f"/admin/api-keys/{token.id}/revoke", follow_redirects=True)
    erased = client.post(
        f"/admin/children/{world.child.id}/erase",
        data={"reference": world.child.reference, "reason": "Asked by email"},
        follow_redirects=True,
    )
    html = [
        welsh_page(response)
        for response in (added, organisation, settings, published, checked, imported, issued)
    ]
    html += [welsh_page(revoked), welsh_page(erased)]
    assert misses == set()
    added, organisation, settings, published, checked, imported, issued, revoked, erased = html
    assert "Wedi ychwanegu canlyniad SAFE." in added and "Stay safe" in added
    assert "Wedi ychwanegu Elm Tree Nursery." in organisation
    assert "Wedi cadw’r gosodiadau." in settings
    assert "Mae’r dudalen canlyniadau gyhoeddus wedi’i chyhoeddi." in published
    assert "Mae’r ffeil yn barod i’w mewnforio" in checked
    assert "Plant: 1 i’w creu, 0 i’w diweddaru." in checked
    assert "Mae’r mewnforio wedi gorffen" in imported
    assert "Plant: 1 wedi’u creu, 0 wedi’u diweddaru." in imported
    assert "Allwedd wedi’i rhoi" in issued and "ar gyfer Power BI board pack" in issued
    assert "Nid yw’r allwedd “Power BI board pack” yn gweithio mwyach." in revoked
    assert "Wedi’i dirymu" in revoked
    assert "wedi’i ddileu" in erased


def test_the_public_outcomes_page_in_welsh_misses_no_translation(client, auth, world, misses):
    factories.make_rated_children(world, 12, date(2026, 1, 10), lambda number: (3 + number % 6, 4))
    auth.sign_in(world.admin)
    assert client.post("/admin/public-page", data={"publish": "yes"}).status_code == 302
    auth.sign_out()
    in_welsh(client)
    html = welsh_page(client.get("/areas/TEST/outcomes"))
    assert misses == set()
    assert "Sut mae plant yn dod ymlaen" in html and "Faint wnaethon ni?" in html
    assert "Beth mae’r ffigurau’n ei olygu" in html and "Lawrlwytho’r ffigurau" in html
    assert "Sut mae hyn wedi newid dros y ddwy flynedd ddiwethaf" in html
    assert "Be healthy" in html  # the area's own title
