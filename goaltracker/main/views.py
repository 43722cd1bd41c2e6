"""Pages for everyone: the start page, health check and accessibility statement."""

from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from goaltracker import health, i18n, policy

blueprint = Blueprint("main", __name__)


@blueprint.route("/")
def index():
    """Send signed-in people to their home page; show everyone else the start page."""
    if current_user.is_authenticated:
        return redirect(url_for(policy.home_endpoint(current_user)))
    return render_template("main/index.html")


@blueprint.route("/healthz")
def healthz():
    """Report whether the application can read its database within a second."""
    if not health.database_answers():
        return jsonify(status="unavailable", database="unavailable"), 503, {"Retry-After": "30"}
    return jsonify(status="ok", database="ok")


@blueprint.route("/accessibility")
def accessibility():
    """Show the accessibility statement."""
    return render_template("main/accessibility.html")


@blueprint.route("/privacy")
def privacy():
    """Show how the service uses children's and families' information."""
    return render_template("main/privacy.html")


@blueprint.route("/language/<code>")
def language(code: str):
    """Show the service in another language from now on, on this browser, and go back."""
    if code not in i18n.languages():
        abort(404)
    return i18n.switch_to(code, request.args.get("next"))
