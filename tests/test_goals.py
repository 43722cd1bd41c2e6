"""Setting, editing, closing and rating goals: the rules of domain.md sections 2 and 3."""

import threading
import time
from datetime import date

import pytest
from sqlalchemy import func, select

from goaltracker import goals
from goaltracker.extensions import db
from goaltracker.models import AuditEvent, Child, GoalRevision, Note, Rating, User
from goaltracker.reports import kept
from tests import factories

TODAY = date(2026, 6, 1)


def set_goal(world, **fields):
    """Set a goal for the world's child as the key worker."""
    values = {
        "text": "Make a friend at lunch",
        "occupation_area": "leisure",
        "importance": 7,
        "set_on": date(2026, 2, 1),
        "set_by": world.key_worker,
        "today": TODAY,
    }
    values.update(fields)
    return goals.set_goal(world.child, **values)


def test_goal_is_kept_in_the_familys_words_with_its_outcomes(world):
    outcome = factories.make_outcome(world.area, "INCLUDED", "Be included")
    goal = set_goal(
        world, text="  Make a friend at lunch, and keep them ", outcome_ids=[outcome.id]
    )
    assert goal.text == "Make a friend at lunch, and keep them"
    assert [linked.code for linked in goal.outcomes] == ["INCLUDED"]
    assert goal.status == "active"


def test_retired_or_other_area_outcomes_cannot_be_linked(world):
    retired = factories.make_outcome(world.area, "OLD")
    retired.retired_at = factories.db.func.now()
    elsewhere = factories.make_outcome(world.other_area, "ELSEWHERE")
    db.session.flush()
    for outcome in (retired, elsewhere):
        with pytest.raises(goals.GoalError, match="Choose outcomes from the list"):
            set_goal(world, outcome_ids=[outcome.id])


def test_active_goal_limit_is_enforced_with_a_plain_message(world):
    world.area.max_active_goals = 2  # the world's child already has one goal
    set_goal(world)
    with pytest.raises(goals.GoalError, match="already has 2 goals to work on"):
        set_goal(world, text="A third goal")


def test_closing_a_goal_makes_room_for_another(world):
    world.area.max_active_goals = 1
    goals.change_status(
        world.goal, "achieved", on=date(2026, 3, 1), changed_by=world.key_worker, today=TODAY
    )
    assert set_goal(world).status == "active"


def test_reopening_is_refused_when_the_limit_is_reached(world):
    world.area.max_active_goals = 1
    goals.change_status(
        world.goal, "stopped", on=date(2026, 3, 1), changed_by=world.key_worker, today=TODAY
    )
    set_goal(world)
    with pytest.raises(goals.GoalError, match="goals to work on"):
        goals.change_status(world.goal, "active", on=None, changed_by=world.key_worker)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"text": "   "}, "Enter the goal"),
        ({"text": "x" * 501}, "500 characters or fewer"),
        ({"importance": 11}, "from 1 to 10"),
        ({"importance": 0}, "from 1 to 10"),
        ({"occupation_area": "sleeping"}, "what kind of activity"),
        ({"set_on": date(2026, 6, 2)}, "today or in the past"),
        ({"sub_area": "play"}, "fits the area"),  # play belongs to productivity, not leisure
    ],
)
def test_invalid_goals_are_refused(world, fields, message):
    with pytest.raises(goals.GoalError, match=message):
        set_goal(world, **fields)


def test_editing_the_wording_keeps_the_earlier_wording(world):
    old_text = world.goal.text
    goals.edit_goal(
        world.goal,
        text="Get dressed by myself before breakfast",
        importance=9,
        outcome_ids=[],
        changed_by=world.parent,
    )
    assert world.goal.text == "Get dressed by myself before breakfast"
    assert db.session.scalars(select(GoalRevision.text)).all() == [old_text]


def test_edit_from_an_older_copy_is_refused(world):
    stale_version = world.goal.version
    goals.edit_goal(
        world.goal,
        text="Changed by someone else",
        importance=8,
        outcome_ids=[],
        changed_by=world.key_worker,
    )
    db.session.commit()
    with pytest.raises(goals.GoalError, match="Someone else changed this goal"):
        goals.edit_goal(
            world.goal,
            text="My change",
            importance=8,
            outcome_ids=[],
            changed_by=world.parent,
            expected_version=stale_version,
        )
    assert world.goal.text == "Changed by someone else"


def test_closing_keeps_every_rating_and_records_the_date(world):
    goals.change_status(
        world.goal, "achieved", on=date(2026, 4, 1), changed_by=world.key_worker, today=TODAY
    )
    assert (world.goal.status, world.goal.closed_on) == ("achieved", date(2026, 4, 1))
    assert db.session.scalar(select(func.count(Rating.id)).where(Rating.goal_id == world.goal.id))
    goals.change_status(world.goal, "active", on=None, changed_by=world.key_worker)
    assert (world.goal.status, world.goal.closed_on) == ("active", None)


@pytest.mark.parametrize(
    ("on", "message"),
    [
        (None, "Enter the date"),
        (date(2026, 6, 2), "today or in the past"),
        (date(2025, 1, 1), "on or after the goal was set"),
    ],
)
def test_closing_needs_a_sensible_date(world, on, message):
    with pytest.raises(goals.GoalError, match=message):
        goals.change_status(world.goal, "stopped", on=on, changed_by=world.key_worker, today=TODAY)


def review(world, scores, assessed_on=date(2026, 4, 10), **kwargs):
    """Record a parent's review of the world's child."""
    return goals.record_review(
        world.child,
        rater=kwargs.pop("rater", "parent_carer"),
        assessed_on=assessed_on,
        scores=scores,
        recorded_by=world.key_worker,
        today=TODAY,
        **kwargs,
    )


def test_a_review_records_every_goal_and_shows_the_change(world):
    second = set_goal(world)
    review(world, {world.goal.id: (5, 6), second.id: (2, 3)})
    result = goals.review(world.child, "parent_carer", date(2026, 4, 10))
    assert result.total_performance == pytest.approx(3.5)
    assert result.total_satisfaction == pytest.approx(4.5)
    # Only the first goal was rated before (3, 4 on 10 January), so only it is reassessed.
    assert result.total_change_performance == pytest.approx(2)
    assert result.total_change_satisfaction == pytest.approx(2)
    first_line = next(line for line in result.lines if line.goal.id == world.goal.id)
    assert first_line.series.performance_band == "improved"
    assert first_line.previous.performance == 3


def test_child_and_parent_views_are_separate_series(world):
    review(world, {world.goal.id: (9, 9)}, rater="child")
    progress = goals.goal_progress(world.goal, as_at=TODAY)
    assert set(progress.series) == {"child", "parent_carer"}
    assert progress.series["child"].reassessed is False
    assert progress.series["parent_carer"].reassessed is False


def test_rating_again_on_the_same_day_asks_first_then_corrects_and_audits(world):
    review(world, {world.goal.id: (5, 6)})
    db.session.commit()
    asked = review(world, {world.goal.id: (6, 6)})
    assert asked.needs_confirmation and (asked.created, asked.corrected) == (0, 0)
    assert [entry.recorded_by for entry in asked.earlier] == [world.key_worker]
    db.session.rollback()
    unchanged = db.session.scalar(select(Rating).where(Rating.assessed_on == date(2026, 4, 10)))
    assert (unchanged.performance, unchanged.satisfaction) == (5, 6)  # nothing written
    result = review(world, {world.goal.id: (6, 6)}, replace_same_day=True)
    assert (result.created, result.corrected) == (0, 1)
    ratings = db.session.scalars(
        select(Rating).where(Rating.assessed_on == date(2026, 4, 10))
    ).all()
    assert [(r.performance, r.satisfaction) for r in ratings] == [(6, 6)]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "rating_corrected"))
    assert event.detail["before"] == {"performance": 5, "satisfaction": 6}


def test_submitting_the_same_review_twice_records_it_once(world):
    review(world, {world.goal.id: (5, 6)}, note="Went well")
    result = review(world, {world.goal.id: (5, 6)}, note="Went well")
    assert (result.created, result.corrected, result.unchanged) == (0, 0, 1)
    assert db.session.scalar(select(func.count(Rating.id))) == 2  # the world's rating + this one
    assert db.session.scalar(select(func.count(Note.id))) == 1


def test_two_reviews_sent_at_the_same_moment_correct_rather_than_duplicate(app, world, monkeypatch):
    db.session.commit()
    child_id, goal_id, parent_id = world.child.id, world.goal.id, world.parent.id
    day = date(2026, 3, 1)
    first_is_writing, first_may_finish = threading.Event(), threading.Event()
    finish = kept.Tracked.finish

    def finish_slowly(tracked):
        """Hold the first review open, mid-transaction, until the second has been sent."""
        finish(tracked)
        if threading.current_thread().name == "first":
            first_is_writing.set()
            first_may_finish.wait(10)

    monkeypatch.setattr(kept.Tracked, "finish", finish_slowly)
    failures = []

    def send(scores):
        """Record a review in a request of its own, as gunicorn would."""
        try:
            with app.app_context():
                goals.record_review(
                    db.session.get(Child, child_id),
                    rater="parent_carer",
                    assessed_on=day,
                    scores={goal_id: scores},
                    recorded_by=db.session.get(User, parent_id),
                    replace_same_day=True,
                    today=day,
                )
                db.session.commit()
        except Exception as error:  # the test reports any failure
            failures.append(error)

    first = threading.Thread(target=send, args=((5, 5),), name="first")
    second = threading.Thread(target=send, args=((7, 8),), name="second")
    first.start()
    assert first_is_writing.wait(10)
    second.start()
    time.sleep(0.3)  # the second review reaches the database while the first is unfinished
    first_may_finish.set()
    first.join(10)
    second.join(10)
    assert failures == []
    ratings = db.session.scalars(
        select(Rating).where(Rating.goal_id == goal_id, Rating.assessed_on == day)
    ).all()
    assert [(rating.performance, rating.satisfaction) for rating in ratings] == [(7, 8)]
    correction = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "rating_corrected")
    )
    assert correction.detail["before"] == {"performance": 5, "satisfaction": 5}


@pytest.mark.parametrize(
    ("scores", "kwargs", "message"),
    [
        ({"goal": (0, 5)}, {}, "whole numbers from 1 to 10"),
        ({"goal": (5, 11)}, {}, "whole numbers from 1 to 10"),
        ({"goal": (True, 5)}, {}, "whole numbers from 1 to 10"),
        ({}, {}, "Rate at least one goal"),
        ({"goal": (5, 5)}, {"assessed_on": date(2026, 6, 2)}, "today or in the past"),
        ({"goal": (5, 5)}, {"assessed_on": date(2026, 1, 4)}, "on or after the goal"),
        ({"goal": (5, 5)}, {"rater": "teacher"}, "whose view"),
        ({"other": (5, 5)}, {}, "only this child's goals"),
    ],
)
def test_invalid_reviews_write_nothing(world, scores, kwargs, message):
    ids = {"goal": world.goal.id, "other": world.other_goal.id}
    before = db.session.scalar(select(func.count(Rating.id)))
    with pytest.raises(goals.GoalError, match=message):
        review(world, {ids[key]: value for key, value in scores.items()}, **kwargs)
    assert db.session.scalar(select(func.count(Rating.id))) == before


def test_a_review_with_one_bad_goal_writes_none_of_it(world):
    second = set_goal(world)
    with pytest.raises(goals.GoalError):
        review(world, {world.goal.id: (5, 5), second.id: (5, 99)})
    assert db.session.scalar(select(func.count(Rating.id))) == 1


def test_notes_are_kept_newest_first(world):
    goals.add_note(world.child, "managed buttons on Tuesday!", world.parent)
    goals.add_note(world.child, "second note", world.parent)
    assert {note.body for note in goals.notes(world.child)} == {
        "second note",
        "managed buttons on Tuesday!",
    }
    with pytest.raises(goals.GoalError, match="Enter the note"):
        goals.add_note(world.child, "   ", world.parent)
