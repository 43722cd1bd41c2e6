"""Administrators' pages: the area's settings, organisations, outcomes and people."""

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select

from goaltracker import policy
from goaltracker.extensions import db
from goaltracker.models import Area, User

blueprint = Blueprint("admin", __name__, url_prefix="/admin")


@blueprint.route("/")
@policy.role_required("admin")
def home():
    """Show the areas the administrator looks after, with their settings and people."""
    query = select(Area).order_by(Area.name)
    if current_user.area_id is not None:
        query = query.where(Area.id == current_user.area_id)
    areas = db.session.scalars(query).all()
    staff = db.session.scalars(
        select(User)
        .where(User.area_id.in_([area.id for area in areas]), User.role != "family")
        .order_by(User.role, User.name)
    ).all()
    return render_template("admin/home.html", areas=areas, staff=staff)
