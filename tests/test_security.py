"""Headers and files that keep personal data private: no caching, HSTS, owner-only files."""

import io
import stat

import pytest

from goaltracker import backup, create_app
from tests import factories
from tests.conftest import TEST_CONFIG


def mode(path) -> int:
    """Return a file's permission bits."""
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(
    "path", ["/account/", "/healthz", "/family/", "/family/children/{child}/download.json"]
)
def test_no_response_with_personal_data_is_cached(client, auth, world, path):
    auth.sign_in(world.parent)
    response = client.get(path.format(child=world.child.id))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_the_services_own_assets_may_be_cached(client):
    response = client.get("/static/favicon.svg")
    response.close()  # a file response: close it, as a server would
    assert response.status_code == 200
    assert response.headers.get("Cache-Control") != "no-store"


def test_strict_transport_security_outside_development(app, client):
    app.config["ENV_NAME"] = "production"
    assert "max-age=31536000" in client.get("/sign-in").headers["Strict-Transport-Security"]
    app.config["ENV_NAME"] = "development"
    assert "Strict-Transport-Security" not in client.get("/sign-in").headers


def test_a_new_sqlite_database_and_its_backups_are_readable_by_their_owner_only(tmp_path):
    database = tmp_path / "instance" / "goaltracker.sqlite"
    database.parent.mkdir()
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"})
    assert mode(database) == 0o600
    with app.app_context():
        from flask_migrate import upgrade

        from goaltracker.extensions import db

        upgrade()
        db.engine.dispose()
    copy = backup.backup(f"sqlite:///{database}", tmp_path / "copy.sqlite")
    assert mode(copy) == 0o600


def test_uploads_waiting_to_be_imported_are_readable_by_their_owner_only(app, client, auth, world):
    auth.sign_in(world.admin)
    line = (
        "child_ref,date_of_birth,primary_need,ehcp,organisation,goal_ref,goal_text,"
        "occupation_area,importance,outcomes,set_on,rater,assessed_on,performance,satisfaction\n"
        "U-1,2014-06-01,SLCN,no,Clinic,U-1-1,Order my lunch,self_care,7,,2025-06-01,"
        "parent_carer,2025-06-01,2,3\n"
    )
    client.post("/admin/import", data={"file": (io.BytesIO(line.encode()), "u.csv")})
    from pathlib import Path

    folder = Path(app.instance_path) / "uploads"
    uploads = list(folder.glob("*.csv"))
    assert uploads and all(mode(path) == 0o600 for path in uploads)
    assert mode(folder) == 0o700
    for path in uploads:
        path.unlink()
    assert factories.PASSWORD
