"""The area's public outcomes page: off by default, the dashboard's protection, nothing finer."""

import csv
import io
import json
from datetime import date

import pytest
from sqlalchemy import select

from goaltracker.extensions import db
from goaltracker.manager.forms import last_quarter_end
from goaltracker.models import AuditEvent
from goaltracker.reports import formats, outcome_reports
from tests import factories

ADDRESSES = ("", ".csv", ".json", ".csv-metadata.json")


@pytest.fixture
def published(world, client, auth):
    """The world's area with twelve rated children, published by its administrator."""
    factories.make_rated_children(world, 12, date(2026, 1, 10), lambda number: (3 + number % 6, 4))
    auth.sign_in(world.admin)
    response = client.post("/admin/public-page", data={"publish": "yes"})
    assert response.status_code == 302
    auth.sign_out()
    return world


@pytest.mark.parametrize("suffix", ADDRESSES)
def test_an_area_that_does_not_publish_has_no_public_page(client, world, suffix):
    assert client.get(f"/areas/TEST/outcomes{suffix}").status_code == 404
    assert client.get(f"/areas/NOWHERE/outcomes{suffix}").status_code == 404


def test_publishing_is_audited_and_the_page_needs_no_sign_in(client, published):
    page = client.get("/areas/TEST/outcomes")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for text in ("How much did we do?", "How well did we do it?", "Is anyone better off?"):
        assert text in html
    assert "Be healthy" in html and "What the figures mean" in html
    assert "Rated 0" not in html and "Amir" not in html
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "public_outcomes_changed")
    )
    assert event.detail == {"before": False, "after": True}
    assert event.user_id == published.admin.id


def test_the_public_figures_are_the_dashboards_protected_figures(client, published):
    data = json.loads(client.get("/areas/TEST/outcomes.json").data)
    as_at = last_quarter_end(date.today())
    expected = outcome_reports.outcomes_report(db.session, published.area, as_at)
    assert data["as_at"] == as_at.isoformat()
    assert data["rows"] == formats.report_to_json_dict(expected)["rows"]
    # The trend has each outcome at each of the last eight quarter ends.
    quarters = outcome_reports.quarter_ends(date(2020, 1, 1), date.today())
    last_eight = {day.isoformat() for day in [d for d in quarters if d < date.today()][-8:]}
    assert {point["as_at"] for point in data["trend"]} == last_eight
    assert {point["outcome"] for point in data["trend"]} == {"ALL", "HEALTHY"}


def test_the_public_page_accepts_no_filters_or_breakdowns(client, published):
    plain = client.get("/areas/TEST/outcomes.json").data
    asked = client.get(
        "/areas/TEST/outcomes.json", query_string={"by": "age_band", "ehcp": "yes", "as_at": "x"}
    ).data
    assert asked == plain
    assert all(row["group"] is None for row in json.loads(plain)["rows"])


def test_the_csv_is_described_by_its_csv_on_the_web_metadata(client, published):
    response = client.get("/areas/TEST/outcomes.csv")
    assert 'rel="describedby"' in response.headers["Link"]
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    metadata = json.loads(client.get("/areas/TEST/outcomes.csv-metadata.json").data)
    assert metadata["@context"] == "http://www.w3.org/ns/csvw"
    assert metadata["url"].endswith("/areas/TEST/outcomes.csv")
    columns = metadata["tableSchema"]["columns"]
    assert [column["name"] for column in columns] == lines[0]
    for line in lines[1:]:
        for value, column in zip(line, columns, strict=True):
            nulls = column.get("null", [])
            if value in (nulls if isinstance(nulls, list) else [nulls]):
                continue
            if column["datatype"] == "integer":
                int(value)
            elif column["datatype"] == "decimal":
                float(value)


def test_an_administrator_previews_the_page_before_publishing(client, auth, world):
    auth.sign_in(world.admin)
    page = client.get("/admin/public-page/preview").get_data(as_text=True)
    assert "Preview" in page and "not published" in page
    assert client.get("/areas/TEST/outcomes").status_code == 404


def test_stopping_publication_takes_the_page_down(client, auth, published):
    auth.sign_in(published.admin)
    client.post("/admin/public-page", data={"publish": "no"})
    auth.sign_out()
    assert client.get("/areas/TEST/outcomes").status_code == 404
    actions = db.session.scalars(
        select(AuditEvent.detail).where(AuditEvent.action == "public_outcomes_changed")
    ).all()
    assert actions[-1] == {"before": True, "after": False}
