"""The kept data: the report as at any day from it equals the report computed from the records,
after any change made through the service."""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, func, insert, select

from goaltracker import areas, erasure, goals, importing, records
from goaltracker.extensions import db
from goaltracker.models import (
    ChildDetail,
    OutcomeAggregate,
    OutcomeChange,
    OutcomeJournal,
    Rating,
    goal_outcome,
)
from goaltracker.reports import compute, contributions, kept, outcome_reports
from goaltracker.reports.columns import FULL_GRAIN, grain_for
from tests import factories
from tests.conftest import DATA, empty_tables

TODAY = date(2026, 5, 6)
# A checkpoint, days between checkpoints, today, a day before any goal and a day far ahead.
SOME_DAYS = [
    date(2024, 1, 1),
    date(2025, 9, 30),
    date(2025, 11, 17),
    date(2026, 2, 14),
    date(2026, 3, 31),
    date(2026, 4, 1),
    TODAY,
    date(2027, 8, 1),
]
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


def from_records(area, as_at, by=None, filters=None, make=outcome_reports.exact_outcomes_report):
    """Return the report computed from the records, as if nothing were kept."""
    nested = db.session.begin_nested()
    try:
        kept.forget(db.session, area)
        return make(db.session, area, as_at, by=by, filters=filters)
    finally:
        nested.rollback()


def assert_kept_equals_full(area, days) -> None:
    """Check the kept data cell by cell against a fresh computation, on each of the days."""
    for as_at in days:
        grains = kept.grains_on(db.session, area, as_at)
        assert kept.kept_cells(db.session, area, as_at) == kept.computed_cells(
            db.session, area, as_at, grains
        ), as_at


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
def test_reports_from_the_kept_data_equal_the_full_computation_on_any_day(small_area, by, filters):
    kept.rebuild(db.session, small_area, TODAY)
    grain = grain_for(outcome_reports._dimensions(by, compute.as_filters(filters)))
    for as_at in SOME_DAYS:
        # Reports using at most one of the cohort's dimensions come from the kept data.
        from_kept = kept.cells_source(db.session, small_area, as_at, grain) is not None
        assert from_kept or (
            grain == FULL_GRAIN and as_at not in kept.snapshot_dates(db.session, small_area.id)
        )
        for make in (outcome_reports.outcomes_report, outcome_reports.exact_outcomes_report):
            from_kept = make(db.session, small_area, as_at, by=by, filters=filters)
            assert from_kept == from_records(small_area, as_at, by, filters, make), as_at


def test_every_day_of_two_years_from_the_kept_data_equals_the_records(small_area):
    kept.rebuild(db.session, small_area, TODAY)
    day = date(2024, 6, 1)
    while day <= TODAY + timedelta(days=120):
        grains = kept.grains_on(db.session, small_area, day)
        assert grains
        assert kept.kept_cells(db.session, small_area, day) == kept.computed_cells(
            db.session, small_area, day, grains
        ), day
        day += timedelta(days=3)


def test_a_day_between_checkpoints_reads_at_most_a_month_of_changes(small_area, monkeypatch):
    kept.rebuild(db.session, small_area, TODAY)
    source = kept.cells_source(db.session, small_area, date(2026, 2, 14), grain=0)
    text = str(source.compile(compile_kwargs={"literal_binds": True}))
    assert "outcome_aggregate.as_at = '2026-01-31'" in text
    assert "outcome_change.day > '2026-01-31'" in text


def test_rebuild_keeps_every_month_end_and_today_and_refresh_moves_today_on(small_area):
    built = kept.rebuild(db.session, small_area, TODAY)
    first_goal = date(2025, 1, 1)
    assert built[-1] == TODAY
    month_ends = built[:-1]
    assert all((day + timedelta(days=1)).day == 1 for day in month_ends)
    assert month_ends == kept.month_ends(month_ends[0], TODAY)
    assert month_ends[0] >= first_goal - timedelta(days=400)
    tomorrow = TODAY + timedelta(days=1)
    assert kept.refresh(db.session, small_area, tomorrow) == [tomorrow]
    held = kept.snapshot_dates(db.session, small_area.id)
    assert TODAY not in held and tomorrow in held and date(2026, 4, 30) in held
    assert_kept_equals_full(small_area, [tomorrow, date(2026, 4, 30)])


def test_month_ends_include_short_and_leap_months():
    assert kept.month_ends(date(2024, 1, 15), date(2024, 4, 30)) == [
        date(2024, 1, 31),
        date(2024, 2, 29),
        date(2024, 3, 31),
        date(2024, 4, 30),
    ]
    assert kept.month_ends(date(2025, 12, 2), date(2026, 2, 27)) == [
        date(2025, 12, 31),
        date(2026, 1, 31),
    ]


@pytest.mark.parametrize("children_per_statement", [5000, 1])
def test_import_keeps_the_kept_data_right_and_a_second_import_changes_nothing(
    app, monkeypatch, children_per_statement
):
    # Read a few children at a time, the changes are the same as read all at once.
    monkeypatch.setattr(contributions, "CHILDREN_PER_QUERY", children_per_statement)
    area = factories.make_area("SMALL")
    for code in ("HEALTHY", "INCLUDED", "INDEPENDENT"):
        factories.make_outcome(area, code)
    kept.refresh(db.session, area, TODAY)
    importing.import_ratings(db.session, area, DATA / "small_area.csv")
    assert_kept_equals_full(area, SOME_DAYS)
    changes = db.session.scalar(select(func.count(OutcomeChange.id)))
    before = {as_at: kept.kept_cells(db.session, area, as_at) for as_at in SOME_DAYS}
    importing.import_ratings(db.session, area, DATA / "small_area.csv")
    assert {as_at: kept.kept_cells(db.session, area, as_at) for as_at in SOME_DAYS} == before
    assert db.session.scalar(select(func.count(OutcomeChange.id))) == changes


def test_erasure_and_key_worker_change_keep_the_kept_data_right(world):
    factories.make_goal(world.child, set_on=date(2025, 8, 1), outcomes=[world.outcome])
    kept.rebuild(db.session, world.area, TODAY)
    records.change_key_worker(world.child, world.school_practitioner, world.admin)
    assert_kept_equals_full(world.area, SOME_DAYS)
    erasure.erase_child(world.other_child, world.admin, "verified")
    assert_kept_equals_full(world.area, SOME_DAYS)


@pytest.mark.parametrize(
    "change", [{"important_change": 1.0}, {"review_interval_days": 30}, {"max_active_goals": 3}]
)
def test_a_change_of_area_settings_keeps_every_report_right(small_area, change):
    today = date.today()
    kept.rebuild(db.session, small_area, today)
    clinic = factories.make_organisation(small_area)
    worker = factories.make_user("practitioner", small_area, clinic)
    child = factories.make_child(worker)
    goal = factories.make_goal(child, set_on=date(2025, 9, 1))
    factories.make_rating(goal, date(2026, 1, 5), 2, 2)
    assert_kept_equals_full(small_area, SOME_DAYS)
    settings = {
        "review_interval_days": small_area.review_interval_days,
        "suppression_threshold": small_area.suppression_threshold,
        "max_active_goals": small_area.max_active_goals,
        "important_change": float(small_area.important_change),
        **change,
    }
    areas.update_settings(small_area, **settings)
    counts_changed = "max_active_goals" not in change
    # What counts changed: today is rebuilt at once from the records, other days are computed
    # from the records until the next refresh rebuilds the kept data.
    assert kept.has_changes(db.session, small_area.id) is not counts_changed
    if counts_changed:
        assert kept.snapshot_dates(db.session, small_area.id) == [today]
    factories.make_rating(goal, date(2026, 3, 5), 5, 6)
    assert_kept_equals_full(small_area, [today])
    for as_at in SOME_DAYS:
        assert outcome_reports.exact_outcomes_report(db.session, small_area, as_at) == (
            from_records(small_area, as_at)
        )
    kept.refresh(db.session, small_area, today)
    assert kept.has_changes(db.session, small_area.id)
    assert_kept_equals_full(small_area, [*SOME_DAYS, today])


def journal_rows(area) -> int:
    """Return how many rows the area's journal holds."""
    return db.session.scalar(
        select(func.count(OutcomeJournal.id)).where(OutcomeJournal.area_id == area.id)
    )


def kept_tables(area) -> set:
    """Return every row of the area's two kept tables, without their ids."""
    rows = set()
    for model in (OutcomeAggregate, OutcomeChange):
        table = model.__table__
        columns = [column for column in table.c if column.name != "id"]
        rows |= {
            (model.__name__, *row)
            for row in db.session.execute(select(*columns).where(table.c.area_id == area.id))
        }
    return rows


def reports_on(area, days) -> dict:
    """Return the exact reports, broken down each way, on some days."""
    return {
        (as_at, by, str(filters)): outcome_reports.exact_outcomes_report(
            db.session, area, as_at, by=by, filters=filters
        )
        for as_at in days
        for by, filters in REPORT_CHOICES
    }


def test_a_review_adds_to_the_journal_alone_and_a_fold_moves_it_into_the_kept_tables(small_area):
    kept.rebuild(db.session, small_area, TODAY)
    worker = factories.make_user(
        "practitioner", small_area, factories.make_organisation(small_area)
    )
    child = factories.make_child(worker)
    goals_of_child = [
        factories.make_goal(child, set_on=date(2025, 10, 1 + number)) for number in range(5)
    ]
    kept.fold(db.session, small_area)
    tables = kept_tables(small_area)
    for goal in goals_of_child:
        factories.make_rating(goal, date(2026, 2, 10), 6, 7)
    # The kept tables are untouched: a review writes a few dozen rows of journal.
    assert kept_tables(small_area) == tables
    assert 0 < journal_rows(small_area) <= 100
    assert_kept_equals_full(small_area, SOME_DAYS)
    reports = reports_on(small_area, SOME_DAYS)
    kept.fold(db.session, small_area)
    assert journal_rows(small_area) == 0
    assert kept_tables(small_area) != tables
    assert_kept_equals_full(small_area, SOME_DAYS)
    assert reports_on(small_area, SOME_DAYS) == reports


def test_the_journal_is_folded_by_the_write_that_fills_it_and_by_the_daily_refresh(
    small_area, monkeypatch
):
    monkeypatch.setattr(kept, "JOURNAL_AT_MOST", 40)
    kept.rebuild(db.session, small_area, TODAY)
    worker = factories.make_user(
        "practitioner", small_area, factories.make_organisation(small_area)
    )
    child = factories.make_child(worker)
    goal = factories.make_goal(child, set_on=date(2025, 10, 1))
    held = []
    for month in range(1, 7):
        factories.make_rating(goal, date(2026, month, 3), month, 10 - month)
        held.append(journal_rows(small_area))
        assert held[-1] <= kept.JOURNAL_AT_MOST
    # It filled up and was folded at least once on the way, and the reports stayed right.
    assert any(later < earlier for earlier, later in zip(held, held[1:], strict=False))
    assert_kept_equals_full(small_area, SOME_DAYS)
    factories.make_rating(goal, date(2026, 4, 20), 9, 9, rater="child")
    assert journal_rows(small_area) > 0
    tomorrow = TODAY + timedelta(days=1)
    assert kept.refresh(db.session, small_area, tomorrow) == [tomorrow]
    assert journal_rows(small_area) == 0
    assert_kept_equals_full(small_area, [*SOME_DAYS, tomorrow])
    factories.make_rating(goal, date(2026, 4, 21), 8, 8, rater="child")
    kept.forget(db.session, small_area)
    assert journal_rows(small_area) == 0


@pytest.mark.parametrize(("by", "filters"), REPORT_CHOICES)
def test_reports_at_many_days_equal_each_days_own_report(small_area, by, filters):
    kept.rebuild(db.session, small_area, TODAY)
    worker = factories.make_user(
        "practitioner", small_area, factories.make_organisation(small_area)
    )
    child = factories.make_child(worker)
    goal = factories.make_goal(child, set_on=date(2025, 10, 1))
    # Journal rows dated before the first day asked for, between days, on a day asked for and
    # after the last: each counts from its own day on, and never before it.
    for day in (date(2025, 10, 2), date(2025, 12, 31), date(2026, 2, 10), date(2026, 6, 1)):
        factories.make_rating(goal, day, day.month % 10 + 1, 5)
    assert journal_rows(small_area) > 0
    month_ends = kept.month_ends(date(2025, 11, 1), date(2026, 4, 30))
    days = [*month_ends, date(2026, 2, 14), TODAY, date(2024, 1, 1)]
    for exact, make in (
        (False, outcome_reports.outcomes_report),
        (True, outcome_reports.exact_outcomes_report),
    ):
        together = outcome_reports.reports_at(
            db.session, small_area, days, by=by, filters=filters, exact=exact
        )
        assert together == [
            make(db.session, small_area, day, by=by, filters=filters) for day in days
        ]
    # The month ends are one read of the kept data, however many there are.
    with factories.counted_statements() as statements:
        outcome_reports.reports_at(db.session, small_area, month_ends, by=by, filters=filters)
    with factories.counted_statements() as fewer:
        outcome_reports.reports_at(db.session, small_area, month_ends[:2], by=by, filters=filters)
    assert len(statements) == len(fewer) <= 3


def test_a_change_to_an_area_that_keeps_nothing_reads_nothing_of_the_kept_data(world):
    kept.forget(db.session, world.area)
    with factories.counted_statements() as statements:
        factories.make_rating(world.goal, date(2026, 2, 1), 4, 4)
    assert not any("goal_outcome" in statement for statement in statements)
    assert kept.days_to_check(db.session, world.area) == []


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
    kept.rebuild(db.session, world.area, date(2026, 4, 15))
    db.session.commit()
    for operation in operations:
        apply(operation, world, children, outcomes)
        db.session.commit()
        for child in children:
            db.session.refresh(child)
    days = {*kept.days_to_check(db.session, world.area, most=40), *SOME_DAYS}
    assert_kept_equals_full(world.area, sorted(days))


def test_refresh_command_builds_and_reports_the_dates(runner, small_area):
    result = runner.invoke(args=["refresh-aggregates", "--area", "SMALL"])
    assert result.exit_code == 0, result.output
    assert "SMALL: built" in result.output
    assert date.today() in kept.snapshot_dates(db.session, small_area.id)
    rebuilt = runner.invoke(args=["refresh-aggregates", "--rebuild"])
    assert rebuilt.exit_code == 0 and "SMALL: built" in rebuilt.output
    assert runner.invoke(args=["refresh-aggregates", "--area", "NOPE"]).exit_code != 0


def test_the_check_after_every_test_catches_a_write_that_skips_the_kept_data(world):
    """The suite's autouse check (tests/conftest.py) fails when a write is not tracked."""
    from tests.conftest import assert_kept_cells_are_true

    db.session.commit()
    assert_kept_cells_are_true()
    # A rating written straight into the table, as no write path of the service may do.
    db.session.add(
        Rating(
            goal_id=world.goal.id,
            rater="parent_carer",
            assessed_on=date.today() - timedelta(days=1),
            performance=9,
            satisfaction=9,
        )
    )
    db.session.commit()
    with pytest.raises(AssertionError, match="kept data of"):
        assert_kept_cells_are_true()
    kept.rebuild(db.session, world.area, date.today())
    db.session.commit()
    assert_kept_cells_are_true()


def test_a_childs_changes_add_up_to_its_contribution_on_every_day(app):
    """Property of the Python rules alone: the dated changes sum to the contribution."""
    settings_ = contributions.Settings(area_id=1, important_change=2.0, review_interval_days=30)
    child = contributions.ChildRecord(
        id=1,
        area_id=1,
        record_key=200,
        date_of_birth=date(2012, 2, 29),
        organisation_id=7,
        primary_need="ASD",
        ehcp=False,
        erased=False,
        details=[(date(2025, 3, 1), "SEMH", True), (date(2025, 6, 1), "SLCN", False)],
        goals=[
            contributions.GoalRecord(
                date(2024, 11, 3),
                "achieved",
                date(2025, 7, 1),
                [3],
                [
                    (date(2024, 11, 3), "child", 2, 3),
                    (date(2025, 1, 10), "parent_carer", 4, 4),
                    (date(2025, 2, 20), "child", 6, 5),
                ],
            ),
            contributions.GoalRecord(date(2025, 4, 1), "active", None, [], []),
            # Reviewed again within the interval (by another rater), then on its last day.
            contributions.GoalRecord(
                date(2024, 12, 20),
                "active",
                None,
                [4],
                [
                    (date(2025, 1, 1), "child", 3, 3),
                    (date(2025, 1, 20), "parent_carer", 5, 4),
                    (date(2025, 2, 20), "child", 6, 6),
                ],
            ),
        ],
    )
    changes = contributions.changes(child, settings_)
    days = contributions.change_days(child, settings_)
    # A review that another follows within the interval never stops being on time.
    assert date(2025, 2, 1) not in days
    # The 12th birthday of someone born on 29 February is on 1 March in a common year.
    assert date(2024, 2, 29) not in days and date(2023, 3, 1) not in days
    assert date(2024, 12, 4) in days  # 30 days after the first rating, it is no longer on time
    day = date(2024, 10, 1)
    while day <= date(2026, 1, 1):
        total: dict = {}
        for (changed_on, cell), delta in changes.items():
            if changed_on <= day:
                contributions.add_into(total.setdefault(cell, [0] * len(delta)), delta)
        expected = contributions.contribution(child, day, settings_)
        assert {cell: sums for cell, sums in total.items() if any(sums)} == expected, day
        day += timedelta(days=1)
    # From a day on, the changes add up from the contribution the day before.
    for since in (date(2025, 1, 10), date(2025, 3, 1), date(2025, 6, 15)):
        partial = contributions.changes(child, settings_, since)
        assert all(changed_on >= since for changed_on, _ in partial)
        for day in (since, date(2025, 7, 1), date(2026, 1, 1)):
            total = {
                cell: list(sums)
                for cell, sums in contributions.contribution(
                    child, since - timedelta(days=1), settings_
                ).items()
            }
            for (changed_on, cell), delta in partial.items():
                if changed_on <= day:
                    contributions.add_into(total.setdefault(cell, [0] * len(delta)), delta)
            expected = contributions.contribution(child, day, settings_)
            assert {cell: sums for cell, sums in total.items() if any(sums)} == expected


def test_a_difference_holds_only_the_keys_whose_sums_changed():
    zero = [0] * len(contributions.ZERO)
    one = [1, *zero[1:]]
    # A record key of 5 becomes 3: the change wraps around the key range, as keys add up.
    keyed = [*zero[:-1], 5]
    rekeyed = [*zero[:-1], 3]
    old = {"same": one, "gone": one, "rekeyed": keyed, "zeros": zero}
    new = {"same": list(one), "new": one, "rekeyed": rekeyed}
    assert contributions.difference(old, new) == {
        "gone": [-1, *zero[1:]],
        "new": one,
        "rekeyed": [*zero[:-1], (3 - 5) % contributions.KEY_RANGE],
    }
    # Nothing is changed in place.
    assert old["same"] == one and new["rekeyed"] == rekeyed


def test_a_childs_record_reads_its_details_goals_and_own_outcomes_once_each(world):
    # The child comes once per dated detail and the goal once per outcome: each is read once.
    second = factories.make_outcome(world.area, "INCLUDED", position=2)
    elsewhere = factories.make_outcome(world.other_area, "ELSEWHERE")
    db.session.execute(
        insert(goal_outcome),
        [
            {"goal_id": world.goal.id, "outcome_id": o.id}
            for o in (world.outcome, second, elsewhere)
        ],
    )
    details = [(date(2025, 9, 1), "SEMH", True), (date(2025, 3, 1), "ASD", False)]
    db.session.add_all(
        ChildDetail(child_id=world.child.id, effective_from=day, primary_need=need, ehcp=ehcp)
        for day, need, ehcp in details
    )
    db.session.flush()
    loaded = {
        record.id: record
        for record in contributions.load(db.session, [world.child.id, world.other_child.id])
    }
    child, other = loaded[world.child.id], loaded[world.other_child.id]
    assert child.details == sorted(details)
    # Only the child's own area's outcomes count, as in the report.
    assert [sorted(goal.outcome_ids) for goal in child.goals] == [[world.outcome.id, second.id]]
    assert [len(goal.ratings) for goal in child.goals] == [1]
    assert other.details == [] and [goal.outcome_ids for goal in other.goals] == [[]]
    db.session.rollback()


def test_every_write_reads_a_childs_record_down_indexes_alone(world):
    # Every write of a record runs these: one that reads a whole table grows with the area.
    # (SQLite's plan depends on the query's shape alone; PostgreSQL's on the table's size too.)
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's plans: PostgreSQL reads small tables whole")
    children = [world.child.id, world.other_child.id]
    ran = []

    def note(connection, cursor, statement, parameters, context, executemany):
        ran.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        contributions.load(db.session, children)
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert len(ran) == len(contributions._QUERIES)
    for statement, parameters in ran:
        plan = db.session.connection().exec_driver_sql(
            f"EXPLAIN QUERY PLAN {statement}", parameters
        )
        steps = [row[-1] for row in plan]
        assert steps and not [step for step in steps if step.startswith(("SCAN", "MATERIALIZE"))]


def test_an_import_of_many_children_drops_the_kept_data_until_the_next_refresh(app, monkeypatch):
    monkeypatch.setattr(kept, "TRACKED_AT_MOST", 2)
    area = factories.make_area("SMALL")
    for code in ("HEALTHY", "INCLUDED", "INDEPENDENT"):
        factories.make_outcome(area, code)
    kept.refresh(db.session, area, TODAY)
    summary = importing.import_ratings(db.session, area, DATA / "small_area.csv")
    assert summary.imported and summary.kept_data_dropped
    assert any("refresh" in line for line in summary.describe())
    assert not kept.has_changes(db.session, area.id)
    assert kept.snapshot_dates(db.session, area.id) == []
    # Reports are right meanwhile, from the records; the refresh keeps them again.
    assert outcome_reports.exact_outcomes_report(db.session, area, TODAY).rows_for("ALL")[0].goals
    kept.refresh(db.session, area, TODAY)
    assert kept.has_changes(db.session, area.id)
    assert_kept_equals_full(area, SOME_DAYS)
