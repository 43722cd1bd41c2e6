"""The manager dashboard: the three questions, breakdowns, trends and exports, all suppressed."""

import csv
import io
import json
import re
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from goaltracker import dashboard
from goaltracker.extensions import db
from goaltracker.manager.forms import last_quarter_end
from goaltracker.models import AuditEvent
from goaltracker.reports import outcome_reports
from tests import factories


@pytest.fixture
def rated_area(world):
    """Give the world's area eight rated children with goals linked to HEALTHY."""
    factories.make_rated_children(world, 8, date(2025, 12, 1), lambda number: (5, 3))
    return world


def test_dashboard_answers_the_three_questions(client, auth, rated_area):
    auth.sign_in(rated_area.manager)
    page = client.get("/manager/", query_string={"as_at": ["31", "3", "2026"]}).get_data(
        as_text=True
    )
    for heading in ("How much did we do?", "How well did we do it?", "Is anyone better off?"):
        assert heading in page
    assert "Be healthy" in page and "All goals" in page
    assert "What these figures mean" in page
    assert "Amir" not in page and "Rated 0" not in page  # never a child


def test_small_numbers_show_as_c(client, auth, rated_area):
    factories.make_goal(factories.make_child(rated_area.school_practitioner))
    db.session.commit()
    auth.sign_in(rated_area.manager)
    page = client.get(
        "/manager/", query_string={"as_at": ["31", "3", "2026"], "by": "organisation"}
    ).get_data(as_text=True)
    assert "[c]" in page


def test_breakdown_by_ehc_plan_shows_groups(client, auth, rated_area):
    auth.sign_in(rated_area.manager)
    page = client.get(
        "/manager/", query_string={"as_at": ["31", "3", "2026"], "by": "ehcp"}
    ).get_data(as_text=True)
    assert "All goals: EHC plan" in page


def test_bad_choices_come_back_as_errors(client, auth, rated_area):
    auth.sign_in(rated_area.manager)
    response = client.get("/manager/", query_string={"as_at": ["1", "1", "2999"], "by": "x"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="govuk-error-summary"' in html
    assert "Is anyone better off?" not in html


def test_csv_export_matches_the_page_and_says_what_it_shows(client, auth, rated_area):
    auth.sign_in(rated_area.manager)
    query = {"as_at": ["31", "3", "2026"], "ehcp": "yes"}
    response = client.get("/manager/export.csv", query_string=query)
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # so that Excel reads UTF-8
    header, table = text[1:].split("\n\n", 1)
    assert '"Report date","31 March 2026"' in header
    assert '"Filter: ehcp","EHC plan"' in header
    assert '"Rows with fewer children than this are hidden","5"' in header
    rows = list(csv.DictReader(io.StringIO(table)))
    assert rows[0]["outcome"] == "ALL"
    # The world's two goals and the eight rated ones, all EHCP: published within 2 of 10.
    assert abs(int(rows[0]["goals"]) - 10) <= 2


def test_xlsx_export_has_the_table_and_the_choices(client, auth, rated_area):
    auth.sign_in(rated_area.manager)
    response = client.get("/manager/export.xlsx", query_string={"as_at": ["31", "3", "2026"]})
    workbook = load_workbook(io.BytesIO(response.data))
    table = workbook["Outcomes report"]
    assert table["A1"].value.startswith("Outcomes for Test Borough, as at 31 March 2026")
    assert table["A3"].value == "Outcome"
    assert table["A4"].value == "All goals"
    assert table.freeze_panes == "C4"
    assert table.column_dimensions["A"].width >= 30
    about = {row[0]: row[1] for row in workbook["About"].iter_rows(values_only=True) if row}
    assert about["Report date"] == "31 March 2026"


def test_spreadsheet_cells_are_safe_from_formula_injection(client, auth, rated_area):
    rated_area.outcome.title = '=HYPERLINK("http://evil.example","click")'
    db.session.commit()
    auth.sign_in(rated_area.manager)
    response = client.get("/manager/export.xlsx", query_string={"as_at": ["31", "3", "2026"]})
    table = load_workbook(io.BytesIO(response.data))["Outcomes report"]
    titles = [row[0].value for row in table.iter_rows(min_row=4)]
    injected = next(title for title in titles if "HYPERLINK" in title)
    assert injected.startswith("'=")
    assert all(row[0].data_type == "s" for row in table.iter_rows(min_row=4))


def test_json_export_has_the_report_shape(client, auth, rated_area):
    auth.sign_in(rated_area.manager)
    response = client.get("/manager/export.json", query_string={"as_at": ["31", "3", "2026"]})
    data = json.loads(response.data)
    assert data["area"] == "TEST" and data["as_at"] == "2026-03-31"
    assert data["rows"][0]["outcome"] == "ALL"


def test_every_export_is_audited(client, auth, rated_area):
    auth.sign_in(rated_area.manager)
    client.get("/manager/export.csv", query_string={"as_at": ["31", "3", "2026"]})
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "report_exported"))
    assert event.user_id == rated_area.manager.id and event.detail["format"] == "csv"


def test_trend_shows_each_quarter_with_a_chart_and_table(client, auth, rated_area):
    auth.sign_in(rated_area.manager)
    page = client.get("/manager/trend/HEALTHY").get_data(as_text=True)
    assert "Trend: Be healthy" in page
    assert "<svg" in page and "Figures at each quarter end" in page
    assert client.get("/manager/trend/NOPE").status_code == 404
    assert client.get("/manager/trend/HEALTHY?every=year").status_code == 404


def test_a_monthly_trend_shows_the_last_24_month_ends_as_the_dashboard_would(
    client, auth, rated_area
):
    auth.sign_in(rated_area.manager)
    page = client.get("/manager/trend/HEALTHY?every=month").get_data(as_text=True)
    assert "Figures at each month end" in page and "Month end" in page
    months = dashboard.default_months(date.today())
    assert len(months) == 24 and all((day + timedelta(days=1)).day == 1 for day in months)
    assert months[-1] < date.today() <= months[-1] + timedelta(days=31)
    for day in (months[0], months[-1]):
        assert f"{day.day} {day:%B %Y}" in page
    # Each point is the dashboard's protected report as at that month end.
    report = outcome_reports.outcomes_report(db.session, rated_area.area, months[-1])
    goals = report.rows_for("HEALTHY")[0].goals
    assert f">{goals}</td>" in page
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "report_viewed").order_by(AuditEvent.id)
    ).all()[-1]
    assert event.detail["every"] == "month" and len(event.detail["dates"]) == 24


def test_default_report_date_is_the_last_quarter_end():
    assert last_quarter_end(date(2026, 11, 24)) == date(2026, 9, 30)
    assert last_quarter_end(date(2026, 4, 1)) == date(2026, 3, 31)
    assert last_quarter_end(date(2026, 3, 31)) == date(2025, 12, 31)


def test_manager_of_another_area_sees_only_their_own(client, auth, rated_area):
    auth.sign_in(rated_area.other_area_admin)
    page = client.get("/manager/", query_string={"area": rated_area.area.id}).get_data(as_text=True)
    assert "Other Borough" in page and "Test Borough" not in page


def test_every_dashboard_view_is_audited_with_its_choices(client, auth, rated_area):
    auth.sign_in(rated_area.manager)
    client.get(
        "/manager/",
        query_string={"as_at": ["31", "3", "2026"], "by": "age_band", "ehcp": "yes"},
    )
    client.get("/manager/trend/HEALTHY")
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "report_viewed").order_by(AuditEvent.id)
    ).all()
    assert events[0].user_id == rated_area.manager.id
    assert events[0].area_id == rated_area.area.id
    assert events[0].detail == {
        "as_at": "2026-03-31",
        "by": "age_band",
        "filters": {"ehcp": True},
    }
    assert events[1].detail["trend"] == "HEALTHY"


def test_the_dashboard_and_its_exports_show_the_same_protected_figures(client, auth, rated_area):
    auth.sign_in(rated_area.manager)
    query = {"as_at": ["31", "3", "2026"], "by": "ehcp"}
    data = json.loads(client.get("/manager/export.json", query_string=query).data)
    text = client.get("/manager/export.csv", query_string=query).get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.split("\n\n", 1)[1])))
    for json_row, csv_row in zip(data["rows"], rows, strict=True):
        for name, value in json_row.items():
            if name in ("outcome", "group", "suppressed"):
                continue
            shown = (
                "[c]" if name in json_row["suppressed"] else ("" if value is None else str(value))
            )
            assert csv_row[name] == shown, name
    page = client.get("/manager/", query_string=query).get_data(as_text=True)
    assert f">{data['rows'][0]['goals']}<" in page


def test_the_date_boxes_show_the_date_the_report_is_for(client, auth, rated_area):
    auth.sign_in(rated_area.manager)
    page = client.get("/manager/").get_data(as_text=True)
    shown = last_quarter_end(date.today())
    for part, value in zip(
        ("day", "month", "year"), shown.strftime("%d %m %Y").split(), strict=True
    ):
        box = re.search(rf'<input[^>]*id="as_at-{part}"[^>]*>', page).group(0)
        assert f'value="{value}"' in box
    assert f"{shown.day} {shown.strftime('%B')} {shown.year}" in page


def test_each_table_fits_its_columns_and_every_report_column_is_shown_once(
    client, auth, rated_area
):
    """The dashboard's tables together show every column of the report, each question's
    columns under its own heading."""
    from goaltracker import dashboard
    from goaltracker.reports import columns

    shown = {column.name for table in dashboard.TABLES for column, _ in table.columns}
    assert shown == {column.name for column in columns.COLUMNS}
    for table in dashboard.TABLES:
        assert all(column.question == table.question for column, _ in table.columns)
        assert len(table.columns) <= 6
    auth.sign_in(rated_area.manager)
    page = client.get("/manager/", query_string={"as_at": ["31", "3", "2026"]}).get_data(
        as_text=True
    )
    assert page.count('class="app-table-scroll" role="region"') == len(dashboard.TABLES)
    assert "Views reassessed" in page
