"""The versioned JSON API under /api/v1: tokens, not cookies, and problem documents for errors."""

from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from goaltracker.api.problems import is_api_path, is_api_request


class CookieFreeApiSessions(SecureCookieSessionInterface):
    """The browser session of every page but the API's: an API request neither reads the
    session cookie (so a signed-in browser is not signed in there, and no request can be forged
    with its cookie) nor sets one."""

    def open_session(self, app, request):
        if is_api_path(request.path):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response):
        if is_api_request():
            return
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    """Register the API and keep cookies out of it."""
    from goaltracker.api.views import blueprint

    app.session_interface = CookieFreeApiSessions()
    app.register_blueprint(blueprint)
