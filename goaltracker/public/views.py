"""Public outcomes pages: the last completed quarter's protected report, its trend and data.

An area chooses to publish; until then every address here answers 404. The figures come from
`outcome_reports.outcomes_report`, the same protection as the dashboard, and nothing finer: no
filters, no breakdowns, only the last completed quarter ends.
"""

import json
from datetime import date

from flask import Blueprint, abort, make_response, render_template, url_for
from sqlalchemy import select

from goaltracker import dashboard, downloads
from goaltracker.extensions import db, limiter
from goaltracker.manager.forms import last_quarter_end
from goaltracker.models import Area
from goaltracker.reports import columns, formats, outcome_reports

blueprint = Blueprint("public", __name__, url_prefix="/areas")

PUBLIC_LIMIT = "120 per minute"
TREND_QUARTERS = 8


def published_area(code: str) -> Area:
    """Return the area when it publishes its outcomes; 404 otherwise (its existence included)."""
    area = db.session.scalar(select(Area).where(Area.code == code))
    if area is None or not area.public_outcomes:
        abort(404)
    return area


def public_report(area: Area) -> outcome_reports.Report:
    """Return the protected report as at the last completed quarter end."""
    return outcome_reports.outcomes_report(db.session, area, last_quarter_end(date.today()))


def public_trend(area: Area) -> dict[str, list[tuple[date, outcome_reports.Row]]]:
    """Return each outcome's (and ALL's) total row at each of the last quarter ends."""
    quarters = dashboard.default_quarters(date.today(), TREND_QUARTERS)
    trends: dict[str, list] = {}
    for report in outcome_reports.reports_at(db.session, area, quarters):
        for row in report.rows:
            trends.setdefault(row.outcome, []).append((report.as_at, row))
    return trends


@blueprint.route("/<area_code>/outcomes")
@limiter.limit(PUBLIC_LIMIT)
def outcomes(area_code: str):
    """Show, per strategic outcome, how much was done, how well, and whether anyone is better
    off."""
    return render_public_page(published_area(area_code))


def render_public_page(area: Area, *, preview: bool = False):
    """Render the public page of an area (also as the administrator's preview)."""
    report = public_report(area)
    trends = public_trend(area)
    return render_template(
        "public/outcomes.html",
        area=area,
        report=report,
        titles=dashboard.outcome_titles(area),
        descriptions={outcome.code: outcome.description for outcome in area.outcomes},
        questions=[(q, dashboard.columns_for(q)) for q in dashboard.QUESTIONS],
        columns=columns.COLUMNS,
        trend_columns=[
            columns.BY_NAME[name] for name in ("goals", "reassessed", "improved_performance_pct")
        ],
        trends=trends,
        charts={
            outcome: dashboard.trend_chart(points, "improved_performance_pct")
            for outcome, points in trends.items()
        },
        cell=dashboard.cell,
        note=formats.SUPPRESSION_NOTE,
        preview=preview,
    )


@blueprint.route("/<area_code>/outcomes.csv")
@limiter.limit(PUBLIC_LIMIT)
def outcomes_csv(area_code: str):
    """The public report as CSV, described by its CSV on the Web metadata."""
    area = published_area(area_code)
    report = public_report(area)
    response = downloads.download(
        formats.report_to_csv(report), "text/csv", "outcomes", area.code, extension="csv"
    )
    metadata = url_for("public.outcomes_metadata", area_code=area.code, _external=True)
    response.headers["Link"] = f'<{metadata}>; rel="describedby"; type="application/csvm+json"'
    return response


@blueprint.route("/<area_code>/outcomes.json")
@limiter.limit(PUBLIC_LIMIT)
def outcomes_json(area_code: str):
    """The public report and each outcome's quarterly trend as JSON."""
    area = published_area(area_code)
    data = formats.report_to_json_dict(public_report(area))
    data["trend"] = [
        {"as_at": quarter.isoformat(), **formats.row_to_json_dict(row, exact=False)}
        for points in public_trend(area).values()
        for quarter, row in points
    ]
    return downloads.download(
        json.dumps(data, indent=2), "application/json", "outcomes", area.code, extension="json"
    )


@blueprint.route("/<area_code>/outcomes.csv-metadata.json")
@limiter.limit(PUBLIC_LIMIT)
def outcomes_metadata(area_code: str):
    """Describe the CSV's columns in the W3C's CSV on the Web vocabulary."""
    area = published_area(area_code)
    metadata = formats.csvw_metadata(
        url_for("public.outcomes_csv", area_code=area.code, _external=True),
        title=f"Outcomes for {area.name}",
        publisher=area.name,
    )
    response = make_response(json.dumps(metadata, indent=2))
    response.mimetype = "application/csvm+json"
    return response
