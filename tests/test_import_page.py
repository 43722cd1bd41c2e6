"""Alex imports last year's spreadsheet from the admin pages: preview first, then import once."""

import io

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from goaltracker.extensions import db
from goaltracker.models import Organisation, Rating

GOOD = (
    "child_ref,date_of_birth,primary_need,ehcp,organisation,goal_ref,goal_text,occupation_area,"
    "importance,outcomes,set_on,rater,assessed_on,performance,satisfaction\n"
    "IMP-1,2015-02-01,ASD,yes,Elm Tree Nursery,IMP-1-1,Put my coat on,self_care,8,HEALTHY,"
    "2025-09-01,parent_carer,2025-09-01,3,4\n"
    "IMP-1,2015-02-01,ASD,yes,Elm Tree Nursery,IMP-1-1,Put my coat on,self_care,8,HEALTHY,"
    "2025-09-01,parent_carer,2025-12-01,5,6\n"
)


def upload(client, text: str, name: str = "ratings.csv"):
    """Post a file to the import page."""
    return client.post(
        "/admin/import",
        data={"file": (io.BytesIO(text.encode()), name)},
        content_type="multipart/form-data",
    )


def ratings() -> int:
    """Return how many ratings are stored."""
    return db.session.scalar(select(func.count(Rating.id)))


def test_preview_then_import_once(client, auth, world):
    auth.sign_in(world.admin)
    before = ratings()
    preview = upload(client, GOOD).get_data(as_text=True)
    assert "The file is ready to import" in preview
    assert "Elm Tree Nursery" in preview and "would be created" in preview
    assert ratings() == before
    response = client.post("/admin/import/confirm")
    assert response.status_code == 302
    done = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Import finished" in done
    assert ratings() == before + 2
    assert (
        db.session.scalar(select(Organisation.type).where(Organisation.name == "Elm Tree Nursery"))
        == "other"
    )
    assert client.post("/admin/import/confirm").status_code == 302  # nothing pending: no repeat
    assert ratings() == before + 2


def test_importing_the_same_file_again_changes_nothing(client, auth, world):
    auth.sign_in(world.admin)
    upload(client, GOOD)
    client.post("/admin/import/confirm")
    count = ratings()
    preview = upload(client, GOOD).get_data(as_text=True)
    assert "Ratings: 0 would be created" in preview
    client.post("/admin/import/confirm")
    assert ratings() == count


def test_a_bad_line_imports_nothing_and_is_named(client, auth, world):
    auth.sign_in(world.admin)
    bad = GOOD.replace("2025-12-01,5,6", "2025-12-01,5,11")
    page = upload(client, bad).get_data(as_text=True)
    assert "nothing was imported" in page
    assert "Line 3" in page
    assert client.post("/admin/import/confirm").status_code == 302
    assert ratings() == 1


def test_junk_and_wrong_encoding_are_refused_clearly(client, auth, world):
    auth.sign_in(world.admin)
    junk = client.post(
        "/admin/import",
        data={"file": (io.BytesIO(b"\xff\xfe\x00junk" * 1000), "junk.csv")},
        content_type="multipart/form-data",
    )
    assert junk.status_code == 200
    assert "nothing was imported" in junk.get_data(as_text=True)


def test_too_big_a_file_is_refused(app, client, auth, world):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    auth.sign_in(world.admin)
    response = upload(client, GOOD * 50)
    assert response.status_code == 413
    assert "The file is too big" in response.get_data(as_text=True)


def test_only_admins_import(client, auth, world):
    auth.sign_in(world.manager)
    assert upload(client, GOOD).status_code == 403


@pytest.mark.parametrize(
    "junk",
    [
        bytes(range(256)) * 40_000,  # 10 MB that is not text
        b"lorem ipsum, dolor sit amet\n" * 375_000,  # 10 MB of text that is not our CSV
    ],
)
def test_ten_megabytes_of_junk_is_refused_with_a_clear_message(client, auth, world, junk):
    auth.sign_in(world.admin)
    # Encoded in memory: the test client would otherwise spool 10 MB to a file it never closes.
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(junk), "junk.csv")})
    response = client.post(
        "/admin/import", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "nothing was imported" in page
    assert ratings() == 1


def _uploads(app):
    """Return the files waiting in the upload folder."""
    from pathlib import Path

    return sorted((Path(app.instance_path) / "uploads").glob("*.csv"))


def test_a_new_check_removes_the_file_of_an_earlier_one_never_imported(app, client, auth, world):
    auth.sign_in(world.admin)
    for name in ("first.csv", "second.csv"):
        upload(client, GOOD, name)
    assert len(_uploads(app)) == 1
    client.post("/admin/import/confirm")
    assert _uploads(app) == []


def test_uploads_older_than_a_day_are_removed(app, client, auth, world):
    import os
    import time

    auth.sign_in(world.admin)
    upload(client, GOOD, "old.csv")
    (stale,) = _uploads(app)
    day_ago = time.time() - 25 * 60 * 60
    os.utime(stale, (day_ago, day_ago))
    client.get("/admin/import")
    assert not stale.exists()


def test_a_file_that_fails_the_check_is_not_kept(app, client, auth, world):
    auth.sign_in(world.admin)
    upload(client, "not,a,valid\nfile,at,all\n", "x.csv")
    assert _uploads(app) == []
