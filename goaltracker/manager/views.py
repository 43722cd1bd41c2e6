"""Managers' pages: the outcomes dashboard, trends and exports, only ever as aggregates."""

from datetime import date

from flask import Blueprint, abort, render_template, request
from sqlalchemy import select

from goaltracker import audit, dashboard, downloads, policy
from goaltracker.extensions import db
from goaltracker.forms import whole_number_argument
from goaltracker.manager.forms import DashboardForm
from goaltracker.models import Area, Organisation
from goaltracker.reports import columns, formats, outcome_reports

blueprint = Blueprint("manager", __name__, url_prefix="/manager")


def report_from_request(area: Area) -> tuple[DashboardForm, outcome_reports.Report | None]:
    """Read the dashboard's choices from the query string and compute the protected report."""
    organisations = db.session.scalars(
        select(Organisation).where(Organisation.area_id == area.id).order_by(Organisation.name)
    ).all()
    form = DashboardForm(request.args, organisations=organisations)
    if not form.validate():
        return form, None
    report = outcome_reports.outcomes_report(
        db.session, area, form.report_date(), by=form.breakdown(), filters=form.filters()
    )
    # The date boxes show the date the report is for, the default included.
    form.as_at.data, form.as_at.raw_data = report.as_at, None
    return form, report


def audit_report(action: str, area: Area, report: outcome_reports.Report, **detail) -> None:
    """Record who saw or downloaded which report: the area, date, filters and breakdown."""
    audit.record_now(
        action,
        area_id=area.id,
        detail={
            "as_at": report.as_at.isoformat(),
            "by": report.by,
            "filters": report.filters.applied(),
            **detail,
        },
    )


@blueprint.route("/")
@policy.role_required(*policy.REPORT_READERS)
def home():
    """Show the outcomes dashboard: how much, how well, and is anyone better off."""
    area = policy.report_area_or_abort(whole_number_argument("area"))
    form, report = report_from_request(area)
    if report is not None:
        audit_report("report_viewed", area, report)
    return render_template(
        "manager/home.html",
        area=area,
        form=form,
        report=report,
        titles=dashboard.outcome_titles(area),
        questions=[(question, dashboard.columns_for(question)) for question in dashboard.QUESTIONS],
        tables=dashboard.TABLES,
        cell=dashboard.cell,
        group_label=dashboard.group_label,
        described=dashboard.describe_filters(area, report) if report else [],
        note=formats.SUPPRESSION_NOTE,
        query=request.query_string.decode(),
    )


@blueprint.route("/trend/<code>")
@policy.role_required(*policy.REPORT_READERS)
def trend(code: str):
    """Show one outcome's figures at the end of each of the last 8 quarters (or 24 months)."""
    area = policy.report_area_or_abort(whole_number_argument("area"))
    titles = dashboard.outcome_titles(area)
    every = request.args.get("every", "quarter")
    if code not in titles or every not in dashboard.TREND_PERIODS:
        abort(404)
    choose_days, point_words, period_words = dashboard.TREND_PERIODS[every]
    days = choose_days(date.today())
    points = outcome_reports.trend(db.session, area, code, days)
    audit.record_now(
        "report_viewed",
        area_id=area.id,
        detail={"trend": code, "every": every, "dates": [day.isoformat() for day in days]},
    )
    totals = [
        (point.as_at, next(row for row in point.rows if row.group is None)) for point in points
    ]
    shown = [
        columns.BY_NAME[name]
        for name in (
            "goals",
            "reassessed",
            "improved_performance_pct",
            "improved_satisfaction_pct",
            "mean_change_performance",
            "mean_change_satisfaction",
        )
    ]
    return render_template(
        "manager/trend.html",
        area=area,
        code=code,
        title=titles[code],
        totals=totals,
        columns=shown,
        cell=dashboard.cell,
        chart=dashboard.trend_chart(totals, "improved_performance_pct"),
        note=formats.SUPPRESSION_NOTE,
        every=every,
        point_words=point_words,
        period_words=period_words,
    )


@blueprint.route("/export.<any(csv, xlsx, json):kind>")
@policy.role_required(*policy.REPORT_READERS)
def export(kind: str):
    """Download exactly what the dashboard shows, with its date, filters and threshold."""
    area = policy.report_area_or_abort(whole_number_argument("area"))
    form, report = report_from_request(area)
    if report is None:
        abort(400)
    audit_report("report_exported", area, report, format=kind)
    if kind == "csv":
        body, mimetype = dashboard.export_csv(area, report), "text/csv"
    elif kind == "json":
        body, mimetype = formats.report_to_json(report), "application/json"
    else:
        body = dashboard.export_xlsx(area, report)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return downloads.download(
        body, mimetype, "outcomes", area.code, report.as_at.isoformat(), extension=kind
    )
