"""Suppression of small numbers (domain.md section 5), as pure rules over a row's figures."""

from dataclasses import fields, replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from goaltracker.suppression import (
    COLUMNS,
    COUNT_COLUMNS,
    PARTITIONING_BREAKDOWNS,
    STATISTIC_BASES,
    Figures,
    suppress_groups,
    suppress_row,
)

K = 5


def figures(**values) -> Figures:
    """Return a row's figures: large enough to show everything unless told otherwise."""
    defaults = {
        "children": 20,
        "goals": 30,
        "ratings": 90,
        "reviewed_on_time_pct": 50.0,
        "child_voice_pct": 40.0,
        "reassessed": 20,
        "mean_baseline_performance": 3.0,
        "mean_latest_performance": 5.0,
        "mean_change_performance": 2.0,
        "mean_baseline_satisfaction": 3.5,
        "mean_latest_satisfaction": 6.0,
        "mean_change_satisfaction": 2.5,
        "improved_performance": 10,
        "improved_performance_pct": 50.0,
        "improved_satisfaction": 12,
        "improved_satisfaction_pct": 60.0,
        "active_goals": 25,
    }
    defaults.update(values)
    return Figures(**defaults)


MEANS = [column for column in COLUMNS if column.startswith("mean_")]


def test_figures_carry_every_column_and_the_active_goal_count():
    assert [field.name for field in fields(Figures)] == [*COLUMNS, "active_goals"]
    assert set(STATISTIC_BASES) | set(COUNT_COLUMNS) == set(COLUMNS)


def test_large_numbers_are_all_shown():
    shown = suppress_row(figures(), K)
    assert shown.suppressed == ()
    assert shown.values["goals"] == 30 and shown.values["mean_change_performance"] == 2.0


@pytest.mark.parametrize("count", COUNT_COLUMNS)
@pytest.mark.parametrize(("value", "hidden"), [(0, False), (1, True), (4, True), (5, False)])
def test_a_count_from_one_to_below_the_threshold_is_suppressed_and_zero_is_shown(
    count, value, hidden
):
    shown = suppress_row(figures(**{count: value}), K)
    assert (count in shown.suppressed) is hidden
    assert shown.values[count] == (None if hidden else value)


def test_a_threshold_of_one_suppresses_nothing():
    small = figures(children=1, goals=1, reassessed=1, improved_performance=1, active_goals=1)
    assert suppress_row(small, 1).suppressed == ()


def test_child_voice_is_suppressed_when_there_are_few_goals():
    shown = suppress_row(figures(goals=3), K)
    assert {"goals", "child_voice_pct"} <= set(shown.suppressed)


def test_on_time_percentage_is_suppressed_when_few_goals_are_active_even_with_many_goals():
    shown = suppress_row(figures(active_goals=4), K)
    assert shown.suppressed == ("reviewed_on_time_pct",)
    assert shown.values["reviewed_on_time_pct"] is None
    assert shown.values["goals"] == 30


def test_means_and_improvement_percentages_are_suppressed_when_few_series_are_reassessed():
    shown = suppress_row(figures(reassessed=4, improved_performance=0, improved_satisfaction=0), K)
    assert set(shown.suppressed) == {
        "reassessed",
        *MEANS,
        "improved_performance_pct",
        "improved_satisfaction_pct",
    }
    # A count of 0 is shown even when the percentage built on it is hidden.
    assert shown.values["improved_performance"] == 0


def test_a_percentage_is_suppressed_when_its_numerator_is_suppressed():
    shown = suppress_row(figures(improved_performance=2), K)
    assert set(shown.suppressed) == {"improved_performance", "improved_performance_pct"}
    assert shown.values["mean_change_performance"] == 2.0


def test_statistics_over_nothing_are_not_applicable_rather_than_suppressed():
    nothing_reassessed = {column: None for column in MEANS}
    shown = suppress_row(
        figures(
            reassessed=0,
            improved_performance=0,
            improved_satisfaction=0,
            improved_performance_pct=None,
            improved_satisfaction_pct=None,
            active_goals=0,
            reviewed_on_time_pct=None,
            **nothing_reassessed,
        ),
        K,
    )
    assert shown.suppressed == ()
    assert shown.values["mean_latest_performance"] is None
    assert shown.values["reviewed_on_time_pct"] is None


def test_suppressed_columns_are_listed_in_sorted_order():
    shown = suppress_row(figures(children=2, goals=2, ratings=3), K)
    assert list(shown.suppressed) == sorted(shown.suppressed)
    assert shown.suppressed == ("child_voice_pct", "children", "goals", "ratings")


def test_secondary_suppression_hides_the_smallest_other_group_when_one_group_is_hidden():
    groups = [figures(ratings=3), figures(ratings=40), figures(ratings=12), figures(ratings=0)]
    shown = suppress_groups(groups, K, partitioning=True)
    assert ["ratings" in row.suppressed for row in shown] == [True, False, True, False]
    assert shown[2].values["ratings"] is None
    # A zero is never chosen: hiding it would protect nothing.
    assert shown[3].values["ratings"] == 0


def test_secondary_suppression_takes_the_first_group_in_row_order_on_a_tie():
    groups = [figures(goals=9), figures(goals=2), figures(goals=9)]
    shown = suppress_groups(groups, K, partitioning=True)
    assert ["goals" in row.suppressed for row in shown] == [True, True, False]


def test_secondary_suppression_is_not_needed_when_two_groups_are_already_hidden():
    groups = [figures(children=2), figures(children=3), figures(children=50)]
    shown = suppress_groups(groups, K, partitioning=True)
    assert ["children" in row.suppressed for row in shown] == [True, True, False]


def test_secondary_suppression_also_hides_statistics_built_on_the_hidden_count():
    groups = [figures(reassessed=2), figures(reassessed=8), figures(reassessed=30)]
    shown = suppress_groups(groups, K, partitioning=True)
    chosen = shown[1]
    assert "reassessed" in chosen.suppressed
    assert set(MEANS) <= set(chosen.suppressed)
    assert {"improved_performance_pct", "improved_satisfaction_pct"} <= set(chosen.suppressed)
    # Counts that were not hidden stay shown.
    assert chosen.values["improved_performance"] == 10
    assert shown[2].suppressed == ()


def test_secondary_suppression_of_goals_hides_the_child_voice_percentage():
    groups = [figures(goals=4), figures(goals=6)]
    shown = suppress_groups(groups, K, partitioning=True)
    assert {"goals", "child_voice_pct"} <= set(shown[1].suppressed)


def test_groups_that_do_not_partition_get_no_secondary_suppression():
    groups = [figures(ratings=3), figures(ratings=40)]
    shown = suppress_groups(groups, K, partitioning=False)
    assert ["ratings" in row.suppressed for row in shown] == [True, False]


def test_only_the_breakdowns_that_split_goals_between_groups_partition():
    assert PARTITIONING_BREAKDOWNS == {"age_band", "primary_need", "ehcp", "organisation"}


counts = st.integers(min_value=0, max_value=12)


@st.composite
def random_figures(draw) -> Figures:
    """Draw a row's figures with small counts, so that suppression has work to do."""
    values = {column: draw(counts) for column in COUNT_COLUMNS}
    values["active_goals"] = draw(counts)
    base = figures(**values)
    return replace(
        base,
        **{
            statistic: None if base.value(base_count) == 0 else 50.0
            for statistic, (base_count, _) in STATISTIC_BASES.items()
        },
    )


@settings(max_examples=200, deadline=None)
@given(groups=st.lists(random_figures(), min_size=1, max_size=5), threshold=st.integers(1, 8))
def test_no_small_count_is_ever_shown_and_no_lone_hidden_value_can_be_recovered(groups, threshold):
    shown = suppress_groups(groups, threshold, partitioning=True)
    for group, row in zip(groups, shown, strict=True):
        for column in COUNT_COLUMNS:
            value = row.values[column]
            assert value is None or not 0 < value < threshold
            assert (value is None) == (column in row.suppressed)
            if value is not None:
                assert value == group.value(column)
    for column in COUNT_COLUMNS:
        hidden = [row for row in shown if column in row.suppressed]
        others = [
            group.value(column)
            for group, row in zip(groups, shown, strict=True)
            if column not in row.suppressed
        ]
        # A single hidden value is recoverable from the total only if another value was
        # available to hide alongside it.
        assert len(hidden) != 1 or not any(value > 0 for value in others)
