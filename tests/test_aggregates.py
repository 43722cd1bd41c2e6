"""Kept aggregates: the report from them equals the full computation, after any change."""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from goaltracker import aggregates, aggregation, areas, erasure, goals, importing, records
from goaltracker.extensions import db
from goaltracker.models import AggregateSnapshot
from tests import factories
from tests.conftest import DATA, empty_tables

SNAPSHOTS = [date(2025, 9, 30), date(2025, 12, 31), date(2026, 3, 31), date(2026, 6, 30)]
REPORT_CHOICES = [
    (None, {}),
    ("age_band", {}),
    ("primary_need", {}),
    ("ehcp", {}),
    ("organisation", {}),
    ("rater", {}),
    (None, {"rater": "child"}),
    ("ehcp", {"age_band": "5-10"}),
    ("rater", {"ehcp": True, "rater": "parent_carer"}),
]


def full_report(area, as_at, by, filters, compute=aggregation.outcomes_report):
    """Return the report computed from the records, as if no aggregates were kept."""
    snapshot = db.session.get(AggregateSnapshot, (area.id, as_at))
    if snapshot is None:
        return compute(db.session, area, as_at, by=by, filters=filters)
    db.session.delete(snapshot)
    db.session.flush()
    try:
        return compute(db.session, area, as_at, by=by, filters=filters)
    finally:
        db.session.add(AggregateSnapshot(area_id=area.id, as_at=as_at))
        db.session.flush()


def assert_kept_equals_full(area, dates) -> None:
    """Check every kept snapshot cell by cell, and the reports, against a fresh computation."""
    for as_at in dates:
        assert aggregates.kept_cells(db.session, area, as_at) == {
            cell: sums
            for cell, sums in aggregates.computed_cells(db.session, area, as_at).items()
            if any(sums.values())
        }, as_at


@pytest.fixture
def small_area(app):
    """The reference area SMALL, imported."""
    area = factories.make_area("SMALL")
    for position, code in enumerate(("HEALTHY", "INCLUDED", "INDEPENDENT"), start=1):
        factories.make_outcome(area, code, position=position)
    summary = importing.import_ratings(db.session, area, DATA / "small_area.csv")
    assert summary.ok, summary.errors
    db.session.commit()
    return area


@pytest.mark.parametrize(("by", "filters"), REPORT_CHOICES)
def test_reports_from_kept_aggregates_equal_the_full_computation(small_area, by, filters):
    as_at = date(2026, 3, 31)
    aggregates.rebuild(db.session, small_area, as_at)
    assert aggregation.has_kept_aggregates(db.session, small_area, as_at)
    for compute in (aggregation.outcomes_report, aggregation.exact_outcomes_report):
        kept = compute(db.session, small_area, as_at, by=by, filters=filters)
        assert kept == full_report(small_area, as_at, by, filters, compute)


def test_refresh_keeps_quarter_ends_and_today_and_drops_old_days(small_area):
    today = date(2026, 5, 6)
    built = aggregates.refresh(db.session, small_area, today)
    assert built == [date(2025, 9, 30), date(2025, 12, 31), date(2026, 3, 31), today]
    assert aggregates.refresh(db.session, small_area, today + timedelta(days=1)) == [
        today + timedelta(days=1)
    ]
    assert today not in aggregates.snapshot_dates(db.session, small_area.id)


@pytest.mark.parametrize("children_per_statement", [5000, 1])
def test_import_keeps_aggregates_right_and_a_second_import_changes_nothing(
    app, monkeypatch, children_per_statement
):
    # Counted a few children at a time, the sums are the same as counted all at once.
    monkeypatch.setattr(aggregates, "CHILDREN_PER_STATEMENT", children_per_statement)
    area = factories.make_area("SMALL")
    for code in ("HEALTHY", "INCLUDED", "INDEPENDENT"):
        factories.make_outcome(area, code)
    aggregates.refresh(db.session, area, date(2026, 3, 31))
    for as_at in SNAPSHOTS[:3]:
        aggregates.rebuild(db.session, area, as_at)
    importing.import_ratings(db.session, area, DATA / "small_area.csv")
    assert_kept_equals_full(area, SNAPSHOTS[:3])
    before = {as_at: aggregates.kept_cells(db.session, area, as_at) for as_at in SNAPSHOTS[:3]}
    importing.import_ratings(db.session, area, DATA / "small_area.csv")
    assert {as_at: aggregates.kept_cells(db.session, area, as_at) for as_at in SNAPSHOTS[:3]} == (
        before
    )


def test_erasure_and_key_worker_change_keep_aggregates_right(world):
    factories.make_goal(world.child, set_on=date(2025, 8, 1)).outcomes = [world.outcome]
    for as_at in SNAPSHOTS:
        aggregates.rebuild(db.session, world.area, as_at)
    records.change_key_worker(world.child, world.school_practitioner, world.admin)
    assert_kept_equals_full(world.area, SNAPSHOTS)
    erasure.erase_child(world.other_child, world.admin, "verified")
    assert_kept_equals_full(world.area, SNAPSHOTS)


@pytest.mark.parametrize(
    "change", [{"important_change": 1.0}, {"review_interval_days": 30}, {"max_active_goals": 3}]
)
def test_a_change_of_area_settings_keeps_every_report_right(small_area, change):
    today = date.today()
    kept = [*SNAPSHOTS, today]
    for as_at in kept:
        aggregates.rebuild(db.session, small_area, as_at)
    # A change made before the settings change fills the statement cache of the old settings.
    clinic = factories.make_organisation(small_area)
    worker = factories.make_user("practitioner", small_area, clinic)
    child = factories.make_child(worker)
    with aggregates.maintained(db.session, [child.id]):
        goal = factories.make_goal(child, set_on=date(2025, 9, 1))
        factories.make_rating(goal, date(2026, 1, 5), 2, 2)
    assert_kept_equals_full(small_area, kept)
    settings = {
        "review_interval_days": small_area.review_interval_days,
        "suppression_threshold": small_area.suppression_threshold,
        "max_active_goals": small_area.max_active_goals,
        "important_change": float(small_area.important_change),
        **change,
    }
    areas.update_settings(small_area, **settings)
    # What counts changed: today is rebuilt at once, past dates are computed from the records
    # until the next refresh keeps them again.
    held = aggregates.snapshot_dates(db.session, small_area.id)
    assert held == (kept if "max_active_goals" in change else [today])
    assert_kept_equals_full(small_area, held)
    with aggregates.maintained(db.session, [goal.child_id]):
        factories.make_rating(goal, date(2026, 3, 5), 5, 6)
    assert_kept_equals_full(small_area, held)
    aggregates.refresh(db.session, small_area, today)
    assert set(kept) <= set(aggregates.snapshot_dates(db.session, small_area.id))
    assert_kept_equals_full(small_area, aggregates.snapshot_dates(db.session, small_area.id))


DAYS = st.integers(min_value=0, max_value=560).map(lambda days: date(2025, 1, 1) + timedelta(days))
OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("set_goal"), st.integers(0, 2), DAYS, st.integers(0, 3)),
        st.tuples(
            st.just("review"),
            st.integers(0, 2),
            DAYS,
            st.sampled_from(["child", "parent_carer"]),
            st.lists(st.tuples(st.integers(1, 10), st.integers(1, 10)), min_size=1, max_size=3),
        ),
        st.tuples(
            st.just("status"),
            st.integers(0, 8),
            st.sampled_from(["achieved", "stopped", "active"]),
            DAYS,
        ),
        st.tuples(st.just("outcomes"), st.integers(0, 8), st.integers(0, 3)),
        st.tuples(st.just("key_worker"), st.integers(0, 2)),
        st.tuples(st.just("erase"), st.integers(0, 2)),
    ),
    min_size=1,
    max_size=8,
)


def apply(operation, world, children, outcomes) -> None:
    """Carry out one random change through the same functions the pages use."""
    kind = operation[0]
    live = [child for child in children if child.erased_at is None]
    all_goals = [goal for child in live for goal in child.goals]
    if not live:
        return
    try:
        if kind == "set_goal":
            _, index, day, links = operation
            goals.set_goal(
                live[index % len(live)],
                text="Random goal",
                occupation_area="leisure",
                importance=5,
                set_on=day,
                set_by=world.key_worker,
                outcome_ids=[outcome.id for outcome in outcomes[:links]],
            )
        elif kind == "review" and all_goals:
            _, index, day, rater, scores = operation
            child = live[index % len(live)]
            rated = [goal for goal in child.goals if goal.set_on <= day][: len(scores)]
            if rated:
                goals.record_review(
                    child,
                    rater=rater,
                    assessed_on=day,
                    scores=dict(zip([g.id for g in rated], scores, strict=False)),
                    recorded_by=world.key_worker,
                    replace_same_day=True,
                )
        elif kind == "status" and all_goals:
            _, index, status, day = operation
            goal = all_goals[index % len(all_goals)]
            goals.change_status(goal, status, on=max(day, goal.set_on), changed_by=world.key_worker)
        elif kind == "outcomes" and all_goals:
            _, index, links = operation
            goal = all_goals[index % len(all_goals)]
            goals.edit_goal(
                goal,
                text=goal.text,
                importance=goal.importance,
                outcome_ids=[outcome.id for outcome in outcomes[:links]],
                changed_by=world.key_worker,
            )
        elif kind == "key_worker":
            worker = [world.key_worker, world.school_practitioner][operation[1] % 2]
            records.change_key_worker(live[operation[1] % len(live)], worker, world.admin)
        elif kind == "erase":
            erasure.erase_child(live[operation[1] % len(live)], world.admin, "verified")
    except goals.GoalError:
        db.session.rollback()  # a change the rules refuse changes nothing


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=OPERATIONS)
def test_random_changes_keep_the_aggregates_equal_to_a_full_recompute(app, operations):
    empty_tables()
    world = factories.build_world()
    outcomes = [world.outcome] + [
        factories.make_outcome(world.area, code, position=position)
        for position, code in enumerate(("SAFE", "INCLUDED"), start=2)
    ]
    children = [
        world.child,
        world.other_child,
        factories.make_child(world.key_worker, date_of_birth=date(2009, 4, 1), ehcp=False),
    ]
    dates = [*SNAPSHOTS, date.today()]
    for as_at in dates:
        aggregates.rebuild(db.session, world.area, as_at)
    db.session.commit()
    for operation in operations:
        apply(operation, world, children, outcomes)
        db.session.commit()
        for child in children:
            db.session.refresh(child)
    assert_kept_equals_full(world.area, dates)
    db.session.execute(delete(AggregateSnapshot))
    db.session.commit()


def test_refresh_command_builds_and_reports_the_dates(runner, small_area):
    result = runner.invoke(args=["refresh-aggregates", "--area", "SMALL"])
    assert result.exit_code == 0, result.output
    assert "SMALL: built" in result.output
    assert date.today() in aggregates.snapshot_dates(db.session, small_area.id)
    rebuilt = runner.invoke(args=["refresh-aggregates", "--rebuild"])
    assert rebuilt.exit_code == 0 and "SMALL: built" in rebuilt.output
    assert runner.invoke(args=["refresh-aggregates", "--area", "NOPE"]).exit_code != 0


def test_the_check_after_every_test_catches_a_write_that_skips_the_kept_aggregates(world):
    """The suite's autouse check (tests/conftest.py) fails when a write forgets the kept cells."""
    from tests.conftest import assert_kept_cells_are_true

    world.goal.outcomes = [world.outcome]
    db.session.commit()
    aggregates.refresh(db.session, world.area, date(2026, 6, 30), everything=True)
    db.session.commit()
    assert_kept_cells_are_true()
    # A rating written straight into the table, as no write path of the service may do.
    factories.make_rating(world.goal, date(2026, 5, 1), 9, 9)
    db.session.commit()
    with pytest.raises(AssertionError, match="kept aggregates of"):
        assert_kept_cells_are_true()
    aggregates.refresh(db.session, world.area, date(2026, 6, 30), everything=True)
    db.session.commit()
    assert_kept_cells_are_true()
