"""Synthetic data at scale: realistic shapes, the same data for a seed, and the seed command."""

from collections import Counter, defaultdict
from datetime import date

import pytest
from sqlalchemy import func, select

from goaltracker import scoring, vocabulary
from goaltracker.cli import seed_synthetic_command
from goaltracker.devtools import synthetic
from goaltracker.devtools.synthetic import seed_synthetic
from goaltracker.extensions import db
from goaltracker.models import (
    Area,
    Child,
    Goal,
    Organisation,
    Rating,
    StrategicOutcome,
    goal_outcome,
    utcnow,
)
from goaltracker.reports import outcome_reports
from tests import factories

TODAY = date(2026, 4, 30)
CHILDREN = 400


def snapshot(area: Area) -> dict:
    """Return everything seeded in an area, keyed by references so that ids do not matter."""
    children = {
        row.reference: (
            row.date_of_birth,
            row.primary_need,
            row.ehcp,
            row.name,
            row.created_at,
            row.key_worker_id,
        )
        for row in db.session.execute(
            select(
                Child.reference,
                Child.date_of_birth,
                Child.primary_need,
                Child.ehcp,
                Organisation.name,
                Child.created_at,
                Child.key_worker_id,
            )
            .join(Organisation, Organisation.id == Child.organisation_id)
            .where(Child.area_id == area.id)
        )
    }
    outcomes = defaultdict(list)
    for reference, code in db.session.execute(
        select(Goal.reference, StrategicOutcome.code)
        .join(goal_outcome, goal_outcome.c.goal_id == Goal.id)
        .join(StrategicOutcome, StrategicOutcome.id == goal_outcome.c.outcome_id)
        .where(StrategicOutcome.area_id == area.id)
    ):
        outcomes[reference].append(code)
    goals = {
        row[0]: (*row[1:], sorted(outcomes[row[0]]))
        for row in db.session.execute(
            select(
                Goal.reference,
                Child.reference,
                Goal.text,
                Goal.occupation_area,
                Goal.sub_area,
                Goal.importance,
                Goal.set_on,
                Goal.status,
                Goal.closed_on,
                Goal.created_at,
            )
            .join(Child, Child.id == Goal.child_id)
            .where(Child.area_id == area.id)
        )
    }
    ratings = sorted(
        tuple(row)
        for row in db.session.execute(
            select(
                Goal.reference,
                Rating.rater,
                Rating.assessed_on,
                Rating.performance,
                Rating.satisfaction,
                Rating.note,
                Rating.recorded_at,
            )
            .join(Goal, Goal.id == Rating.goal_id)
            .join(Child, Child.id == Goal.child_id)
            .where(Child.area_id == area.id)
        )
    )
    return {"children": children, "goals": goals, "ratings": ratings}


@pytest.fixture
def seeded(app):
    """An area seeded with a few hundred synthetic children, and the summary of what was added."""
    area = factories.make_area("SYN")
    summary = seed_synthetic(db.session, area, CHILDREN, seed=7, today=TODAY)
    return area, summary


def test_seeding_writes_the_children_it_reports(seeded):
    area, summary = seeded
    count = {
        model: db.session.scalar(select(func.count()).select_from(model))
        for model in (Goal, Rating)
    }
    references = set(db.session.scalars(select(Child.reference).where(Child.area_id == area.id)))
    assert summary.children == CHILDREN
    assert references == {f"SYN-{number}" for number in range(1, CHILDREN + 1)}
    assert (summary.first_reference, summary.last_reference) == ("SYN-1", f"SYN-{CHILDREN}")
    assert summary.goals == count[Goal]
    assert summary.ratings == count[Rating]
    assert summary.outcome_links == db.session.scalar(
        select(func.count()).select_from(goal_outcome)
    )


def test_an_empty_area_gets_a_mix_of_organisations_and_five_outcomes(seeded):
    area, summary = seeded
    types = Counter(
        db.session.scalars(select(Organisation.type).where(Organisation.area_id == area.id))
    )
    outcomes = db.session.scalars(
        select(StrategicOutcome.code).where(StrategicOutcome.area_id == area.id)
    ).all()
    assert (summary.organisations_created, summary.outcomes_created) == (12, 5)
    assert sum(types.values()) == 12
    assert set(types) == set(vocabulary.ORGANISATION_TYPES)
    assert len(outcomes) == 5


def test_children_have_realistic_ages_needs_and_plans(seeded):
    area, _ = seeded
    children = db.session.scalars(select(Child).where(Child.area_id == area.id)).all()
    ages = [scoring.age_on(child.date_of_birth, TODAY) for child in children]
    needs = Counter(child.primary_need for child in children)
    plans = sum(child.ehcp for child in children) / len(children)
    assert min(ages) >= 0
    assert sum(age > 25 for age in ages) <= len(children) * 0.03
    assert sum(5 <= age <= 15 for age in ages) >= len(children) * 0.5
    assert set(needs) <= set(vocabulary.PRIMARY_NEEDS)
    assert {need for need, _ in needs.most_common(3)} == {"ASD", "SEMH", "SLCN"}
    assert 0.2 <= plans <= 0.4
    assert all(child.key_worker_id is None for child in children)
    assert len({child.organisation_id for child in children}) >= 10


def test_goals_have_valid_fields_and_up_to_two_outcomes(seeded):
    area, _ = seeded
    goals = db.session.scalars(
        select(Goal).join(Child, Child.id == Goal.child_id).where(Child.area_id == area.id)
    ).all()
    per_child = Counter(goal.child_id for goal in goals)
    links = Counter(
        db.session.scalars(select(goal_outcome.c.goal_id)).all()
    )  # goal id -> outcomes linked
    closed = [goal for goal in goals if goal.status != "active"]
    assert set(per_child.values()) <= {1, 2, 3, 4, 5}
    assert len(per_child) == CHILDREN
    assert {goal.occupation_area for goal in goals} == set(vocabulary.OCCUPATION_AREAS)
    assert all(
        vocabulary.OCCUPATION_AREA_OF_SUB_AREA[goal.sub_area] == goal.occupation_area
        for goal in goals
    )
    assert all(1 <= goal.importance <= 10 for goal in goals)
    assert all(0 < len(goal.text) <= 500 for goal in goals)
    assert max(links.values()) <= 2
    assert 0.05 <= 1 - len(links) / len(goals) <= 0.3
    assert 0.08 <= len(closed) / len(goals) <= 0.25
    assert all(goal.set_on <= goal.closed_on < TODAY for goal in closed)
    assert all(goal.closed_on is None for goal in goals if goal.status == "active")


def test_ratings_follow_the_rules_and_drift_upwards(seeded):
    area, _ = seeded
    rows = db.session.execute(
        select(Rating, Goal, Child)
        .join(Goal, Goal.id == Rating.goal_id)
        .join(Child, Child.id == Goal.child_id)
        .where(Child.area_id == area.id)
    ).all()
    series = defaultdict(list)
    for rating, goal, child in rows:
        series[goal.id, rating.rater].append(rating)
        assert goal.set_on <= rating.assessed_on < TODAY
        assert goal.closed_on is None or rating.assessed_on <= goal.closed_on
        assert 1 <= rating.performance <= 10 and 1 <= rating.satisfaction <= 10
        assert rating.recorded_at.date() >= rating.assessed_on
        if rating.rater == "child":
            assert scoring.age_on(child.date_of_birth, goal.set_on) >= 8
    raters_per_goal = Counter(goal_id for goal_id, _ in series)
    changes = [
        sorted(ratings, key=lambda rating: rating.assessed_on)[-1].performance
        - sorted(ratings, key=lambda rating: rating.assessed_on)[0].performance
        for ratings in series.values()
        if len(ratings) >= 2
    ]
    backdated = sum(rating.recorded_at.date() > rating.assessed_on for rating, _, _ in rows)
    assert {len(ratings) for ratings in series.values()} <= set(range(1, 7))
    assert set(raters_per_goal.values()) == {1, 2}
    assert {rater for _, rater in series} == set(vocabulary.RATERS)
    assert sum(changes) / len(changes) > 0.5
    assert any(change < 0 for change in changes)
    assert 0.05 <= backdated / len(rows) <= 0.25
    span = max(rating.assessed_on for rating, _, _ in rows) - min(
        rating.assessed_on for rating, _, _ in rows
    )
    assert 600 <= span.days <= 730


def test_the_same_seed_gives_the_same_data_and_another_seed_does_not(app):
    first, second, other = (factories.make_area(code) for code in ("FIRST", "SECOND", "OTHER"))
    seed_synthetic(db.session, first, 60, seed=3, today=TODAY)
    seed_synthetic(db.session, second, 60, seed=3, today=TODAY)
    seed_synthetic(db.session, other, 60, seed=4, today=TODAY)
    assert snapshot(first) == snapshot(second)
    assert snapshot(first) != snapshot(other)


def test_batch_size_does_not_change_the_data(app):
    small, large = factories.make_area("SMALLBATCH"), factories.make_area("LARGEBATCH")
    seed_synthetic(db.session, small, 50, seed=5, today=TODAY, batch_size=7)
    seed_synthetic(db.session, large, 50, seed=5, today=TODAY, batch_size=5000)
    assert snapshot(small) == snapshot(large)


def test_seeding_again_continues_the_numbering_with_the_same_children(app):
    whole, parts = factories.make_area("WHOLE"), factories.make_area("PARTS")
    seed_synthetic(db.session, whole, 30, seed=2, today=TODAY)
    seed_synthetic(db.session, parts, 12, seed=2, today=TODAY)
    summary = seed_synthetic(db.session, parts, 18, seed=2, today=TODAY)
    assert (summary.first_reference, summary.last_reference) == ("SYN-13", "SYN-30")
    assert snapshot(whole) == snapshot(parts)


def test_copy_and_insert_write_the_same_data_on_postgresql(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    copied, inserted = factories.make_area("COPIED"), factories.make_area("INSERTED")
    seed_synthetic(db.session, copied, 40, seed=9, today=TODAY, use_copy=True, batch_size=15)
    seed_synthetic(db.session, inserted, 40, seed=9, today=TODAY, use_copy=False)
    assert snapshot(copied) == snapshot(inserted)


def test_existing_organisations_and_outcomes_are_used(app):
    area = factories.make_area("KEPT")
    organisations = [factories.make_organisation(area, f"Agency {n}") for n in range(3)]
    outcomes = [factories.make_outcome(area, code, position=n) for n, code in enumerate("ABC")]
    retired = factories.make_outcome(area, "RETIRED", position=9)
    retired.retired_at = utcnow()
    summary = seed_synthetic(db.session, area, 50, today=TODAY)
    used_organisations = set(
        db.session.scalars(select(Child.organisation_id).where(Child.area_id == area.id))
    )
    linked = set(db.session.scalars(select(goal_outcome.c.outcome_id)))
    assert (summary.organisations_created, summary.outcomes_created) == (0, 0)
    assert used_organisations == {organisation.id for organisation in organisations}
    assert linked == {outcome.id for outcome in outcomes}


def test_progress_is_reported_per_batch(app):
    area = factories.make_area()
    steps = []
    seed_synthetic(db.session, area, 23, today=TODAY, batch_size=10, progress=steps.append)
    assert steps == [10, 10, 3]


def test_the_outcomes_report_runs_on_seeded_data(seeded):
    area, summary = seeded
    report = outcome_reports.exact_outcomes_report(db.session, area, TODAY)
    by_age = outcome_reports.exact_outcomes_report(
        db.session, area, date(2026, 3, 31), by="age_band"
    )
    filtered = outcome_reports.exact_outcomes_report(
        db.session, area, TODAY, filters={"ehcp": True}
    )
    everything = report.rows_for("ALL")[0]
    assert everything.children == CHILDREN
    assert everything.goals == summary.goals
    assert everything.ratings == summary.ratings
    assert everything.reassessed > 0
    assert everything.mean_change_performance > 0
    assert len(report.rows) == 6
    assert {row.group for row in by_age.rows_for("ALL")[1:]} >= {"5-10", "11-15", "16-19"}
    assert 0 < filtered.rows_for("ALL")[0].children < CHILDREN


def test_the_command_seeds_an_area(app, runner):
    area = factories.make_area("CLI")
    db.session.commit()
    result = runner.invoke(
        seed_synthetic_command, ["--area", "CLI", "--children", "25", "--seed", "3"]
    )
    assert result.exit_code == 0, result.output
    assert "Added 25 children (SYN-1 to SYN-25)" in result.output
    count = db.session.scalar(select(func.count(Child.id)).where(Child.area_id == area.id))
    assert count == 25


def test_the_command_refuses_an_unknown_area(app, runner):
    result = runner.invoke(seed_synthetic_command, ["--area", "NOPE", "--children", "5"])
    assert result.exit_code != 0
    assert "No area has the code NOPE" in result.output


@pytest.mark.parametrize(
    ("children", "batch_size"), [(-1, 10), (5, 0)], ids=["negative", "empty batches"]
)
def test_impossible_arguments_are_refused(app, children, batch_size):
    with pytest.raises(ValueError):
        seed_synthetic(db.session, factories.make_area(), children, batch_size=batch_size)


def test_children_are_the_same_whatever_the_area_holds():
    weights = synthetic.organisation_weights(["education", "health", "health", "other"])
    first = synthetic.synthetic_child(1, 42, TODAY, weights, 5)
    again = synthetic.synthetic_child(1, 42, TODAY, weights, 5)
    assert first == again
    assert first.reference == "SYN-42"
    assert sum(len(goal.ratings) for goal in first.goals) >= len(first.goals)


def test_the_application_never_imports_the_synthetic_areas():
    """devtools is for the benchmark and its command: the app and its pages do not load it."""
    import subprocess
    import sys

    program = (
        "import sys\n"
        "from goaltracker import create_app\n"
        "app = create_app({'SECRET_KEY': 'x', 'SQLALCHEMY_DATABASE_URI': 'sqlite://'})\n"
        "app.test_client().get('/')\n"
        "print(sorted(name for name in sys.modules if name.startswith('goaltracker.devtools')))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    ).stdout
    assert found.strip().splitlines()[-1] == "[]"
