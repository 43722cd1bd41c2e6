"""Goal Tracker: children and families set their own goals and see them add up."""

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from goaltracker import config as config_module
from goaltracker import files, templating

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: configure, then register each part in turn."""
    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    # Before anything reads app.jinja_env, which is built on first use.
    app.jinja_environment = templating.PageEnvironment
    configure(app, test_config)
    register_proxies(app)
    register_url_converters(app)
    register_extensions(app)
    register_templating(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_security(app)
    register_commands(app)
    return app


def configure(app: Flask, test_config: dict | None) -> None:
    """Load safe defaults, then instance/config.py, then the test's overrides."""
    files.private_folder(Path(app.instance_path))
    app.config.from_mapping(config_module.defaults(app.instance_path))
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)
    app.config["SQLALCHEMY_DATABASE_URI"] = config_module.normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    _private_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])


def _private_sqlite_file(url: str) -> None:
    """Create (or tighten) a SQLite database file so that only its owner can read it."""
    from goaltracker.backup import BackupError, sqlite_path

    try:
        path = sqlite_path(url)
    except BackupError:
        return  # not a SQLite file: PostgreSQL keeps its own files private
    if path.parent.is_dir():
        files.private_file(path)


def register_proxies(app: Flask) -> None:
    """Trust the X-Forwarded-* headers of the configured number of proxies in front of the app.

    Behind a proxy, the client's real address (which sign-in throttling counts and the audit
    trail records) is in X-Forwarded-For; without trusted proxies those headers are ignored,
    because anyone could send them.
    """
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )


def register_url_converters(app: Flask) -> None:
    """Make every whole number in a URL an id the database can hold: larger ones are not found."""
    from goaltracker.forms import IdConverter

    app.url_map.converters["int"] = IdConverter


def register_extensions(app: Flask) -> None:
    """Initialise the database, migrations, sign-in, CSRF and rate limiting."""
    from goaltracker import (
        models,  # noqa: F401  (the models must be known to migrations)
        transactions,
    )
    from goaltracker.accounts import sessions
    from goaltracker.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    transactions.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to see this page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    # A request is signed in only while its server-side session record is open.
    login_manager.user_loader(sessions.load_user)
    login_manager.unauthorized_handler(sessions.send_to_sign_in)
    # Load the user before the view runs, so the session's bookkeeping never commits mid-view;
    # then put back any form that was sent to this page after the session timed out.
    app.before_request(sessions.load_early)
    app.before_request(sessions.restore_form)


def register_templating(app: Flask) -> None:
    """Teach Jinja where GOV.UK Frontend's macros live, and add the display filters."""
    from goaltracker import i18n, templating

    i18n.init_app(app)
    templating.init_app(app)


def register_blueprints(app: Flask) -> None:
    """Attach each area of the service."""
    from goaltracker import api
    from goaltracker.account.views import blueprint as account
    from goaltracker.admin.views import blueprint as admin
    from goaltracker.auth.views import blueprint as auth
    from goaltracker.children import goal_setting_views  # noqa: F401  (its routes join children)
    from goaltracker.children.views import blueprint as children
    from goaltracker.family.views import blueprint as family
    from goaltracker.main.views import blueprint as main
    from goaltracker.manager.views import blueprint as manager
    from goaltracker.practitioner.views import blueprint as practitioner
    from goaltracker.public.views import blueprint as public
    from goaltracker.staff.views import blueprint as staff

    api.init_app(app)
    for blueprint in (
        main,
        auth,
        account,
        family,
        practitioner,
        children,
        manager,
        admin,
        staff,
        public,
    ):
        app.register_blueprint(blueprint)


def register_errorhandlers(app: Flask) -> None:
    """Show errors as plain pages in the service's style, never a stack trace."""
    from goaltracker.main import errors

    errors.init_app(app)


def register_security(app: Flask) -> None:
    """Add security headers to every response."""
    from goaltracker import security

    security.init_app(app)


def register_commands(app: Flask) -> None:
    """Add the scripted administration commands to `flask`."""
    from goaltracker import cli

    cli.init_app(app)
