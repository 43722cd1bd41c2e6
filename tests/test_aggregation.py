"""The outcomes report of domain.md section 4, on small hand-built areas and random ones."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from goaltracker import scoring
from goaltracker.extensions import db
from goaltracker.reports import compute, kept, outcome_reports
from goaltracker.reports.columns import NAMES as COLUMNS
from goaltracker.reports.compute import ReportFilters
from goaltracker.reports.outcome_reports import (
    exact_outcomes_report,
    outcomes_report,
    quarter_ends,
    trend,
)
from goaltracker.vocabulary import AGE_BANDS, OTHER_AGE_BAND, RATERS
from tests import factories
from tests.conftest import empty_tables

AS_AT = date(2026, 3, 31)


@dataclass
class Place:
    """A small area for hand-built cases: two organisations, a key worker in each, outcomes."""

    area: object
    clinic_worker: object
    school_worker: object
    outcomes: dict = field(default_factory=dict)


@pytest.fixture
def place(app):
    """An area with outcomes A and B, whose exact report the tests read."""
    area = factories.make_area("HAND")
    clinic = factories.make_organisation(area, "Clinic", "health")
    school = factories.make_organisation(area, "School", "education")
    place = Place(
        area,
        factories.make_user("practitioner", area, clinic),
        factories.make_user("practitioner", area, school),
    )
    place.outcomes = {
        "A": factories.make_outcome(area, "A", position=1),
        "B": factories.make_outcome(area, "B", position=2),
    }
    return place


def child(place: Place, school: bool = False, **fields):
    """Make a child on the clinic's (or the school's) caseload."""
    return factories.make_child(place.school_worker if school else place.clinic_worker, **fields)


def goal(place: Place, of_child, *outcomes: str, **fields):
    """Make a goal linked to the named outcomes."""
    return factories.make_goal(
        of_child, outcomes=[place.outcomes[code] for code in outcomes], **fields
    )


def rate(of_goal, day: date, performance: int, satisfaction: int, rater: str = "parent_carer"):
    """Rate a goal."""
    return factories.make_rating(of_goal, day, performance, satisfaction, rater)


def checked_report(area, as_at: date, **options) -> outcome_reports.Report:
    """Return the area's exact report (the true figures, as `--exact` prints them), from the
    kept data, having checked that the report computed from the records is the same."""
    db.session.flush()
    from_kept = exact_outcomes_report(db.session, area, as_at, **options)
    nested = db.session.begin_nested()
    kept.forget(db.session, area)
    from_records = exact_outcomes_report(db.session, area, as_at, **options)
    nested.rollback()
    assert from_kept == from_records
    return from_kept


def report(place: Place, as_at: date = AS_AT, **options) -> outcome_reports.Report:
    """Return the area's exact report, from the kept data and the records alike."""
    return checked_report(place.area, as_at, **options)


def row(of_report, outcome: str = "ALL", group: str | None = None) -> outcome_reports.Row:
    """Return one row of a report."""
    (found,) = [r for r in of_report.rows if (r.outcome, r.group) == (outcome, group)]
    return found


def keys(of_report) -> list[tuple[str, str | None]]:
    """Return the report's rows as (outcome, group) in order."""
    return [(r.outcome, r.group) for r in of_report.rows]


def test_all_counts_every_goal_once_and_each_outcome_counts_its_linked_goals(place):
    amy, ben = child(place), child(place)
    goal(place, amy, "A", "B")
    goal(place, amy)
    goal(place, ben, "B")
    result = report(place)
    assert keys(result) == [("ALL", None), ("A", None), ("B", None)]
    assert (row(result).children, row(result).goals) == (2, 3)
    assert (row(result, "A").children, row(result, "A").goals) == (1, 1)
    assert (row(result, "B").children, row(result, "B").goals) == (2, 2)


def test_an_outcome_without_goals_has_a_row_of_zeros(place):
    result = report(place)
    empty = row(result, "A")
    assert (empty.children, empty.goals, empty.ratings, empty.reassessed) == (0, 0, 0, 0)
    assert empty.reviewed_on_time_pct is None and empty.child_voice_pct is None
    assert empty.mean_change_performance is None and empty.suppressed == ()


def test_goals_set_after_the_date_and_ratings_after_it_are_left_out(place):
    amy = child(place)
    early = goal(place, amy, "A", set_on=date(2026, 1, 5))
    goal(place, amy, "A", set_on=AS_AT + timedelta(days=1))
    rate(early, date(2026, 1, 5), 2, 2)
    rate(early, AS_AT, 4, 4)
    rate(early, AS_AT + timedelta(days=1), 9, 9)
    result = row(report(place), "A")
    assert (result.goals, result.ratings, result.reassessed) == (1, 2, 1)
    assert result.mean_latest_performance == 4.0


def test_goals_count_whatever_their_status(place):
    amy = child(place)
    goal(place, amy, status="achieved", closed_on=date(2026, 2, 1))
    goal(place, amy, status="stopped", closed_on=date(2026, 2, 1))
    assert row(report(place)).goals == 2


def test_reviewed_on_time_counts_active_goals_rated_within_the_review_interval(place):
    amy = child(place)
    interval = place.area.review_interval_days
    on_the_day = goal(place, amy)
    rate(on_the_day, AS_AT - timedelta(days=interval), 5, 5)
    one_day_late = goal(place, amy)
    rate(one_day_late, AS_AT - timedelta(days=interval + 1), 5, 5)
    goal(place, amy)  # never rated, so not on time
    closed = goal(place, amy, status="achieved", closed_on=AS_AT)
    rate(closed, AS_AT, 5, 5)
    closed_later = goal(place, amy, status="achieved", closed_on=AS_AT + timedelta(days=1))
    rate(closed_later, AS_AT, 5, 5)
    result = row(report(place))
    # Active at the date: the first three and the goal closed after it; 2 of 4 on time.
    assert result.reviewed_on_time_pct == 50.0


def test_the_latest_rating_of_any_rater_counts_for_being_on_time(place):
    amy = child(place)
    rated = goal(place, amy)
    rate(rated, date(2025, 1, 5), 5, 5, "child")
    rate(rated, AS_AT - timedelta(days=3), 5, 5, "parent_carer")
    assert row(report(place)).reviewed_on_time_pct == 100.0


def test_child_voice_is_the_share_of_goals_the_child_has_rated(place):
    amy = child(place)
    rate(goal(place, amy), date(2026, 2, 1), 5, 5, "child")
    rate(goal(place, amy), date(2026, 2, 1), 5, 5, "parent_carer")
    goal(place, amy)
    late = goal(place, amy)
    rate(late, AS_AT + timedelta(days=1), 5, 5, "child")
    assert row(report(place)).child_voice_pct == 25.0


def test_better_off_columns_compare_each_series_first_and_latest_rating(place):
    place.area.important_change = 1.5
    amy = child(place)
    first = goal(place, amy, "A")
    rate(first, date(2026, 1, 5), 2, 6)
    rate(first, date(2026, 2, 5), 9, 1)  # a middle rating is neither first nor latest
    rate(first, date(2026, 3, 5), 4, 5)
    rate(first, date(2026, 1, 5), 8, 8, "child")  # a separate series, never averaged in
    rate(first, date(2026, 3, 1), 7, 10, "child")
    second = goal(place, amy, "A")
    rate(second, date(2026, 1, 5), 5, 5)  # rated once: not reassessed
    result = row(report(place), "A")
    assert result.reassessed == 2
    assert result.ratings == 6
    assert result.mean_baseline_performance == 5.0  # (2 + 8) / 2
    assert result.mean_latest_performance == 5.5  # (4 + 7) / 2
    assert result.mean_change_performance == 0.5  # (+2 - 1) / 2
    assert result.mean_baseline_satisfaction == 7.0
    assert result.mean_latest_satisfaction == 7.5
    assert result.mean_change_satisfaction == 0.5  # (-1 + 2) / 2
    # Change must reach the area's important change (1.5): +2 does, -1 and +1 do not.
    assert (result.improved_performance, result.improved_performance_pct) == (1, 50.0)
    assert (result.improved_satisfaction, result.improved_satisfaction_pct) == (1, 50.0)


def test_an_improvement_exactly_at_the_important_change_counts(place):
    amy = child(place)
    rated = goal(place, amy)
    rate(rated, date(2026, 1, 5), 3, 3)
    rate(rated, date(2026, 2, 5), 5, 4)
    result = row(report(place))
    assert (result.improved_performance, result.improved_satisfaction) == (1, 0)


def test_outcomes_come_in_the_areas_order_and_retired_ones_keep_their_history(place):
    retired = factories.make_outcome(place.area, "AARDVARK", position=2)
    retired.retired_at = datetime(2026, 1, 1, tzinfo=UTC)
    place.outcomes["AARDVARK"] = retired
    goal(place, child(place), "AARDVARK")
    result = report(place)
    assert keys(result) == [("ALL", None), ("A", None), ("AARDVARK", None), ("B", None)]
    assert row(result, "AARDVARK").goals == 1


def test_erased_children_and_other_areas_are_left_out(place):
    goal(place, child(place))
    goal(place, child(place, erased_at=datetime(2026, 1, 1, tzinfo=UTC)))
    other_area = factories.make_area("ELSEWHERE")
    other_worker = factories.make_user(
        "practitioner", other_area, factories.make_organisation(other_area)
    )
    factories.make_goal(factories.make_child(other_worker))
    assert row(report(place)).goals == 1


def test_the_report_always_applies_the_areas_threshold(place):
    amy = child(place)
    rated = goal(place, amy, "A")
    rate(rated, date(2026, 1, 5), 3, 3)
    rate(rated, date(2026, 2, 5), 5, 4)
    result = outcomes_report(db.session, place.area, AS_AT)
    assert result.suppression_threshold == 5 and not result.exact
    assert row(result).goals is None and "goals" in row(result).suppressed
    assert row(result).mean_change_performance is None
    assert set(row(result).suppressed) == set(COLUMNS)


def test_filters_limit_the_children_counted(place):
    young = child(place, date_of_birth=date(2020, 1, 1), primary_need="ASD", ehcp=True)
    older = child(
        place, school=True, date_of_birth=date(2010, 1, 1), primary_need="SEMH", ehcp=False
    )
    goal(place, young)
    goal(place, older)
    goal(place, older)
    clinic_id = place.clinic_worker.organisation_id
    assert row(report(place, filters={"organisation": clinic_id})).goals == 1
    assert row(report(place, filters={"age_band": "16-19"})).goals == 2  # 16 on the date
    assert row(report(place, filters={"age_band": "11-15"})).goals == 0
    assert row(report(place, filters={"primary_need": "SEMH"})).goals == 2
    assert row(report(place, filters={"ehcp": True})).goals == 1
    assert row(report(place, filters=ReportFilters(ehcp=False))).goals == 2
    filtered = report(place, filters={"ehcp": False, "primary_need": "ASD"})
    assert row(filtered).goals == 0
    assert filtered.filters == ReportFilters(ehcp=False, primary_need="ASD")


def rater_world(place: Place):
    """Three goals: rated by both raters, by the parent only, and not at all."""
    amy = child(place)
    both = goal(place, amy, "A")
    rate(both, date(2025, 6, 1), 2, 2, "child")
    rate(both, date(2025, 9, 1), 6, 6, "child")
    rate(both, date(2026, 3, 1), 4, 3, "parent_carer")
    parent_only = goal(place, amy, "A")
    rate(parent_only, date(2026, 1, 1), 3, 3, "parent_carer")
    rate(parent_only, date(2026, 3, 1), 4, 4, "parent_carer")
    goal(place, amy, "A")


def test_a_rater_filter_keeps_goals_that_rater_rated_and_uses_only_their_ratings(place):
    rater_world(place)
    result = row(report(place, filters={"rater": "child"}), "A")
    assert (result.goals, result.ratings, result.reassessed) == (1, 2, 1)
    assert result.mean_change_performance == 4.0
    # Timeliness and the child's voice look at all of the goal's ratings.
    assert result.reviewed_on_time_pct == 100.0
    assert result.child_voice_pct == 100.0
    result = row(report(place, filters={"rater": "parent_carer"}), "A")
    assert (result.goals, result.ratings, result.reassessed) == (2, 3, 1)
    assert result.child_voice_pct == 50.0


def test_the_rater_breakdown_puts_a_goal_under_each_rater_who_rated_it(place):
    rater_world(place)
    result = report(place, by="rater")
    assert keys(result)[:3] == [("ALL", None), ("ALL", "child"), ("ALL", "parent_carer")]
    total = row(result, "A")
    assert (total.goals, total.ratings, total.reassessed) == (3, 5, 2)
    by_child = row(result, "A", "child")
    assert (by_child.goals, by_child.ratings, by_child.reassessed) == (1, 2, 1)
    by_parent = row(result, "A", "parent_carer")
    assert (by_parent.goals, by_parent.ratings, by_parent.reassessed) == (2, 3, 1)
    assert by_parent.child_voice_pct == 50.0
    assert by_parent.mean_change_performance == 1.0


def test_the_age_band_breakdown_puts_ages_outside_0_to_25_in_other(place):
    goal(place, child(place, date_of_birth=date(1990, 1, 1)))  # 36
    goal(place, child(place, date_of_birth=date(2000, 4, 1)))  # 25 until 1 April 2026
    goal(place, child(place, date_of_birth=date(2000, 3, 31)))  # 26 on the day
    goal(place, child(place, date_of_birth=AS_AT + timedelta(days=30)))  # not born yet
    goal(place, child(place, date_of_birth=AS_AT))  # born on the day: 0
    result = report(place, by="age_band")
    assert keys(result)[:4] == [("ALL", None), ("ALL", "0-4"), ("ALL", "20-25"), ("ALL", "other")]
    assert row(result, "ALL", "other").goals == 3
    assert row(result, "ALL", "20-25").goals == 1


@pytest.mark.parametrize(
    ("date_of_birth", "as_at"),
    [
        (date(2016, 2, 29), date(2021, 2, 28)),
        (date(2016, 2, 29), date(2021, 3, 1)),
        (date(2016, 2, 29), date(2024, 2, 29)),
        (date(2011, 3, 1), date(2016, 2, 29)),
        (date(2011, 2, 28), date(2016, 2, 29)),
        (date(2000, 3, 1), date(2026, 2, 28)),
        (date(2005, 6, 15), date(2025, 6, 15)),
        (date(2005, 6, 16), date(2025, 6, 15)),
    ],
)
def test_age_bands_in_the_database_match_the_scoring_rules(place, date_of_birth, as_at):
    goal(place, child(place, date_of_birth=date_of_birth), set_on=date(1999, 1, 1))
    groups = [r.group for r in report(place, as_at, by="age_band").rows_for("ALL")[1:]]
    assert groups == [scoring.age_band(date_of_birth, as_at)]


def test_partitioning_breakdowns_group_by_need_plan_and_organisation_name(place):
    goal(place, child(place, primary_need="SEMH", ehcp=False), "A")
    goal(place, child(place, school=True, primary_need="ASD", ehcp=True), "A")
    goal(place, child(place, school=True, primary_need="ASD", ehcp=True), "B")
    by_need = report(place, by="primary_need")
    assert keys(by_need) == [
        ("ALL", None),
        ("ALL", "ASD"),
        ("ALL", "SEMH"),
        ("A", None),
        ("A", "ASD"),
        ("A", "SEMH"),
        ("B", None),
        ("B", "ASD"),
    ]
    by_plan = report(place, by="ehcp")
    assert keys(by_plan)[:3] == [("ALL", None), ("ALL", "no"), ("ALL", "yes")]
    assert row(by_plan, "ALL", "yes").goals == 2
    by_organisation = report(place, by="organisation")
    assert keys(by_organisation)[:3] == [("ALL", None), ("ALL", "Clinic"), ("ALL", "School")]
    assert row(by_organisation, "B", "School").children == 1


def test_a_breakdown_can_be_filtered_by_rater(place):
    rater_world(place)
    result = report(place, by="organisation", filters={"rater": "child"})
    assert row(result, "A").goals == 1
    assert row(result, "A", "Clinic").ratings == 2


def test_unknown_breakdowns_and_filter_values_are_refused(place):
    for options in (
        {"by": "school"},
        {"filters": {"age_band": "5-9"}},
        {"filters": {"primary_need": "XYZ"}},
        {"filters": {"rater": "teacher"}},
        {"filters": {"ehcp": "no"}},
        {"filters": {"school": 3}},
    ):
        with pytest.raises(ValueError):
            report(place, **options)


def test_a_report_runs_the_same_few_statements_however_many_children(place):
    def statements_for_report() -> int:
        """Count the SQL statements one report runs."""
        db.session.flush()
        with factories.counted_statements() as executed:
            exact_outcomes_report(db.session, place.area, AS_AT, by="age_band")
        return len(executed)

    def add_children(number: int) -> None:
        """Add children with rated goals."""
        for _ in range(number):
            rated = goal(place, child(place), "A", "B")
            rate(rated, date(2026, 1, 5), 3, 3)
            rate(rated, date(2026, 2, 5), 5, 5, "child")

    add_children(2)
    few = statements_for_report()
    add_children(30)
    # The outcomes, which kept date to start from, whether changes are kept, and the report.
    assert statements_for_report() == few <= 4


def test_quarter_ends_are_the_financial_quarter_ends_in_the_period():
    assert quarter_ends(date(2025, 4, 1), date(2026, 3, 31)) == [
        date(2025, 6, 30),
        date(2025, 9, 30),
        date(2025, 12, 31),
        date(2026, 3, 31),
    ]
    assert quarter_ends(date(2025, 7, 1), date(2025, 9, 29)) == []
    assert quarter_ends(date(2025, 9, 30), date(2025, 9, 30)) == [date(2025, 9, 30)]


def test_a_trend_is_the_report_as_at_each_quarter_end(place):
    amy = child(place)
    rated = goal(place, amy, "A", set_on=date(2025, 5, 1))
    rate(rated, date(2025, 5, 1), 2, 2)
    rate(rated, date(2025, 11, 1), 6, 6)
    goal(place, amy, "A", set_on=date(2026, 1, 10))
    points = trend(
        db.session,
        place.area,
        "A",
        quarter_ends(date(2025, 4, 1), AS_AT),
        exact=True,
    )
    assert [point.as_at for point in points] == quarter_ends(date(2025, 4, 1), AS_AT)
    assert [point.rows[0].goals for point in points] == [1, 1, 1, 2]
    assert [point.rows[0].reassessed for point in points] == [0, 0, 1, 1]
    with_groups = trend(db.session, place.area, "ALL", [AS_AT], by="ehcp", exact=True)
    assert [r.group for r in with_groups[0].rows] == [None, "yes"]
    with pytest.raises(ValueError):
        trend(db.session, place.area, "NOPE", [AS_AT])


# --- A property: the database's report equals a deliberately simple computation. -----------

OUTCOMES = (("ZED", 1, False), ("ACE", 2, False), ("BEE", 2, True))
ORGANISATIONS = ("Clinic", "School")


@dataclass
class RatingSpec:
    """A rating to make."""

    rater: str
    day: date
    performance: int
    satisfaction: int


@dataclass
class GoalSpec:
    """A goal to make, with its outcome links and ratings."""

    set_on: date
    status: str
    closed_on: date | None
    outcomes: frozenset[str]
    ratings: list[RatingSpec]


@dataclass
class ChildSpec:
    """A child to make, with their goals."""

    date_of_birth: date
    primary_need: str
    ehcp: bool
    organisation: str
    goals: list[GoalSpec]


scores = st.integers(min_value=1, max_value=10)


@st.composite
def goal_specs(draw) -> GoalSpec:
    """Draw a goal: when it was set, whether and when it closed, links and ratings."""
    set_on = draw(st.dates(date(2024, 1, 1), date(2026, 12, 31)))
    status = draw(st.sampled_from(("active", "achieved", "stopped")))
    closed_on = None
    if status != "active":
        closed_on = set_on + timedelta(days=draw(st.integers(0, 400)))
    ratings = []
    for rater in RATERS:
        offsets = draw(st.lists(st.integers(0, 600), max_size=3, unique=True))
        ratings += [
            RatingSpec(rater, set_on + timedelta(days=offset), draw(scores), draw(scores))
            for offset in offsets
        ]
    links = draw(st.frozensets(st.sampled_from([code for code, _, _ in OUTCOMES])))
    return GoalSpec(set_on, status, closed_on, links, ratings)


child_specs = st.builds(
    ChildSpec,
    date_of_birth=st.dates(date(1995, 1, 1), date(2026, 12, 31)),
    primary_need=st.sampled_from(("ASD", "SEMH", "MLD")),
    ehcp=st.booleans(),
    organisation=st.sampled_from(ORGANISATIONS),
    goals=st.lists(goal_specs(), max_size=3),
)

filter_choices = st.one_of(
    st.just({}),
    st.builds(lambda rater: {"rater": rater}, st.sampled_from(RATERS)),
    st.builds(lambda name: {"organisation": name}, st.sampled_from(ORGANISATIONS)),
    st.builds(lambda band: {"age_band": band}, st.sampled_from((*AGE_BANDS, OTHER_AGE_BAND))),
    st.builds(lambda need: {"primary_need": need}, st.sampled_from(("ASD", "SEMH"))),
    st.builds(lambda plan: {"ehcp": plan}, st.booleans()),
)


def build_area(children: list[ChildSpec], important_change: float, review_interval: int):
    """Make the drawn area in the database; return it and its organisations' ids by name."""
    area = factories.make_area(
        important_change=important_change,
        review_interval_days=review_interval,
    )
    workers = {}
    for name in ORGANISATIONS:
        workers[name] = factories.make_user(
            "practitioner", area, factories.make_organisation(area, name)
        )
    outcomes = {}
    for code, position, retired in OUTCOMES:
        outcomes[code] = factories.make_outcome(area, code, position=position)
        if retired:
            outcomes[code].retired_at = datetime(2025, 1, 1, tzinfo=UTC)
    for spec in children:
        made = factories.make_child(
            workers[spec.organisation],
            date_of_birth=spec.date_of_birth,
            primary_need=spec.primary_need,
            ehcp=spec.ehcp,
        )
        for goal_spec in spec.goals:
            made_goal = factories.make_goal(
                made,
                set_on=goal_spec.set_on,
                status=goal_spec.status,
                closed_on=goal_spec.closed_on,
                outcomes=[outcomes[code] for code in sorted(goal_spec.outcomes)],
            )
            for rating in goal_spec.ratings:
                factories.make_rating(
                    made_goal, rating.day, rating.performance, rating.satisfaction, rating.rater
                )
    db.session.commit()
    organisation_ids = {name: worker.organisation_id for name, worker in workers.items()}
    return area, organisation_ids


def simple_report(children, as_at, important_change, review_interval, by, filters):
    """Compute the report's rows straight from the definitions of section 4, one goal at a time."""

    def attribute(spec: ChildSpec, name: str):
        """Return a child's value of a filter or breakdown attribute."""
        if name == "age_band":
            return scoring.age_band(spec.date_of_birth, as_at)
        if name == "ehcp":
            return "yes" if spec.ehcp else "no"
        return getattr(spec, name)

    def ratings(goal_spec: GoalSpec, rater: str | None = None) -> list[RatingSpec]:
        """Return a goal's ratings on or before the date, by one rater or all."""
        return [r for r in goal_spec.ratings if r.day <= as_at and rater in (None, r.rater)]

    def wanted(spec: ChildSpec) -> bool:
        """Return whether a child passes the filters other than rater."""
        for name, value in filters.items():
            if name == "rater":
                continue
            if name == "ehcp" and spec.ehcp != value:
                return False
            if name != "ehcp" and attribute(spec, name) != value:
                return False
        return True

    def units(goals, per_rater: bool):
        """Return (child, goal, rater) units: per rater who rated the goal, or per goal."""
        if not per_rater:
            return [(number, g, None, spec) for number, spec, g in goals]
        return [
            (number, g, rater, spec)
            for number, spec, g in goals
            for rater in RATERS
            if ratings(g, rater) and filters.get("rater") in (None, rater)
        ]

    def figures(counted) -> dict:
        """Compute one row's columns from its units."""
        active = [
            g
            for _, g, _, _ in counted
            if g.status == "active" or (g.closed_on is not None and g.closed_on > as_at)
        ]
        on_time = [
            g
            for g in active
            if ratings(g) and (as_at - max(r.day for r in ratings(g))).days <= review_interval
        ]
        summaries = []
        for _, g, rater, _ in counted:
            for series_rater in [rater] if rater else RATERS:
                series = [
                    scoring.Score(r.day, r.performance, r.satisfaction)
                    for r in ratings(g, series_rater)
                ]
                summary = scoring.summarise_series(series, as_at, important_change)
                if summary.reassessed:
                    summaries.append(summary)
        reassessed = len(summaries)

        def mean(values):
            return sum(values) / reassessed if reassessed else None

        improved_performance = sum(s.performance_band == scoring.IMPROVED for s in summaries)
        improved_satisfaction = sum(s.satisfaction_band == scoring.IMPROVED for s in summaries)
        return {
            "children": len({number for number, _, _, _ in counted}),
            "goals": len(counted),
            "ratings": sum(len(ratings(g, rater)) for _, g, rater, _ in counted),
            "reviewed_on_time_pct": 100 * len(on_time) / len(active) if active else None,
            "child_voice_pct": (
                100 * sum(bool(ratings(g, "child")) for _, g, _, _ in counted) / len(counted)
                if counted
                else None
            ),
            "reassessed": reassessed,
            "mean_baseline_performance": mean([s.baseline.performance for s in summaries]),
            "mean_latest_performance": mean([s.latest.performance for s in summaries]),
            "mean_change_performance": mean([s.change_performance for s in summaries]),
            "mean_baseline_satisfaction": mean([s.baseline.satisfaction for s in summaries]),
            "mean_latest_satisfaction": mean([s.latest.satisfaction for s in summaries]),
            "mean_change_satisfaction": mean([s.change_satisfaction for s in summaries]),
            "improved_performance": improved_performance,
            "improved_performance_pct": (
                100 * improved_performance / reassessed if reassessed else None
            ),
            "improved_satisfaction": improved_satisfaction,
            "improved_satisfaction_pct": (
                100 * improved_satisfaction / reassessed if reassessed else None
            ),
        }

    goals = [
        (number, spec, g)
        for number, spec in enumerate(children)
        if wanted(spec)
        for g in spec.goals
        if g.set_on <= as_at
    ]
    age_order = [*AGE_BANDS, OTHER_AGE_BAND]
    outcome_order = [code for code, _, _ in sorted(OUTCOMES, key=lambda o: (o[1], o[0]))]
    rows = []
    for outcome in ["ALL", *outcome_order]:
        members = [item for item in goals if outcome == "ALL" or outcome in item[2].outcomes]
        counted = units(members, per_rater="rater" in filters)
        rows.append((outcome, None, figures(counted)))
        if by is None:
            continue
        grouped: dict[str, list] = {}
        for unit in units(members, per_rater=by == "rater" or "rater" in filters):
            group = unit[2] if by == "rater" else attribute(unit[3], by)
            grouped.setdefault(group, []).append(unit)
        order = age_order.index if by == "age_band" else (lambda group: group)
        for group in sorted(grouped, key=order):
            rows.append((outcome, group, figures(grouped[group])))
    return rows


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    children=st.lists(child_specs, max_size=4),
    as_at=st.dates(date(2024, 6, 1), date(2027, 6, 30)),
    important_change=st.sampled_from((1.0, 1.5, 2.0, 3.0)),
    review_interval=st.sampled_from((30, 84, 200)),
    by=st.sampled_from((None, *compute.BREAKDOWNS)),
    filters=filter_choices,
)
def test_the_report_equals_a_simple_computation_from_the_definitions(
    app, children, as_at, important_change, review_interval, by, filters
):
    empty_tables()
    area, organisation_ids = build_area(children, important_change, review_interval)
    database_filters = dict(filters)
    if "organisation" in filters:
        database_filters["organisation"] = organisation_ids[filters["organisation"]]
    result = checked_report(area, as_at, by=by, filters=database_filters)
    expected = simple_report(children, as_at, important_change, review_interval, by, filters)
    assert keys(result) == [(outcome, group) for outcome, group, _ in expected]
    for actual, (_, _, values) in zip(result.rows, expected, strict=True):
        assert actual.suppressed == ()
        for column in COLUMNS:
            if values[column] is None:
                assert actual.value(column) is None, column
            else:
                assert actual.value(column) == pytest.approx(values[column]), column
