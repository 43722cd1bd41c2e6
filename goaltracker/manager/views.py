"""Managers' pages: the area's outcomes, only ever as aggregates."""

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select

from goaltracker import policy
from goaltracker.extensions import db
from goaltracker.models import Area, StrategicOutcome

blueprint = Blueprint("manager", __name__, url_prefix="/manager")


@blueprint.route("/")
@policy.role_required("manager")
def home():
    """Show the manager's area and its strategic outcomes framework."""
    area = db.get_or_404(Area, current_user.area_id)
    outcomes = db.session.scalars(
        select(StrategicOutcome)
        .where(StrategicOutcome.area_id == area.id)
        .order_by(StrategicOutcome.position, StrategicOutcome.code)
    ).all()
    return render_template("manager/home.html", area=area, outcomes=outcomes)
