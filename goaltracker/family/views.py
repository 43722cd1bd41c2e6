"""Families' pages: their children and their goals at a glance."""

from flask import Blueprint, render_template
from flask_login import current_user

from goaltracker import policy
from goaltracker.extensions import db

blueprint = Blueprint("family", __name__, url_prefix="/family")


@blueprint.route("/")
@policy.role_required("family")
def home():
    """Show the family member's children and each child's goals."""
    children = db.session.scalars(current_user.children_query()).all()
    return render_template("family/home.html", children=children)
