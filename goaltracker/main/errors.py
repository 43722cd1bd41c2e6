"""Error pages in the service's style; no stack trace ever reaches a user."""

from flask import Flask, current_app, g, render_template
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException

from goaltracker.api import problems
from goaltracker.extensions import db, login_manager

RETRY_AFTER_SECONDS = 30

TEMPLATES = {
    400: "errors/400.html",
    403: "errors/403.html",
    404: "errors/404.html",
    413: "errors/413.html",
    429: "errors/429.html",
}


def handle_http_error(error: HTTPException):
    """Render the page for a refused, missing or throttled request (the API: a problem)."""
    if problems.is_api_request():
        return problems.from_http_error(error)
    template = TEMPLATES.get(error.code, "errors/generic.html")
    return render_template(template, error=error), error.code


def _without_the_database(template: str, status: int, headers: dict | None = None):
    """Render an error page that needs nothing from the database, whatever state it is in.

    What was written is rolled back. The page has a plain header: the signed-in person's name
    would have to be read again from a database that may not answer, so the request is treated
    as signed out for this page only (the session itself is untouched).
    """
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001  (the connection may be gone; the page must still show)
        current_app.logger.exception("Rolling back after a database fault failed")
    if "_login_user" not in g:
        g._login_user = login_manager.anonymous_user()
    return render_template(template, plain_page=True), status, headers or {}


def handle_database_unavailable(error: Exception):
    """Tell the person to try again when the database is locked, unreachable or gone away."""
    current_app.logger.warning("Database unavailable: %s", error)
    if problems.is_api_request():
        db.session.rollback()
        return problems.problem(
            503,
            "Service Unavailable",
            "Try again in a moment",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    return _without_the_database("errors/503.html", 503, {"Retry-After": str(RETRY_AFTER_SECONDS)})


def handle_unexpected_error(error: Exception):
    """Log the fault and show a plain apology."""
    if problems.is_api_request():
        db.session.rollback()
        return problems.problem(500, "Internal Server Error", "Something went wrong on our side")
    return _without_the_database("errors/500.html", 500)


def init_app(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(HTTPException, handle_http_error)
    for fault in (OperationalError, InterfaceError, PoolTimeoutError):
        app.register_error_handler(fault, handle_database_unavailable)
    app.register_error_handler(500, handle_unexpected_error)
