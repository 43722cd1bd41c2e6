"""Families and key workers set goals, rate them and see change, through the pages."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from goaltracker.extensions import db
from goaltracker.models import Goal, Rating
from goaltracker.reports import kept
from tests import factories


def goal_form(**fields):
    """Return the form data of a valid new goal."""
    data = {
        "text": "Play a game with another child at break time",
        "occupation_area": "leisure",
        "importance": "8",
        "set_on": ["1", "2", "2026"],
    }
    data.update(fields)
    return data


def rating_form(goal_scores, rater="parent_carer", day=date(2026, 2, 1), **fields):
    """Return the form data of a review."""
    data = {"rater": rater, "assessed_on": [str(day.day), str(day.month), str(day.year)]}
    for goal_id, (performance, satisfaction) in goal_scores.items():
        data[f"performance_{goal_id}"] = str(performance)
        data[f"satisfaction_{goal_id}"] = str(satisfaction)
    data.update(fields)
    return data


def goal_count() -> int:
    """Return how many goals are stored."""
    return db.session.scalar(select(func.count(Goal.id)))


def rating_count() -> int:
    """Return how many ratings are stored."""
    return db.session.scalar(select(func.count(Rating.id)))


@pytest.mark.parametrize("who", ["key_worker", "parent"])
def test_set_three_goals_rate_them_and_see_the_change_three_months_later(client, auth, world, who):
    outcome = factories.make_outcome(world.area, "INCLUDED", "Be included")
    db.session.commit()
    auth.sign_in(getattr(world, who))
    child = world.child.id
    texts = ["Play a game with another child", "Sleep in my own bed", "Brush my teeth"]
    for text in texts:
        response = client.post(
            f"/children/{child}/goals/new",
            data=goal_form(text=text, outcomes=[str(outcome.id)], add_another="1"),
        )
        assert response.status_code == 302
    new_goals = db.session.scalars(select(Goal).where(Goal.text.in_(texts))).all()
    assert len(new_goals) == 3
    assert all([o.code for o in goal.outcomes] == ["INCLUDED"] for goal in new_goals)

    first = {goal.id: (2, 3) for goal in new_goals}
    response = client.post(f"/children/{child}/review", data=rating_form(first))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Average score for how well it is going" in page
    assert "Not yet reassessed" in page

    later = {goal.id: (5, 4) for goal in new_goals}
    response = client.post(
        f"/children/{child}/review", data=rating_form(later, day=date(2026, 5, 1))
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "+3.0: Improved by an important amount" in page
    assert "+1.0: No important change" in page
    summary = client.get(f"/children/{child}").get_data(as_text=True)
    assert "Play a game with another child" in summary
    goal_page = client.get(f"/children/{child}/goals/{new_goals[0].id}").get_data(as_text=True)
    assert "<svg" in goal_page and "Every rating" in goal_page


def test_rating_form_does_not_show_earlier_scores(client, auth, world):
    factories.make_rating(world.goal, date(2026, 3, 3), 7, 9)
    db.session.commit()
    auth.sign_in(world.parent)
    page = client.get(f"/children/{world.child.id}/review").get_data(as_text=True)
    assert f'name="performance_{world.goal.id}"' in page
    assert "checked" not in page.split(f'name="performance_{world.goal.id}"', 1)[1]


def test_goal_limit_is_explained_on_the_form(client, auth, world):
    world.area.max_active_goals = 1
    db.session.commit()
    auth.sign_in(world.key_worker)
    page = client.get(f"/children/{world.child.id}/goals/new").get_data(as_text=True)
    assert "already has 1 goals to work on" in page
    response = client.post(f"/children/{world.child.id}/goals/new", data=goal_form())
    assert response.status_code == 200
    assert goal_count() == 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"text": ""}, "Enter the goal"),
        ({"text": "x" * 501}, "500 characters or fewer"),
        ({"importance": "11"}, "Not a valid choice"),
        ({"importance": "lots"}, "Not a valid choice"),
        ({"importance": ""}, "Choose how important the goal is"),
        ({"occupation_area": ""}, "Choose what kind of activity"),
        ({"set_on": ["31", "2", "2026"]}, "Enter a real date"),
        ({"set_on": ["1", "1", "2099"]}, "today or in the past"),
        ({"set_on": ["x"]}, "Enter a real date"),
        # A year too big for a date overflows rather than failing to parse.
        ({"set_on": ["-1", "-1", "2147483648"]}, "Enter a real date"),
        ({"outcomes": ["999999"]}, "Choose from the options shown"),
    ],
)
def test_bad_goal_input_comes_back_with_an_error_summary_and_what_was_typed(
    client, auth, world, fields, message
):
    auth.sign_in(world.key_worker)
    typed = "Keep my words <b>exactly</b>"
    data = goal_form(text=typed)
    data.update(fields)
    response = client.post(f"/children/{world.child.id}/goals/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="govuk-error-summary"' in html
    assert message in html
    if "text" not in fields:
        assert "Keep my words &lt;b&gt;exactly&lt;/b&gt;" in html
    assert goal_count() == 2


@pytest.mark.parametrize(
    ("scores", "fields", "message"),
    [
        ({"performance": "0", "satisfaction": "5"}, {}, "Not a valid choice"),
        ({"performance": "11", "satisfaction": "5"}, {}, "Not a valid choice"),
        ({"performance": "five", "satisfaction": "5"}, {}, "Not a valid choice"),
        ({"performance": "5"}, {}, "Choose how happy you are"),
        ({}, {}, "Rate at least one goal"),
        (
            {"performance": "5", "satisfaction": "5"},
            {"assessed_on": ["1", "1", "2099"]},
            "today or in the past",
        ),
        (
            {"performance": "5", "satisfaction": "5"},
            {"assessed_on": ["1", "1", "2025"]},
            "on or after the goal",
        ),
        ({"performance": "5", "satisfaction": "5"}, {"rater": "teacher"}, "Not a valid choice"),
        ({"performance": "5", "satisfaction": "5"}, {"note": "n" * 2001}, "2000 characters"),
    ],
)
def test_bad_ratings_come_back_with_errors_and_nothing_is_written(
    client, auth, world, scores, fields, message
):
    auth.sign_in(world.parent)
    data = {"rater": "parent_carer", "assessed_on": ["1", "3", "2026"], "note": "typed note"}
    for kind, value in scores.items():
        data[f"{kind}_{world.goal.id}"] = value
    data.update(fields)
    before = rating_count()
    response = client.post(f"/children/{world.child.id}/review", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="govuk-error-summary"' in html
    assert message in html
    assert rating_count() == before
    if "note" not in fields:
        assert "typed note" in html


def test_double_submitted_rating_is_recorded_once(client, auth, world):
    auth.sign_in(world.parent)
    data = rating_form({world.goal.id: (6, 7)}, day=date(2026, 3, 1))
    first = client.post(f"/children/{world.child.id}/review", data=data)
    second = client.post(f"/children/{world.child.id}/review", data=data)
    assert first.status_code == second.status_code == 302
    assert rating_count() == 2


def test_rating_again_on_the_same_day_asks_before_replacing(client, auth, world):
    auth.sign_in(world.parent)
    day = factories.FIRST_RATING_DAY  # the world's goal was rated 3, 4 on this day
    data = rating_form({world.goal.id: (6, 7)}, day=day)
    response = client.post(f"/children/{world.child.id}/review", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Saving again will replace them" in html
    # It says who recorded the earlier ratings, and when: here, nobody's account (a factory).
    assert (
        "a parent&#39;s or carer&#39;s view on" in html or "a parent's or carer's view on" in html
    )
    rating = db.session.scalar(select(Rating))
    assert (rating.performance, rating.satisfaction) == (3, 4)
    response = client.post(
        f"/children/{world.child.id}/review", data={**data, "replace_same_day": "yes"}
    )
    assert response.status_code == 302
    db.session.refresh(rating)
    assert (rating.performance, rating.satisfaction) == (6, 7)


def test_rating_again_names_who_recorded_the_earlier_ratings_and_when(client, auth, world):
    auth.sign_in(world.key_worker)
    day = date.today()
    data = rating_form({world.goal.id: (6, 7)}, day=day)
    assert client.post(f"/children/{world.child.id}/review", data=data).status_code == 302
    auth.sign_out()
    auth.sign_in(world.parent)
    html = client.post(
        f"/children/{world.child.id}/review", data=rating_form({world.goal.id: (8, 8)}, day=day)
    ).get_data(as_text=True)
    assert f"already saved by {world.key_worker.name} at {day.day} {day:%B %Y} at" in html
    auth.sign_out()
    auth.sign_in(world.key_worker)
    html = client.post(
        f"/children/{world.child.id}/review", data=rating_form({world.goal.id: (9, 9)}, day=day)
    ).get_data(as_text=True)
    assert "already saved by you at" in html


def test_goal_can_be_achieved_and_reopened_keeping_its_ratings(client, auth, world):
    auth.sign_in(world.key_worker)
    url = f"/children/{world.child.id}/goals/{world.goal.id}/status"
    version = world.goal.version
    response = client.post(
        url, data={"status": "achieved", "closed_on": ["1", "3", "2026"], "version": version}
    )
    assert response.status_code == 302
    db.session.refresh(world.goal)
    assert (world.goal.status, world.goal.closed_on) == ("achieved", date(2026, 3, 1))
    response = client.post(url, data={"status": "active", "version": world.goal.version})
    assert response.status_code == 302
    assert rating_count() == 1


def test_status_change_from_a_stale_page_is_refused(client, auth, world):
    auth.sign_in(world.key_worker)
    url = f"/children/{world.child.id}/goals/{world.goal.id}/status"
    stale = world.goal.version
    world.goal.text = "Changed meanwhile"
    db.session.commit()
    response = client.post(
        url, data={"status": "stopped", "closed_on": ["1", "3", "2026"], "version": stale}
    )
    assert response.status_code == 200
    assert "Someone else changed this goal" in response.get_data(as_text=True)
    db.session.refresh(world.goal)
    assert world.goal.status == "active"


def test_edit_keeps_wording_history_on_the_goal_page(client, auth, world):
    auth.sign_in(world.parent)
    old = world.goal.text
    response = client.post(
        f"/children/{world.child.id}/goals/{world.goal.id}/edit",
        data={
            "text": "Get dressed before breakfast",
            "importance": "9",
            "version": world.goal.version,
        },
    )
    assert response.status_code == 302
    page = client.get(f"/children/{world.child.id}/goals/{world.goal.id}").get_data(as_text=True)
    assert "Get dressed before breakfast" in page
    assert "Earlier wording" in page and old in page


def test_family_adds_a_note_between_meetings(client, auth, world):
    auth.sign_in(world.parent)
    response = client.post(
        f"/children/{world.child.id}/notes", data={"body": "managed buttons on Tuesday!"}
    )
    assert response.status_code == 302
    assert "managed buttons on Tuesday!" in client.get(f"/children/{world.child.id}").get_data(
        as_text=True
    )


def test_young_child_rating_form_suggests_a_parent(client, auth, world):
    with kept.tracking(db.session, [world.child.id]):
        world.child.date_of_birth = date.today() - timedelta(days=365 * 5)
    db.session.commit()
    auth.sign_in(world.parent)
    page = client.get(f"/children/{world.child.id}/review").get_data(as_text=True)
    assert "is under 8" in page


def test_the_family_home_and_a_goal_page_run_the_same_statements_however_many_ratings(
    client, auth, world
):
    auth.sign_in(world.parent)
    child, goal_id = world.child.id, world.goal.id

    def statements() -> list[int]:
        """Count the statements of the family home and of the goal page."""
        counts = []
        for url in ("/family/", f"/children/{child}/goals/{goal_id}"):
            with factories.counted_statements() as executed:
                assert client.get(url).status_code == 200
            counts.append(len(executed))
        return counts

    few = statements()
    for number in range(3):
        more = factories.make_goal(world.child, text=f"Another goal {number}")
        for month in (1, 2, 3, 4):
            factories.make_rating(more, date(2026, month, 10), month, month + 1)
    for month in (2, 3, 4, 5):
        factories.make_rating(world.goal, date(2026, month, 11), month, month)
    db.session.commit()
    # Showing the page, and auditing that it was shown, never loads goals or ratings one by one.
    assert statements() == few
