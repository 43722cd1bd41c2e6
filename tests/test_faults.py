"""Faults survived: a database that is locked, stopped or killed mid-request gives everyone,
signed in or not, the "try again" page with its security headers, and nothing half-written.

PostgreSQL is tested on a throwaway cluster the test starts on its own port (never the shared
server); SQLite with another connection holding its exclusive lock.
"""

import gc
import glob
import os
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select, text

from goaltracker import create_app, goals
from goaltracker.extensions import db
from goaltracker.models import Note, Rating
from tests import factories
from tests.conftest import TEST_CONFIG, reset_schema


def fault_app(url: str, **engine_options):
    """Make an app on its own database, migrated, with the world of the access tests."""
    app = create_app(
        {
            **TEST_CONFIG,
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, **engine_options},
            "PROPAGATE_EXCEPTIONS": False,
        }
    )
    with app.app_context():
        reset_schema(db.engine)
        upgrade()
        world = factories.build_world()
        ids = {"parent": world.parent.email, "child": world.child.id, "goal": world.goal.id}
    return app, ids


def forget_dead_connections(app) -> None:
    """Close the app's connections, and collect those the fault killed, here and not later.

    A connection to a server that was stopped or killed cannot be closed cleanly; collected in
    some later test, it would warn there.
    """
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


def assert_try_again_page(response) -> None:
    """The 503 page: plain header, security headers, Retry-After, no trace of the fault."""
    html = response.get_data(as_text=True)
    assert response.status_code == 503, html[:500]
    assert "Sorry, the service is busy" in html and "Nothing was changed" in html
    assert "Traceback" not in html and "OperationalError" not in html
    assert response.headers["Retry-After"].isdigit()
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Sign out" not in html  # the plain header: nothing was read about who is signed in


def review_form(ids: dict) -> dict:
    """A rating of the world's goal."""
    return {
        "rater": "parent_carer",
        "assessed_on": ["1", "3", "2026"],
        f"performance_{ids['goal']}": "6",
        f"satisfaction_{ids['goal']}": "6",
        "note": "should not be kept",
    }


def test_sqlite_held_locked_by_another_connection(tmp_path):
    path = tmp_path / "locked.sqlite"
    app, ids = fault_app(f"sqlite:///{path}", connect_args={"timeout": 0.2})
    client = app.test_client()
    client.post("/sign-in", data={"email": ids["parent"], "password": factories.PASSWORD})
    assert client.get("/family/").status_code == 200
    with app.app_context():
        notes_before = db.session.scalar(select(func.count(Note.id)))
        db.session.remove()
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        assert_try_again_page(client.get("/family/"))
        assert_try_again_page(client.post(f"/children/{ids['child']}/notes", data={"body": "x"}))
        assert client.get("/healthz").status_code == 503
        anonymous = app.test_client()
        assert anonymous.get("/healthz").status_code == 503
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert client.get("/healthz").status_code == 200
    assert client.get("/family/").status_code == 200  # still signed in
    with app.app_context():
        assert db.session.scalar(select(func.count(Note.id))) == notes_before
    forget_dead_connections(app)


def _free_port() -> int:
    """Return a free port on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _postgres_bin() -> Path | None:
    """Return the folder of PostgreSQL's server programs, if installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


class ThrowawayCluster:
    """A PostgreSQL cluster of the test's own, on its own port and socket folder."""

    def __init__(self):
        self.bin = _postgres_bin()
        self.directory = Path(tempfile.mkdtemp(prefix="goaltracker-pg-"))
        self.port = _free_port()
        shutil.chown(self.directory, user="postgres")
        self._as_postgres(
            "initdb", "-D", str(self.directory / "data"), "-A", "trust", "-U", "postgres"
        )
        self.start()
        self._as_postgres(
            "createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "faults"
        )

    def _as_postgres(self, program: str, *arguments: str) -> None:
        """Run one of PostgreSQL's programs as the postgres user (initdb refuses root)."""
        command = [str(self.bin / program), *arguments]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)  # noqa: S603

    @property
    def url(self) -> str:
        """Return the cluster's database URL."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/faults"

    def start(self) -> None:
        """Start the server and wait until it answers."""
        self._as_postgres(
            "pg_ctl",
            "-D",
            str(self.directory / "data"),
            "-o",
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1",
            # The server's output goes to a file, or it would hold this call's pipes open.
            "-l",
            str(self.directory / "server.log"),
            "-w",
            "start",
        )

    def stop(self) -> None:
        """Stop the server at once, as a crash or a pulled cable would."""
        self._as_postgres("pg_ctl", "-D", str(self.directory / "data"), "-m", "immediate", "stop")

    def remove(self) -> None:
        """Stop the server if it runs and delete the cluster."""
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.directory, ignore_errors=True)


@pytest.fixture(scope="module")
def cluster():
    """A throwaway PostgreSQL cluster, or skip with the reason."""
    if _postgres_bin() is None or (os.geteuid() == 0 and shutil.which("runuser") is None):
        pytest.skip("PostgreSQL's server programs are not installed: throwaway cluster skipped")
    try:
        made = ThrowawayCluster()
    except (subprocess.SubprocessError, OSError, LookupError) as error:
        pytest.skip(f"Could not start a throwaway PostgreSQL cluster: {error}")
    yield made
    made.remove()


def test_postgresql_stopped_and_started_again(cluster):
    app, ids = fault_app(cluster.url)
    client = app.test_client()
    client.post("/sign-in", data={"email": ids["parent"], "password": factories.PASSWORD})
    assert client.get("/family/").status_code == 200
    cluster.stop()
    try:
        assert_try_again_page(client.get("/family/"))
        assert_try_again_page(
            client.post(f"/children/{ids['child']}/review", data=review_form(ids))
        )
        signing_in = app.test_client().post(
            "/sign-in", data={"email": ids["parent"], "password": factories.PASSWORD}
        )
        assert_try_again_page(signing_in)
        assert client.get("/healthz").status_code == 503
    finally:
        cluster.start()
    assert client.get("/healthz").status_code == 200
    assert client.get("/family/").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count(Rating.id))) == 1  # only the world's
    forget_dead_connections(app)


def test_postgresql_connection_killed_in_the_middle_of_a_review(cluster, monkeypatch):
    app, ids = fault_app(cluster.url)
    client = app.test_client()
    client.post("/sign-in", data={"email": ids["parent"], "password": factories.PASSWORD})
    real_record_review = goals.record_review

    def record_then_lose_the_connection(*args, **kwargs):
        result = real_record_review(*args, **kwargs)
        # Another connection kills this request's connection before it commits.
        own = db.session.scalar(text("SELECT pg_backend_pid()"))
        with db.engine.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": own})
        time.sleep(0.2)
        return result

    monkeypatch.setattr(goals, "record_review", record_then_lose_the_connection)
    response = client.post(f"/children/{ids['child']}/review", data=review_form(ids))
    assert_try_again_page(response)
    monkeypatch.undo()
    assert client.get("/family/").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count(Rating.id))) == 1  # nothing half-written
        assert db.session.scalar(select(func.count(Note.id))) == 0
    forget_dead_connections(app)


def test_a_mail_server_that_is_down_never_loses_work(app, client, auth, world, runner):
    from goaltracker.models import ConsentRequest

    app.config.update(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=9)
    auth.sign_in(world.key_worker)
    response = client.post(
        f"/practitioner/children/{world.child.id}/ask-consent",
        data={"organisation_id": str(world.school.id)},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "could not be sent" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ConsentRequest.id))) == 1
    auth.sign_out()
    response = client.post("/forgotten-password", data={"email": world.parent.email})
    assert response.status_code == 200 and "Check your email" in response.get_data(as_text=True)
    world.key_worker.email_reminders = True
    db.session.commit()
    result = runner.invoke(args=["send-review-reminders"])
    assert result.exit_code != 0
    assert "could not be sent" in result.output and "run the command again" in result.output
