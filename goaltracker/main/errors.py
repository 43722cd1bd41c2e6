"""Error pages in the service's style; no stack trace ever reaches a user."""

from flask import Flask, render_template
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from goaltracker.extensions import db

TEMPLATES = {
    400: "errors/400.html",
    403: "errors/403.html",
    404: "errors/404.html",
    413: "errors/413.html",
    429: "errors/429.html",
}


def handle_http_error(error: HTTPException):
    """Render the page for a refused, missing or throttled request."""
    template = TEMPLATES.get(error.code, "errors/generic.html")
    return render_template(template, error=error), error.code


def handle_database_unavailable(error: OperationalError):
    """Tell the person to try again when the database is locked or briefly unreachable."""
    db.session.rollback()
    return render_template("errors/503.html"), 503


def handle_unexpected_error(error: Exception):
    """Log the fault and show a plain apology."""
    db.session.rollback()
    return render_template("errors/500.html"), 500


def init_app(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(OperationalError, handle_database_unavailable)
    app.register_error_handler(500, handle_unexpected_error)
