"""Fixtures: one application per run on SQLite or PostgreSQL, emptied between tests."""

import os
import tempfile
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import select, text

from goaltracker import create_app, mail, security
from goaltracker.extensions import db, limiter
from goaltracker.models import Area
from goaltracker.reports import kept
from tests import factories, languages

DATA = Path(__file__).parent / "data"

# Argon2 is slow on purpose; the suite signs in hundreds of times, so it uses cheap parameters.
security._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def test_database_url() -> str:
    """Return the database the suite runs against: TEST_DATABASE_URL, else a new SQLite file."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    directory = tempfile.mkdtemp(prefix="goaltracker-test-")
    return "sqlite:///" + str(Path(directory) / "test.sqlite")


def reset_schema(engine) -> None:
    """Drop everything so that the migrations build the schema from nothing."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        else:
            for table in db.metadata.sorted_tables:
                connection.execute(text(f'DROP TABLE IF EXISTS "{table.name}"'))
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


def empty_tables() -> None:
    """Delete every row, children before parents, and restart nothing else."""
    tables = [table.name for table in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        quoted = ", ".join(f'"{name}"' for name in tables)
        db.session.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
    else:
        for name in tables:
            db.session.execute(text(f'DELETE FROM "{name}"'))  # noqa: S608  (our own table names)
    db.session.commit()


def assert_kept_cells_are_true() -> None:
    """After every test, the kept data of each area gives the same cells as the report computed
    afresh from the records, on every kept date and on the days the records change: a write
    path that does not go through `kept.tracking` fails the suite."""
    for area in db.session.scalars(select(Area)):
        for as_at in kept.days_to_check(db.session, area):
            held = kept.kept_cells(db.session, area, as_at)
            grains = kept.grains_on(db.session, area, as_at)
            computed = kept.computed_cells(db.session, area, as_at, grains)
            assert held == computed, f"kept data of {area.code} as at {as_at} is stale"
    db.session.rollback()


TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key",
    "WTF_CSRF_ENABLED": False,
    "MAIL_BACKEND": "memory",
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_SECURE": False,
    "SERVER_NAME": "localhost",
    "TWO_FACTOR_ROLES": "",
}


@pytest.fixture(scope="session")
def _session_app():
    """Build the application and its schema, through the migrations, once per run."""
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": test_database_url()})
    app.test_client_class = IsolatedClient
    with app.app_context():
        reset_schema(db.engine)
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(_session_app):
    """Yield the application in an app context, with empty tables and fresh limits."""
    app = _session_app
    saved = dict(app.config)
    with app.app_context():
        empty_tables()
        limiter.reset()
        mail.outbox().clear()
        yield app
        db.session.rollback()
        assert_kept_cells_are_true()
        db.session.remove()
    app.config.clear()
    app.config.update(saved)


class IsolatedClient(FlaskClient):
    """A test client whose every request has its own app context, g and database session.

    The fixtures keep an app context open for the test's own queries; without this, requests
    would share its `g` (and so the signed-in user) and its session, unlike real requests.
    """

    def open(self, *args, **kwargs):
        """Make the request inside a fresh app context."""
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    """A test client for the application."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A runner for the `flask` commands."""
    return app.test_cli_runner()


class AuthActions:
    """Sign in and out through the real sign-in form."""

    def __init__(self, client):
        self._client = client

    def sign_in(self, user_or_email, password: str = factories.PASSWORD, **kwargs):
        """Sign in as a user (or by email) and return the response."""
        email = getattr(user_or_email, "email", user_or_email)
        return self._client.post("/sign-in", data={"email": email, "password": password}, **kwargs)

    def sign_out(self):
        """Sign out."""
        return self._client.post("/sign-out")


@pytest.fixture
def auth(client):
    """Sign-in helpers bound to the test client."""
    return AuthActions(client)


@pytest.fixture
def world(app):
    """A small area with one of each kind of person, and a second area to stay out of."""
    return factories.build_world()


@pytest.fixture
def misses(monkeypatch) -> set[str]:
    """Every message a page asked for in Welsh that the catalogue does not hold."""
    return languages.record_misses(monkeypatch)
