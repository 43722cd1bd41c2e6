"""Failures survived: a locked or unreachable database gives a friendly 503 and writes nothing."""

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from goaltracker import goals
from goaltracker.extensions import db
from goaltracker.models import Note, Rating


def test_locked_database_gives_a_friendly_503_and_no_partial_write(
    client, auth, world, monkeypatch
):
    auth.sign_in(world.parent)
    real_record_review = goals.record_review

    def record_then_fail(*args, **kwargs):
        real_record_review(*args, **kwargs)  # the ratings are added to the session...
        raise OperationalError("COMMIT", {}, Exception("database is locked"))  # ...then it fails

    monkeypatch.setattr(goals, "record_review", record_then_fail)
    response = client.post(
        f"/children/{world.child.id}/review",
        data={
            "rater": "parent_carer",
            "assessed_on": ["1", "3", "2026"],
            f"performance_{world.goal.id}": "6",
            f"satisfaction_{world.goal.id}": "6",
            "note": "should not be kept",
        },
    )
    assert response.status_code == 503
    assert "Nothing was changed" in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Rating.id))) == 1
    assert db.session.scalar(select(func.count(Note.id))) == 0


def test_unexpected_errors_show_no_stack_trace(app, client, auth, world, monkeypatch):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    auth.sign_in(world.parent)

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(goals, "child_summary", broken)
    response = client.get(f"/children/{world.child.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in html
    assert "secret internals" not in html and "Traceback" not in html


def test_concurrent_edit_of_a_goal_is_detected(client, auth, world):
    auth.sign_in(world.parent)
    url = f"/children/{world.child.id}/goals/{world.goal.id}/edit"
    version = world.goal.version
    first = client.post(
        url, data={"text": "First person's words", "importance": "8", "version": version}
    )
    second = client.post(
        url, data={"text": "Second person's words", "importance": "8", "version": version}
    )
    assert first.status_code == 302
    assert second.status_code == 200
    assert "Someone else changed this goal" in second.get_data(as_text=True)
    db.session.refresh(world.goal)
    assert world.goal.text == "First person's words"
    # The page keeps what the second person typed.
    assert "Second person&#39;s words" in second.get_data(as_text=True) or (
        "Second person's words" in second.get_data(as_text=True)
    )
