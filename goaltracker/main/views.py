"""Pages for everyone: the start page, health check and accessibility statement."""

from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from goaltracker import policy
from goaltracker.extensions import db

blueprint = Blueprint("main", __name__)


@blueprint.route("/")
def index():
    """Send signed-in people to their home page; show everyone else the start page."""
    if current_user.is_authenticated:
        return redirect(url_for(policy.home_endpoint(current_user)))
    return render_template("main/index.html")


@blueprint.route("/healthz")
def healthz():
    """Report whether the application and its database answer."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@blueprint.route("/accessibility")
def accessibility():
    """Show the accessibility statement."""
    return render_template("main/accessibility.html")


@blueprint.route("/privacy")
def privacy():
    """Show how the service uses children's and families' information."""
    return render_template("main/privacy.html")
