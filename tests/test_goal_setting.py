"""Setting goals with a family step by step: ideas, the ones that matter most, outcomes, check,
save all together; the draft lives in the database, never in a cookie."""

from datetime import date

import pytest
from sqlalchemy import func, select

from goaltracker import goal_setting, goals
from goaltracker.extensions import db
from goaltracker.models import AuditEvent, Goal, GoalDraft


def add(client, child, sub_area, text, importance):
    """Add one goal idea through the page."""
    return client.post(
        f"/children/{child.id}/set-goals/write",
        data={"sub_area": sub_area, "text": text, "importance": str(importance)},
    )


def goal_texts(child):
    """Return the texts of the child's goals."""
    return {goal.text for goal in db.session.scalars(select(Goal).where(Goal.child_id == child.id))}


def test_a_key_worker_sets_three_goals_with_the_family(client, auth, world):
    child = world.other_child  # one goal so far
    auth.sign_in(world.key_worker)
    page = client.get(f"/children/{child.id}/set-goals").get_data(as_text=True)
    assert "Write the goals" in page and "Cannot start yet" in page
    for sub_area, text, importance in (
        ("personal_care", "Get dressed for school by myself", 9),
        ("socialising", "Play a game at break time", 8),
        ("getting_around", "Walk to the shop with my sister", 4),
        ("play", "Build a den in the garden", 7),
    ):
        assert add(client, child, sub_area, text, importance).status_code == 302
    written = client.get(f"/children/{child.id}/set-goals/write").get_data(as_text=True)
    assert "Written so far (4)" in written
    assert goal_texts(child) == {"Ask for a drink"}  # nothing on the record yet
    # Choose the three that matter most: listed most important first.
    choose = client.get(f"/children/{child.id}/set-goals/choose").get_data(as_text=True)
    assert choose.index("Get dressed") < choose.index("Build a den") < choose.index("Walk to")
    draft = goal_setting.load(child, world.key_worker)
    keys = {idea.text: idea.key for idea in draft.ideas}
    chosen = [keys["Get dressed for school by myself"], keys["Play a game at break time"]]
    chosen.append(keys["Build a den in the garden"])
    response = client.post(
        f"/children/{child.id}/set-goals/choose", data={"chosen": [str(key) for key in chosen]}
    )
    assert response.headers["Location"].endswith("/set-goals/outcomes")
    outcomes_page = client.get(f"/children/{child.id}/set-goals/outcomes").get_data(as_text=True)
    assert world.outcome.description in outcomes_page  # from plain descriptions
    response = client.post(
        f"/children/{child.id}/set-goals/outcomes",
        data={f"outcomes_{chosen[0]}": [str(world.outcome.id)]},
    )
    assert response.headers["Location"].endswith("/set-goals/check")
    check = client.get(f"/children/{child.id}/set-goals/check").get_data(as_text=True)
    for text in ("Get dressed for school by myself", "Play a game at break time", "9 out of 10"):
        assert text in check
    assert "Walk to the shop" not in check and world.outcome.title in check
    saved = client.post(f"/children/{child.id}/set-goals/check", data={})
    assert saved.headers["Location"].endswith(f"/children/{child.id}")
    assert goal_texts(child) == {
        "Ask for a drink",
        "Get dressed for school by myself",
        "Play a game at break time",
        "Build a den in the garden",
    }
    dressed = db.session.scalar(
        select(Goal).where(Goal.child_id == child.id, Goal.text.startswith("Get dressed"))
    )
    assert (dressed.importance, dressed.sub_area, dressed.occupation_area) == (
        9,
        "personal_care",
        "self_care",
    )
    assert [outcome.id for outcome in dressed.outcomes] == [world.outcome.id]
    assert dressed.set_on == date.today()
    # The draft is gone, and each goal's setting is audited.
    assert db.session.scalar(select(func.count()).select_from(GoalDraft)) == 0
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "goal_set")
        )
        == 3
    )


def test_no_more_can_be_chosen_than_the_area_allows(client, auth, world):
    world.area.max_active_goals = 2  # Amir has one active goal: one place left
    db.session.commit()
    auth.sign_in(world.parent)
    add(client, world.child, "play", "Play football", 8)
    add(client, world.child, "play", "Play chess", 6)
    keys = [idea.key for idea in goal_setting.load(world.child, world.parent).ideas]
    page = client.post(
        f"/children/{world.child.id}/set-goals/choose", data={"chosen": [str(k) for k in keys]}
    ).get_data(as_text=True)
    assert "Choose 1 goal or fewer" in page
    page = client.post(f"/children/{world.child.id}/set-goals/choose", data={}).get_data(
        as_text=True
    )
    assert "Choose at least one goal to work on" in page


def test_bad_ideas_come_back_with_what_was_typed(client, auth, world):
    auth.sign_in(world.parent)
    page = add(client, world.child, "nonsense", "  Keep my words  ", "11").get_data(as_text=True)
    assert "Keep my words" in page
    assert "There is a problem" in page
    page = add(client, world.child, "play", "x" * 501, 5).get_data(as_text=True)
    assert "500 characters or fewer" in page
    assert goal_setting.load(world.child, world.parent).ideas == []


def test_the_draft_is_each_persons_own_and_can_be_cleared(client, auth, world):
    auth.sign_in(world.parent)
    add(client, world.child, "play", "Play football", 8)
    auth.sign_out()
    auth.sign_in(world.key_worker)
    assert "Play football" not in client.get(
        f"/children/{world.child.id}/set-goals/write"
    ).get_data(as_text=True)
    auth.sign_out()
    auth.sign_in(world.parent)
    client.post(f"/children/{world.child.id}/set-goals/discard", data={})
    assert goal_setting.load(world.child, world.parent).ideas == []


def test_steps_that_cannot_start_yet_go_back_to_the_task_list(client, auth, world):
    auth.sign_in(world.parent)
    for step in ("choose", "outcomes", "check"):
        response = client.get(f"/children/{world.child.id}/set-goals/{step}")
        assert response.headers["Location"].endswith(f"/children/{world.child.id}/set-goals")


def test_saving_checks_the_limit_again(world):
    draft = goal_setting.Draft()
    for number in range(3):
        goal_setting.add_idea(draft, "play", f"Idea {number}", 5)
    goal_setting.choose(draft, [1, 2], places=2)
    world.area.max_active_goals = 2
    with pytest.raises(goals.GoalError):
        goal_setting.save_goals(world.child, draft, world.parent, date.today())


def test_a_stored_draft_that_no_longer_makes_sense_is_cleaned(world):
    db.session.add(
        GoalDraft(
            child_id=world.child.id,
            user_id=world.parent.id,
            data={
                "ideas": [
                    {"key": 1, "sub_area": "play", "text": "Kept", "importance": 5},
                    {"key": 2, "sub_area": "gone", "text": "Dropped", "importance": 5},
                    {"key": "x"},
                ],
                "chosen": [1, 2, 99],
                "outcomes": {"1": [3], "2": [4]},
            },
        )
    )
    db.session.flush()
    draft = goal_setting.load(world.child, world.parent)
    assert [idea.text for idea in draft.ideas] == ["Kept"]
    assert draft.chosen == [1] and draft.outcomes == {1: [3]}


def test_goals_being_set_that_nobody_came_back_to_are_removed_daily(runner, world):
    from datetime import timedelta

    from goaltracker.models import utcnow

    draft = goal_setting.Draft()
    goal_setting.add_idea(draft, "play", "Swim a width", 5)
    goal_setting.save(world.child, world.parent, draft)
    goal_setting.save(world.other_child, world.parent, draft)
    stale = db.session.scalar(select(GoalDraft).where(GoalDraft.child_id == world.child.id))
    stale.updated_at = utcnow() - timedelta(days=goal_setting.DRAFT_DAYS + 1)
    db.session.commit()
    dry = runner.invoke(args=["apply-retention", "--dry-run"])
    assert (
        dry.exit_code == 0 and db.session.scalar(select(func.count()).select_from(GoalDraft)) == 2
    )
    done = runner.invoke(args=["apply-retention"])
    assert done.exit_code == 0, done.output
    assert "untouched for 7 days: 1 removed" in done.output
    db.session.expire_all()
    assert [d.child_id for d in db.session.scalars(select(GoalDraft))] == [world.other_child.id]
