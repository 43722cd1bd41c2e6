"""A child rating their own goals: one goal a screen, nothing saved until the end, no earlier
scores before saving, then the picture of then and now."""

from datetime import date

from sqlalchemy import select

from goaltracker import child_rating
from goaltracker.extensions import db
from goaltracker.models import Rating
from tests import factories


def start(client, child, day=None):
    """Start a child's rating, for today unless a day is given."""
    day = day or date.today()
    return client.post(
        f"/children/{child.id}/my-rating",
        data={"assessed_on": [str(day.day), str(day.month), str(day.year)]},
    )


def answer(client, child, step, performance=None, satisfaction=None, skip=False):
    """Answer one goal's screen."""
    data = {"skip": "Skip this goal"} if skip else {}
    if performance:
        data["performance"] = str(performance)
    if satisfaction:
        data["satisfaction"] = str(satisfaction)
    return client.post(f"/children/{child.id}/my-rating/{step}", data=data)


def child_ratings():
    """Return the child's own ratings, as (goal id, day, performance, satisfaction)."""
    return {
        (rating.goal_id, rating.assessed_on, rating.performance, rating.satisfaction)
        for rating in db.session.scalars(select(Rating).where(Rating.rater == "child"))
    }


def test_a_child_rates_one_goal_a_screen_and_sees_then_and_now(client, auth, world):
    second = factories.make_goal(world.child, text="Ride my bike")
    third = factories.make_goal(world.child, text="Say hello at the gate")
    factories.make_rating(world.goal, date(2026, 1, 10), 2, 3, rater="child")
    db.session.commit()
    auth.sign_in(world.parent)
    page = client.get(f"/children/{world.child.id}/my-rating").get_data(as_text=True)
    assert "Rate your goals" in page and "3 goals to rate" in page
    assert start(client, world.child).headers["Location"].endswith("/my-rating/1")
    first = client.get(f"/children/{world.child.id}/my-rating/1").get_data(as_text=True)
    assert "Goal 1 of 3" in first and world.goal.text in first
    assert "How well do you do this now?" in first and "I can&#39;t do it yet" in first
    assert "Read it to me" in first
    # No earlier score is shown before rating: not the child's 2 and 3, nor the parent's.
    assert "2 out of 10" not in first and "Then" not in first
    assert answer(client, world.child, 1, 6, 8).headers["Location"].endswith("/my-rating/2")
    assert answer(client, world.child, 2, skip=True).headers["Location"].endswith("/my-rating/3")
    assert child_ratings() == {(world.goal.id, date(2026, 1, 10), 2, 3)}  # nothing saved yet
    assert answer(client, world.child, 3, 4, 5).headers["Location"].endswith("/my-rating/save")
    check = client.get(f"/children/{world.child.id}/my-rating/save").get_data(as_text=True)
    assert "Ride my bike" in check and "Skipped" in check and "How well: 6" in check
    saved = client.post(f"/children/{world.child.id}/my-rating/save", data={})
    assert saved.status_code == 302
    today = date.today()
    assert child_ratings() == {
        (world.goal.id, date(2026, 1, 10), 2, 3),
        (world.goal.id, today, 6, 8),
        (third.id, today, 4, 5),
    }
    assert second.id not in {goal_id for goal_id, *_ in child_ratings()}
    done = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Your ratings are saved" in done and "Then and now" in done
    assert "The first time, on 10 January 2026: 2 out of 10. Now: 6 out of 10." in done
    assert "This was your first rating of this goal" in done  # the third goal
    assert "Ride my bike" not in done
    # The rating in progress is forgotten once saved.
    assert client.get(f"/children/{world.child.id}/my-rating/1").status_code == 302


def test_both_answers_are_needed_unless_the_goal_is_skipped(client, auth, world):
    auth.sign_in(world.parent)
    start(client, world.child)
    response = answer(client, world.child, 1, performance=7)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Choose a number for how happy you are with it" in page
    assert 'value="7" checked' in page  # what was chosen is kept
    response = answer(client, world.child, 1, performance="11", satisfaction="x")
    assert response.status_code == 200
    assert child_ratings() == set()


def test_the_adult_can_change_the_day_but_not_to_the_future(client, auth, world):
    auth.sign_in(world.key_worker)
    future = date.today().replace(year=date.today().year + 1)
    page = start(client, world.child, future).get_data(as_text=True)
    assert "The date must be today or in the past" in page
    start(client, world.child, date(2026, 2, 2))
    answer(client, world.child, 1, 5, 5)
    client.post(f"/children/{world.child.id}/my-rating/save", data={})
    assert child_ratings() == {(world.goal.id, date(2026, 2, 2), 5, 5)}


def test_rating_again_the_same_day_asks_first_and_says_who_rated(client, auth, world):
    auth.sign_in(world.parent)
    for scores in ((5, 5), (7, 7)):
        start(client, world.child)
        answer(client, world.child, 1, *scores)
        response = client.post(f"/children/{world.child.id}/my-rating/save", data={})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "were already saved by you at" in page and "Replace the ratings" in page
    assert child_ratings() == {(world.goal.id, date.today(), 5, 5)}
    client.post(f"/children/{world.child.id}/my-rating/save", data={"replace_same_day": "yes"})
    assert child_ratings() == {(world.goal.id, date.today(), 7, 7)}


def test_no_rating_in_progress_or_a_strange_one_starts_again(client, auth, world):
    auth.sign_in(world.parent)
    for path in ("/my-rating/1", "/my-rating/save"):
        response = client.get(f"/children/{world.child.id}{path}")
        assert response.headers["Location"].endswith(f"/children/{world.child.id}/my-rating")
    with client.session_transaction() as held:
        held[child_rating.SESSION_KEY] = {"child": world.child.id, "day": "nonsense"}
    assert client.get(f"/children/{world.child.id}/my-rating/1").status_code == 302
    # Another child's rating in progress does not carry over.
    start(client, world.child)
    answer(client, world.child, 1, 3, 3)
    assert child_rating.load({child_rating.SESSION_KEY: {"child": 1}}, 2) is None
    assert client.get(f"/children/{world.child.id}/my-rating/done/2026-13-01").status_code == 404
    assert client.get(f"/children/{world.child.id}/my-rating/done/2020-01-01").status_code == 404


def test_only_people_who_can_see_the_child_can_rate(client, auth, world):
    auth.sign_in(world.other_area_practitioner)
    assert client.get(f"/children/{world.child.id}/my-rating").status_code in (403, 404)
    assert start(client, world.child).status_code in (403, 404)
    auth.sign_out()
    auth.sign_in(world.manager)
    assert client.get(f"/children/{world.child.id}/my-rating").status_code == 403
